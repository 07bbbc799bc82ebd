/**
 * With JS, a refused form shows what it would without JS: the page at its own address (not the action's
 * `?index` form of it), with every field's message.
 */
import { expect, test } from "@playwright/test";
import { signUp, untilInteractive } from "./support/session";

test("a refused new-chat send stays at /chat, not /chat?index", async ({ page }) => {
  await signUp(page);
  await page.goto("/chat");
  await untilInteractive(page);
  // Only spaces: the box is not empty, so it is sent, and the server refuses it.
  await page.getByRole("textbox", { name: "Message", exact: true }).fill("   ");
  const answer = page.waitForResponse((response) => response.request().method() === "POST");
  await page.getByRole("button", { name: "Send" }).click();
  expect((await answer).status()).toBe(400);
  await expect(page.locator("#composer-message-error")).toBeVisible();
  await expect.poll(() => new URL(page.url()).search).toBe("");
  expect(new URL(page.url()).pathname).toBe("/chat");
});
