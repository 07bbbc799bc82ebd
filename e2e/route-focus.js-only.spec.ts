import { expect, test } from "@playwright/test";
import { untilReplyEnds } from "./support/chat";
import { expectNotice, signUp } from "./support/session";

/**
 * With JS a link does not load a new document, so nothing tells a screen reader the page changed: focus
 * moves to the new page's main heading, as a page load would reset it. Only for a move to another page:
 * a form's own answer, a revalidation and the chat's message box after a send keep their focus.
 */

test("a link to another page puts focus on its main heading; back does too", async ({ page }) => {
  await signUp(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Memory" }).first().click();
  await expect(page).toHaveURL(/\/memory$/);
  await expect(page.getByRole("heading", { level: 1, name: "Memory" })).toBeFocused();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).first().click();
  await expect(page).toHaveURL(/\/settings/);
  const settingsHeading = page.locator("main h1");
  await expect(settingsHeading).toBeFocused();

  await page.goBack();
  await expect(page).toHaveURL(/\/memory$/);
  await expect(page.getByRole("heading", { level: 1, name: "Memory" })).toBeFocused();
});

test("a form's answer on the same page, and the chat after a send, keep their own focus", async ({ page }) => {
  await signUp(page);
  await page.goto("/memory");
  const form = page.getByRole("form", { name: "Add a fact" });
  await form.getByLabel("Key").fill("drink");
  await form.getByLabel("Value").fill("tea");
  await form.getByRole("button", { name: "Add fact" }).click();
  await expectNotice(page, "Fact saved.");
  await expect(page.getByRole("heading", { level: 1, name: "Memory" })).not.toBeFocused();

  // The first message of a new chat lands on the conversation's own page: its box keeps the focus.
  await page.goto("/chat");
  await page.getByLabel("Message").fill("Hello there");
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForURL(/\/chat\/[a-z0-9]+(#latest)?$/);
  await untilReplyEnds(page);
  await expect(page.getByRole("textbox", { name: "Message" })).toBeFocused();
  await expect(page.locator("main h1")).not.toBeFocused();
});
