/**
 * A message sent after the session ended elsewhere (signed out in another tab, expired) is never lost:
 * without JS the answer shows it back, to copy, and after signing in again it is in the message box of
 * the page it was typed on (with JS the drafts keep it: chat-drafts.js-only.spec.ts).
 */
import type { Page } from "@playwright/test";
import { endSessionsElsewhere, expect, messageBox as box, test } from "./support/composer";
import { TEST_PASSWORD, untilInteractive } from "./support/session";

/** Sends what is in the box after the session ended; signs in again through whatever the answer offers. */
async function sendSignedOutAndSignInAgain(page: Page, email: string, text: string) {
  await page.getByRole("button", { name: "Send" }).click();
  if (test.info().project.use.javaScriptEnabled === false) {
    // The answer says what happened and shows the text, to copy; it is not in the address.
    await expect(page.getByRole("alert")).toContainText("it was not sent");
    await expect(page.getByRole("textbox", { name: "Your message (not sent)" })).toHaveValue(text);
    expect(page.url()).not.toContain("Unsent");
    await page.getByRole("link", { name: "Sign in again" }).click();
  }
  await expect(page).toHaveURL(/\/login\?.*reason=revoked/);
  await untilInteractive(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

test("a message sent in a conversation after signing out elsewhere is back in the box once signed in", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  const { email, path } = await signedUpIn({ messages: 2 });
  const text = "Unsent answer, line one\nand line two";
  await box(page).fill(text);
  await endSessionsElsewhere(email, baseURL!);
  await sendSignedOutAndSignInAgain(page, email, text);
  await page.waitForURL((url) => url.pathname === path);
  await untilInteractive(page);
  await expect(box(page)).toHaveValue(text);
  // Taken once: a reload (after sending or not) does not bring it back.
  if (test.info().project.use.javaScriptEnabled === false) {
    // The box says where its text came from: it may be hours later.
    await expect(page.getByRole("status").filter({ hasText: "Your session had ended" })).toHaveText(
      "Your session had ended when you last posted this page, so that was not done: what you had typed then is back in the box, not sent.",
    );
    await page.reload();
    await expect(box(page)).toHaveValue("");
    await expect(page.getByText("Your session had ended")).toHaveCount(0);
  }
});

test("a new chat's first message sent after signing out elsewhere is back in the box once signed in", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  const { email } = await signedUpIn({ messages: 0 });
  const text = "Unsent first message of a new chat";
  await box(page).fill(text);
  await endSessionsElsewhere(email, baseURL!);
  await sendSignedOutAndSignInAgain(page, email, text);
  await page.waitForURL((url) => url.pathname === "/chat");
  await untilInteractive(page);
  await expect(box(page)).toHaveValue(text);
  if (test.info().project.use.javaScriptEnabled === false) {
    await expect(page.getByText("Your session had ended when you last posted this page")).toBeVisible();
  }
});
