import { expect, test } from "@playwright/test";
import { untilReplyEnds } from "./support/chat";
import { signUp } from "./support/session";

/**
 * A reply nested many levels deep on a 390 px phone (an outside tester's find): thirty nested list levels
 * made the page 769 px wide, left the deepest items a letter wide, and ran over the Send button.
 */

const NESTED_LIST = Array.from({ length: 30 }, (_, level) => `${"  ".repeat(level)}- item number ${level}`).join("\n");
const NESTED_QUOTE = `${"> ".repeat(20)}a quote twenty levels deep`;

test.describe.configure({ timeout: 120_000 });

test("a reply of deeply nested lists and quotes stays on the screen and leaves Send usable", async ({ page }) => {
  await signUp(page);
  await page.goto("/chat");
  const reply = `${NESTED_LIST}\n\n${NESTED_QUOTE}`;
  await page.getByRole("textbox", { name: "Message", exact: true }).fill(`[[reply:${reply}]] nest deeply`);
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForURL(/\/chat\/[a-z0-9]+/);
  await untilReplyEnds(page);
  const answer = page.locator('.message--assistant[data-status="complete"]');
  await expect(answer).toBeVisible({ timeout: 20_000 });

  const viewport = page.viewportSize()!.width;
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport);
  const deepest = answer.locator("li", { hasText: /^item number 29$/ });
  await expect(deepest).toBeVisible();
  expect((await deepest.boundingBox())!.width).toBeGreaterThanOrEqual(100);
  const quote = answer.locator("p", { hasText: "a quote twenty levels deep" });
  const box = (await quote.boundingBox())!;
  expect(box.width).toBeGreaterThanOrEqual(100);
  expect(box.x + box.width).toBeLessThanOrEqual(viewport);

  // Nothing of the reply lies over the message box: the Send button takes the tap.
  await page.getByRole("textbox", { name: "Message", exact: true }).fill("still there?");
  await page.getByRole("button", { name: "Send" }).click({ trial: true, timeout: 5_000 });
});
