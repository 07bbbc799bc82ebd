/**
 * With JavaScript: the chat's keyboard shortcuts and their `?` help dialog, and validation messages
 * that stay put until the next submit (a blur must not move the button under the pointer).
 */
import { expect, test, type Page } from "@playwright/test";
import { signUp } from "./support/session";

const SLOW = "[[stub:delay=400]] tell me slowly";
const composer = (page: Page) => page.getByRole("textbox", { name: "Message" });

test.beforeEach(async ({ page }) => {
  await signUp(page);
});

test("`/` goes to the composer, Esc stops a reply, Alt+N starts a new chat, arrows walk the list, `?` lists them", async ({
  page,
}) => {
  await page.goto("/chat");
  await page.waitForFunction(() => "__remixRouter" in window);

  // `/` from anywhere on the page (not while typing) lands in the message box.
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("/");
  await expect(composer(page)).toBeFocused();
  await expect(composer(page)).toHaveValue("");

  // Esc stops the reply being written, as the Stop button does.
  await composer(page).fill(SLOW);
  await composer(page).press("Enter");
  await expect(page.getByTestId("streaming-text")).toContainText("You said", { timeout: 10_000 });
  await page.keyboard.press("Escape");
  const stopped = page.locator('.message--assistant[data-status="aborted"]');
  await expect(stopped).toContainText("Stopped — the reply is as far as it got.");
  const conversation = page.url();

  // Alt+N: a new chat, ready to type in.
  await page.keyboard.press("Alt+N");
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByRole("heading", { name: "What can I help you with?" })).toBeVisible();
  await expect(composer(page)).toBeFocused();

  // A second conversation, then the arrow keys move between the two in the list.
  await composer(page).fill("a second conversation");
  await composer(page).press("Enter");
  await expect(page).not.toHaveURL(conversation);
  const links = page.locator(".conversation-list a");
  await expect(links).toHaveCount(2);
  await links.first().focus();
  await page.keyboard.press("ArrowDown");
  await expect(links.nth(1)).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await expect(links.first()).toBeFocused();

  // `?` opens the help with every shortcut; Esc closes it (and does not count as a shortcut).
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("Shift+?");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toBeVisible();
  for (const what of ["Go to the message box", "Stop the reply being written", "New chat", "Show these shortcuts"]) {
    await expect(help).toContainText(what);
  }
  await page.keyboard.press("Escape");
  await expect(help).toBeHidden();
  // The sidebar button opens it too; typing `/` or `?` in the message box just types.
  await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
  await expect(help).toBeVisible();
  await help.getByRole("button", { name: "Close" }).click();
  await expect(help).toBeHidden();
  await composer(page).fill("");
  await composer(page).press("/");
  await composer(page).press("Shift+?");
  await expect(composer(page)).toHaveValue("/?");
  await expect(help).toBeHidden();
});

test("a validation message stays after blur until the next submit, and the button does not move", async ({ page }) => {
  await page.goto("/settings/data");
  await page.waitForFunction(() => "__remixRouter" in window);
  const confirm = page.getByLabel(/^Type .* to confirm$/);
  const button = page.getByRole("button", { name: "Delete my account" });
  await confirm.fill("not my address");
  await button.click();
  const error = page.getByText(/^Type .* to confirm\.$/);
  await expect(error).toBeVisible();
  const before = await button.boundingBox();
  // Back into the field, type, and leave it: the message and the button stay where they are.
  await confirm.click();
  await confirm.pressSequentially(" still wrong");
  await confirm.blur();
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await expect(error).toBeVisible();
  expect(await button.boundingBox()).toEqual(before);

  // Change password: the client-side check's message stays after blur too.
  await page.goto("/settings/password");
  await page.waitForFunction(() => "__remixRouter" in window);
  await page.getByLabel("Current password").fill("whatever it was");
  await page.getByLabel("New password").fill("short");
  await page.getByRole("button", { name: "Change password" }).click();
  const tooShort = page.locator(".field-error").first();
  await expect(tooShort).toBeVisible();
  const message = await tooShort.textContent();
  await page.getByLabel("New password").click();
  await page.getByLabel("New password").blur();
  await expect(tooShort).toHaveText(message ?? "");
  // Still the browser's own page: nothing was sent.
  await expect(page).toHaveURL(/\/settings\/password$/);
});

