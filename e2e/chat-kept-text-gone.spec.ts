/**
 * A conversation deleted elsewhere (another tab, another device) while its page is open with text in the
 * message box: whichever button is pressed next, the 404 that answers shows the text in a new-conversation
 * box, on a phone too, with JS and without — nothing typed is lost.
 */
import type { Page } from "@playwright/test";
import { withE2eDatabase } from "./support/admin";
import { expect, messageBox, test } from "./support/composer";

/** The conversation deleted behind the page's back, as Delete in another tab does. */
async function deleteElsewhere(baseURL: string, path: string): Promise<void> {
  await withE2eDatabase(baseURL, (client) =>
    client.query(`DELETE FROM "Conversation" WHERE id = $1`, [path.split("/")[2]]),
  );
}

async function expectGonePageWith(page: Page, text: string): Promise<void> {
  await expect(
    page.getByText("This conversation was deleted (in another tab or on another device), or never existed."),
  ).toBeVisible();
  await expect(page.getByText("Page not found")).toHaveCount(0);
  await expect(messageBox(page)).toHaveValue(text);
  const [scrollWidth, clientWidth] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  expect(scrollWidth, "no sideways scroll at 390 px").toBeLessThanOrEqual(clientWidth);
}

test.use({ viewport: { width: 390, height: 844 } });

test("Pin in a conversation deleted in another tab: the 404 shows the typed text, ready for a new conversation", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  const { path } = await signedUpIn({ messages: 2 });
  const text = "Typed before it went,\nsecond line";
  await messageBox(page).fill(text);
  await deleteElsewhere(baseURL!, path);
  await page.getByText("Conversation menu").click();
  await page.getByRole("button", { name: "Pin", exact: true }).click();
  await expectGonePageWith(page, text);
  await page.getByRole("button", { name: "Send" }).click();
  // A new conversation, with the text as its first message.
  await page.waitForURL((url) => /^\/chat\/[A-Za-z0-9_-]+$/.test(url.pathname) && url.pathname !== path);
  await expect(page.locator(".message--user").first()).toContainText("Typed before it went");
});

test("Delete in a conversation deleted in another tab: the 404 shows the typed text", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  const { path } = await signedUpIn({ messages: 2, query: "?panel=delete" });
  const text = "Typed, then Delete pressed";
  await messageBox(page).fill(text);
  await deleteElsewhere(baseURL!, path);
  await page.getByRole("button", { name: "Delete conversation" }).click();
  await expectGonePageWith(page, text);
});

test("Rename's Save title in a conversation deleted in another tab: the 404 shows the typed text", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  // With JS the panel posts its own form, the box's text copied into it; without JS it is the box's form.
  const { path } = await signedUpIn({ messages: 2, query: "?panel=rename" });
  const text = "Typed, then a new title";
  await messageBox(page).fill(text);
  await deleteElsewhere(baseURL!, path);
  await page.getByLabel("New title").fill("Renamed");
  await page.getByRole("button", { name: "Save title" }).click();
  await expectGonePageWith(page, text);
});

test("a model change in a conversation deleted in another tab: the 404 shows the typed text", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  const { path } = await signedUpIn({ messages: 2 });
  const text = "Typed, then another model";
  await messageBox(page).fill(text);
  await deleteElsewhere(baseURL!, path);
  await page.getByLabel("Model").selectOption({ index: 1 });
  if (test.info().project.use.javaScriptEnabled === false)
    await page.getByRole("button", { name: "Use model" }).click();
  await expectGonePageWith(page, text);
});

test("a link (Rename in the menu) in a conversation deleted in another tab: the 404 shows the typed text", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  // With JS a plain link: the 404 shows this tab's draft of the box; without JS a button of the box's form.
  const { path } = await signedUpIn({ messages: 2 });
  const text = "Typed, then Rename";
  await messageBox(page).fill(text);
  await deleteElsewhere(baseURL!, path);
  await page.getByText("Conversation menu").click();
  await page.locator(".menu__panel").getByText("Rename", { exact: true }).click();
  await expectGonePageWith(page, text);
});

test("the plain 404 of an empty box's press in a conversation deleted in another tab: the theme buttons work", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  // They submit the box's form of the route (its handle): the 404 has no box, and they did nothing.
  const { path } = await signedUpIn({ messages: 2 });
  await deleteElsewhere(baseURL!, path);
  await page.getByText("Conversation menu").click();
  await page.getByRole("button", { name: "Pin", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  // At 390 px the theme switch is in the folded menu.
  await page.locator(".main-nav__menu > summary").click();
  await page.locator(".main-nav__panel").getByRole("button", { name: "Dark" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe(path);
});
