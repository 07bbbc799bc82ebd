import { expect, test } from "@playwright/test";
import { seedLongConversation } from "./support/admin";
import { signUp } from "./support/session";

/**
 * The phone's folded menus are <details>: without JS their toggle opens and closes them; with JS, Escape
 * closes an open one too and puts focus back on its toggle (a keyboard or switch user is not left inside
 * a panel that is gone).
 */

test("the phone Menu: its toggle opens and closes it; with JS Escape closes it and focus returns to the toggle", async ({
  page,
  javaScriptEnabled,
}) => {
  await signUp(page);
  const toggle = page.locator(".main-nav__menu > summary");
  const settings = page.getByRole("link", { name: "Settings" });
  await toggle.click();
  await expect(settings).toBeVisible();
  // The toggle works as before, with or without JS.
  await toggle.click();
  await expect(settings).toBeHidden();
  if (!javaScriptEnabled) return;

  await toggle.click();
  await settings.focus();
  await page.keyboard.press("Escape");
  await expect(settings).toBeHidden();
  await expect(toggle).toBeFocused();
  await expect(page.locator(".main-nav__menu")).not.toHaveAttribute("open");
  // Escape on the toggle itself closes it as well.
  await page.keyboard.press("Enter");
  await expect(settings).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(settings).toBeHidden();
  await expect(toggle).toBeFocused();
});

test("the phone conversations drawer: with JS Escape closes it and focus returns to its toggle", async ({
  page,
  baseURL,
  javaScriptEnabled,
}) => {
  const email = await signUp(page);
  await seedLongConversation(email, baseURL!, 2);
  await page.goto("/chat");
  const toggle = page.getByText("Conversations", { exact: true });
  const conversation = page.getByRole("link", { name: /A long talk/ });
  await toggle.click();
  await expect(conversation).toBeVisible();
  await toggle.click();
  await expect(conversation).toBeHidden();
  if (!javaScriptEnabled) return;

  await toggle.click();
  await conversation.focus();
  await page.keyboard.press("Escape");
  await expect(conversation).toBeHidden();
  await expect(toggle).toBeFocused();
});
