import path from "node:path";
import { expect, test } from "@playwright/test";
import { promoteToAdmin } from "./support/admin";
import { setFixedReply } from "./support/llm";
import { signUp } from "./support/session";

const OUT = path.resolve(import.meta.dirname, "../docs/screenshots");

const EARLIER = [
  ["Summarise the article I pasted", "The article argues that **small teams** ship faster when they own their tools."],
  ["What's a good name for a reading group?", "A few ideas: *Marginalia*, *The Slow Readers*, *Dog-ear Club*."],
] as const;

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
  // A person's plain questions: the replies come from the stand-in's fixed-reply setting, not markers.
  const ask = async (question: string, reply: string) => {
    await setFixedReply(baseURL!, reply);
    await page.goto("/chat");
    await page.getByLabel("Message").fill(question);
    await page.getByRole("button", { name: "Send" }).click();
    await expect(page.locator('.message--assistant[data-status="complete"]')).toBeVisible({ timeout: 30_000 });
  };
  try {
    for (const [question, reply] of EARLIER) await ask(question, reply);
    await ask("Help me plan my week", REPLY);
  } finally {
    await setFixedReply(baseURL!, undefined);
  }
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
