/**
 * With JS, the 404 of a conversation deleted in another tab that shows what was typed: the theme switch
 * there changes the theme and leaves both texts in their boxes (it led back to the address, whose 404 had
 * only this tab's draft of the box: the edit's text was lost), and a 404 that shows this tab's draft is
 * titled as its heading says, "Conversation not found", not "Page not found".
 */
import type { Page } from "@playwright/test";
import { withE2eDatabase } from "./support/admin";
import { expect, messageBox, test } from "./support/composer";

test.use({ viewport: { width: 390, height: 844 } });

async function deleteElsewhere(baseURL: string, path: string): Promise<void> {
  await withE2eDatabase(baseURL, (client) =>
    client.query(`DELETE FROM "Conversation" WHERE id = $1`, [path.split("/")[2]]),
  );
}

async function switchTheme(page: Page, theme: "Dark" | "Light"): Promise<void> {
  // At 390 px the theme switch is in the folded menu.
  await page.locator(".main-nav__menu > summary").click();
  await page.locator(".main-nav__panel").getByRole("button", { name: theme }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", theme.toLowerCase());
}

test("the theme switch on the two-text 404 of an edit's Save keeps the edit's text and the box's", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  const { path } = await signedUpIn({ messages: 2 });
  await messageBox(page).fill("Typed in the box meanwhile");
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await page.getByLabel("Edit your message").fill("The edited wording");
  await deleteElsewhere(baseURL!, path);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Your edited message is below, not sent")).toBeVisible();
  const box = page.getByRole("textbox", { name: "What you had typed in the message box", exact: true });
  // Changed on the 404 too: what is in the boxes now is what stays.
  await messageBox(page).fill("The edited wording, changed on the 404");
  await box.fill("Typed in the box meanwhile, changed on the 404");
  await switchTheme(page, "Dark");
  await expect(page.getByText("Your edited message is below, not sent")).toBeVisible();
  await expect(messageBox(page)).toHaveValue("The edited wording, changed on the 404");
  await expect(box).toHaveValue("Typed in the box meanwhile, changed on the 404");
  await expect(page).toHaveTitle("Conversation not found · ARES");
  // Sent from here, each still starts a new conversation with the other in its box.
  await box.locator("xpath=ancestor::form").getByRole("button", { name: "Send" }).click();
  await page.waitForURL((url) => /^\/chat\/[A-Za-z0-9_-]+$/.test(url.pathname) && url.pathname !== path);
  await expect(page.locator(".message--user").first()).toContainText("Typed in the box meanwhile, changed on the 404");
  await expect(messageBox(page)).toHaveValue("The edited wording, changed on the 404");
});

test("a link's 404 in a conversation deleted in another tab shows this tab's draft, titled as its heading", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  const { path } = await signedUpIn({ messages: 2 });
  await messageBox(page).fill("Typed, then Rename");
  await deleteElsewhere(baseURL!, path);
  await page.getByText("Conversation menu").click();
  await page.locator(".menu__panel").getByText("Rename", { exact: true }).click();
  await expect(page.getByRole("heading", { name: "Conversation not found" })).toBeVisible();
  await expect(messageBox(page)).toHaveValue("Typed, then Rename");
  await expect(page).toHaveTitle("Conversation not found · ARES");
  // Then on to another address's 404 with nothing typed for it (a link, the router's own navigation): the
  // tab says what its heading says, not the page before's "Conversation not found".
  await page.waitForFunction(() => "__remixRouter" in window);
  await page.evaluate(() =>
    (window as unknown as { __remixRouter: { navigate: (to: string) => Promise<void> } }).__remixRouter.navigate(
      "/chat/nothing-typed-here",
    ),
  );
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await expect(page).toHaveTitle("Page not found · ARES");
});

test("from one deleted conversation's 404 to another's, each shows its own draft", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  // The second 404's box kept what was typed on the first (the same page, reused): its Send then cleared
  // the second's draft, which was never shown, and its words were lost.
  const { email, path } = await signedUpIn({ messages: 2 });
  const other = "/chat/never-there-either";
  await page.evaluate(
    ([key]) => sessionStorage.setItem(key!, "The other conversation's own draft"),
    [`ares:draft:${email}:${other}`],
  );
  await messageBox(page).fill("Typed, then Rename");
  await deleteElsewhere(baseURL!, path);
  await page.getByText("Conversation menu").click();
  await page.locator(".menu__panel").getByText("Rename", { exact: true }).click();
  await expect(messageBox(page)).toHaveValue("Typed, then Rename");
  await messageBox(page).fill("Changed on the first 404");
  await page.waitForFunction(() => "__remixRouter" in window);
  await page.evaluate(
    (to) =>
      (window as unknown as { __remixRouter: { navigate: (to: string) => Promise<void> } }).__remixRouter.navigate(to),
    other,
  );
  await page.waitForURL((url) => url.pathname === other);
  await expect(page.getByRole("heading", { name: "Conversation not found" })).toBeVisible();
  await expect(messageBox(page)).toHaveValue("The other conversation's own draft");
});
