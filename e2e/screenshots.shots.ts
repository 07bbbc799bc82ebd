import path from "node:path";
import { expect, test } from "@playwright/test";
import { promoteToAdmin } from "./support/admin";
import { signUp } from "./support/session";

const OUT = path.resolve(import.meta.dirname, "../docs/screenshots");

const REPLY = [
  "## A plan for the week",
  "",
  "1. **Monday**: draft the report",
  "2. **Wednesday**: review it with the team",
  "",
  "```ts",
  'const week = ["mon", "wed"];',
  "```",
].join("\n");

test("chat, settings and admin at 390 px and 1280 px, light and dark", async ({ page, baseURL }) => {
  const email = await signUp(page, { name: "Ada Lovelace" });
  await promoteToAdmin(email, baseURL!);
  await page.goto("/chat");
  await page.getByLabel("Message").fill(`[[reply:${REPLY}]] Help me plan my week`);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator('.message--assistant[data-status="complete"]')).toBeVisible({ timeout: 30_000 });
  const chat = new URL(page.url()).pathname;

  const pages = { chat: `${chat}#latest`, settings: "/settings/profile", admin: "/admin/users" };
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    for (const theme of ["light", "dark"] as const) {
      await page.context().addCookies([{ name: "theme", value: theme, url: baseURL! }]);
      for (const [name, address] of Object.entries(pages)) {
        await page.goto(address);
        await page.waitForLoadState("networkidle");
        await page.screenshot({ path: path.join(OUT, `${name}-${width}-${theme}.png`) });
      }
    }
  }
});
