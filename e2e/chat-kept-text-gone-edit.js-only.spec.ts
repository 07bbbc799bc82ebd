/**
 * An edit's Save in a conversation deleted in another tab, with text in the message box too: with JS the
 * edit form carries the box's text along (a field of its own), and the 404 shows both, each ready for a
 * new conversation — the edit first (it is what was just saved), then the box's. Without JS an edit's Save
 * posts the edit box alone (chat-kept-text.test.ts has the 404's answer to either post).
 */
import { withE2eDatabase } from "./support/admin";
import { expect, messageBox, test } from "./support/composer";

test.use({ viewport: { width: 390, height: 844 } });

test("an edit's Save in a conversation deleted in another tab, text in the box too: the 404 shows both texts", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  const { path } = await signedUpIn({ messages: 2 });
  await messageBox(page).fill("Typed in the box meanwhile");
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await page.getByLabel("Edit your message").fill("The edited wording");
  await withE2eDatabase(baseURL!, (client) =>
    client.query(`DELETE FROM "Conversation" WHERE id = $1`, [path.split("/")[2]]),
  );
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Your edited message is below, not sent")).toBeVisible();
  await expect(messageBox(page)).toHaveValue("The edited wording");
  const box = page.getByRole("textbox", { name: "What you had typed in the message box", exact: true });
  await expect(box).toHaveValue("Typed in the box meanwhile");
  const [scrollWidth, clientWidth] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  expect(scrollWidth, "no sideways scroll at 390 px").toBeLessThanOrEqual(clientWidth);
  // The box's text (changed here) sent from here starts a new conversation with it; the edit, changed here
  // too, is not lost: it is in the new conversation's box.
  await messageBox(page).fill("The edited wording, changed on the 404");
  await box.fill("Typed in the box meanwhile, sent from the 404");
  await box.locator("xpath=ancestor::form").getByRole("button", { name: "Send" }).click();
  await page.waitForURL((url) => /^\/chat\/[A-Za-z0-9_-]+$/.test(url.pathname) && url.pathname !== path);
  await expect(page.locator(".message--user").first()).toContainText("Typed in the box meanwhile, sent from the 404");
  await expect(messageBox(page)).toHaveValue("The edited wording, changed on the 404");
});