test.describe("on a touch screen, whose keyboard has no Shift+Enter", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test("Enter starts a new line, the Send button sends, and the hint says so", async ({ page }) => {
    await page.goto("/chat");
    await page.waitForFunction(() => "__remixRouter" in window);
    await expect(page.locator(".composer__hint")).toHaveText("Enter starts a new line; press Send when ready.");
    await composer(page).fill("First line");
    await composer(page).press("Enter");
    await composer(page).pressSequentially("second line");
    await expect(composer(page)).toHaveValue("First line\nsecond line");
    await expect(page).toHaveURL(/\/chat$/);
    await page.getByRole("button", { name: "Send" }).tap();
    await page.waitForURL(/\/chat\/[a-z0-9]+/);
    await expect(page.locator(".message--user")).toHaveText(/First line\s+second line/);
  });
});

test("an earlier success notice goes once the next save is refused in the browser (profile; every page with a one-time notice)", async ({
  page,
}) => {
  await page.goto("/settings/profile");
  await page.waitForFunction(() => "__remixRouter" in window);
  const name = page.getByLabel("Name");
  await name.fill("Ada Lovelace");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByText("Your profile has been saved.")).toBeVisible();
  // As pasted into a browser that does not hold to maxlength (the QA pass's), or sent by a crafted page.
  await name.evaluate((input) => input.removeAttribute("maxlength"));
  await name.fill("x".repeat(150));
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByText("Use at most 100 characters.")).toBeVisible();
  await expect(page.getByText("Your profile has been saved.")).toHaveCount(0);
});

test("Escape closes the Conversation menu from inside it and focus returns to its toggle", async ({ page }) => {
  await page.goto("/chat");
  await page.waitForFunction(() => "__remixRouter" in window);
  await composer(page).fill("a conversation with a menu");
  await composer(page).press("Enter");
  await expect(page).toHaveURL(/\/chat\/[^/]+/);
  const menu = page.locator("details.menu");
  const toggle = menu.locator("summary");
  await toggle.click();
  await expect(menu).toHaveAttribute("open", "");
  await page.keyboard.press("Tab");
  await expect(menu.locator(".menu__panel :focus")).toHaveCount(1);
  await page.keyboard.press("Escape");
  await expect(menu).not.toHaveAttribute("open", "");
  await expect(toggle).toBeFocused();
});

test("Escape in the Conversation menu while a reply is written closes the menu and leaves the reply going", async ({
  page,
}) => {
  await page.goto("/chat");
  await page.waitForFunction(() => "__remixRouter" in window);
  await composer(page).fill("a first message");
  await composer(page).press("Enter");
  await expect(page).toHaveURL(/\/chat\/[^/#]+/);
  await expect(page.getByRole("button", { name: "Stop" })).toHaveCount(0, { timeout: 20_000 });
  // Loaded as a document: the page's own Escape shortcut (stop the reply) is listening before the menus'.
  await page.goto(page.url().replace(/#.*$/, ""));
  await page.waitForFunction(() => "__remixRouter" in window);
  await composer(page).fill(SLOW);
  await composer(page).press("Enter");
  const stop = page.getByRole("button", { name: "Stop" });
  await expect(stop).toBeVisible();
  const menu = page.locator("details.menu");
  await menu.locator("summary").click();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Escape");
  await expect(menu).not.toHaveAttribute("open", "");
  await expect(stop).toBeVisible();
  await expect(page.getByText("Stopped — the reply is as far as it got.")).toHaveCount(0);
});
