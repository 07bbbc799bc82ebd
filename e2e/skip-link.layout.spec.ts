import { expect, test, type Locator, type Page } from "@playwright/test";
import { seedLongConversation } from "./support/admin";
import { signUp } from "./support/session";

/**
 * The skip links ("Skip to content" on every page, "Skip to the message box" in a conversation) are off
 * screen until a keyboard user Tabs to them. The conversation's link was placed relative to its own
 * block and sat over the logo and the bell on a phone, taking their taps.
 */

/** Whether a tap at the centre of `control` lands on the control (or something inside it). */
async function tapLandsOn(control: Locator): Promise<boolean> {
  return control.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return hit !== null && (hit === element || element.contains(hit));
  });
}

/** Presses Tab until `target` has focus (a few header controls come first). */
async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let presses = 0; presses < 40; presses += 1) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error("Tab never reached the skip link");
}

test("in a conversation the skip links are off screen, leave the logo and bell their taps, and show when Tabbed to", async ({
  page,
  baseURL,
}) => {
  const email = await signUp(page);
  const conversation = await seedLongConversation(email, baseURL!, 2);
  await page.goto(conversation);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();

  const toContent = page.getByRole("link", { name: "Skip to content" });
  const toMessageBox = page.getByRole("link", { name: "Skip to the message box" });
  await expect(toContent).not.toBeInViewport();
  await expect(toMessageBox).not.toBeInViewport();
  for (const control of [page.locator(".main-nav .brand"), page.locator(".main-nav .bell").first()]) {
    // With JS the conversation opens scrolled to its end: the header is scrolled back into view.
    await control.scrollIntoViewIfNeeded();
    expect(await tapLandsOn(control), `a tap on ${await control.getAttribute("class")}`).toBe(true);
  }

  await tabTo(page, toContent);
  await expect(toContent).toBeInViewport();
  await tabTo(page, toMessageBox);
  await expect(toMessageBox).toBeInViewport();
  await expect(toContent).not.toBeInViewport();
  // Shown at the top of the viewport, wherever the page is scrolled to.
  const box = (await toMessageBox.boundingBox())!;
  expect(box.y).toBeLessThan(50);
});
