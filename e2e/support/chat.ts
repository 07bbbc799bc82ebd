import { expect, test, type Page } from "@playwright/test";

/**
 * Waits until no reply on the page is being written. With JS it streams into the page; without JS it
 * is followed in a frame of its own (the conversation page never reloads), whose link shows the
 * conversation once the reply has ended: pressed here, as a person would.
 */
export async function untilReplyEnds(page: Page, timeout = 15_000): Promise<void> {
  const writing = page.locator('.message[data-status="streaming"]');
  if (test.info().project.use.javaScriptEnabled !== false) {
    await expect(writing).toHaveCount(0, { timeout });
    return;
  }
  if ((await writing.count()) === 0) return;
  await page
    .frameLocator("iframe.reply-following")
    .getByRole("link", { name: "Show the conversation" })
    .click({ timeout });
  await expect(writing).toHaveCount(0, { timeout });
}
