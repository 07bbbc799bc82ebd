/**
 * With JS, an unsent message survives a send that never arrived: the session ended elsewhere (signed
 * out, password changed), the send went to the sign-in page, and after signing in the box has it back.
 */
import type { Page } from "@playwright/test";
import { endSessionsElsewhere, expect, messageBox as box, test } from "./support/composer";
import { signUp, TEST_PASSWORD, untilInteractive } from "./support/session";

async function signInAgain(page: Page, email: string) {
  await expect(page).toHaveURL(/\/login\?.*reason=revoked/);
  await untilInteractive(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

test("a new chat's unsent message is back after signing in again, and gone once sent", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  const { email } = await signedUpIn({ messages: 0 });
  await box(page).fill("A long thought I do not want to type again");
  await endSessionsElsewhere(email, baseURL!);
  await box(page).press("Enter");
  await signInAgain(page, email);
  await page.waitForURL((url) => url.pathname === "/chat");
  await untilInteractive(page);
  await expect(box(page)).toHaveValue("A long thought I do not want to type again");

  // Sent this time: the new-chat box starts empty again.
  await box(page).press("Enter");
  await page.waitForURL(/\/chat\/[a-z0-9]+/);
  await expect(page.locator(".message--user")).toContainText("A long thought I do not want to type again");
  await page.goto("/chat");
  await untilInteractive(page);
  await expect(box(page)).toHaveValue("");
});

test("a conversation's unsent message is back after signing in again, and gone once sent", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  const { email, path } = await signedUpIn({ messages: 2 });
  await box(page).fill("Line one of my answer\nand line two");
  await endSessionsElsewhere(email, baseURL!);
  await box(page).press("Enter");
  await signInAgain(page, email);
  await page.waitForURL((url) => url.pathname === path);
  await untilInteractive(page);
  await expect(box(page)).toHaveValue("Line one of my answer\nand line two");

  await box(page).press("Enter");
  await expect(page.locator(".message--user").last()).toContainText("and line two");
  await expect(page.locator('.message--assistant[data-status="complete"]').last()).toContainText("You said", {
    timeout: 15_000,
  });
  await page.reload();
  await untilInteractive(page);
  await expect(box(page)).toHaveValue("");
});

test("an unsent draft is never shown to the next person who signs in on the same tab", async ({ page, signedUpIn }) => {
  await signedUpIn({ messages: 0 });
  await box(page).fill("Something private I did not send");
  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/chat"));
  expect(await page.evaluate(() => Object.keys(window.sessionStorage).filter((key) => key.includes("draft")))).toEqual(
    [],
  );
  await signUp(page);
  await page.goto("/chat");
  await untilInteractive(page);
  await expect(box(page)).toHaveValue("");
});
