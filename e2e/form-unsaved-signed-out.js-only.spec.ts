/**
 * With JS, a calendar event or a system prompt saved after the session ended elsewhere (signed out in
 * another tab, expired) went to the sign-in page and what was typed was gone. Now the form it was typed
 * into has it back once the person signs in again (the same kept cookie as without JS:
 * app/http/unsaved-form.server.ts). The text is never in the address.
 */
import { expect, test, type Page } from "@playwright/test";
import { withE2eDatabase } from "./support/admin";
import { signUp, TEST_PASSWORD, untilInteractive } from "./support/session";

async function endSessionsElsewhere(email: string, baseURL: string) {
  await withE2eDatabase(baseURL, (client) =>
    client.query(`UPDATE "Session" SET "revokedAt" = now() WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [
      email,
    ]),
  );
}

async function signInAgain(page: Page, email: string, typed: string) {
  await expect(page).toHaveURL(/\/login\?.*reason=revoked/);
  expect(page.url()).not.toContain(encodeURIComponent(typed).slice(0, 12));
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await untilInteractive(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

test("an event saved after signing out elsewhere is back in the form after signing in again", async ({
  page,
  baseURL,
}) => {
  const email = await signUp(page);
  await page.goto("/calendar/new?date=2026-03-04");
  await untilInteractive(page);
  await page.getByLabel("Title").fill("Dentist with the long name");
  await page.getByLabel("Description").fill("Bring the insurance card\nand the X-rays");
  await endSessionsElsewhere(email, baseURL!);
  await page.getByRole("button", { name: "Create event" }).click();
  await signInAgain(page, email, "Dentist with the long name");
  await expect(page).toHaveURL(/\/calendar\/new\?date=2026-03-04$/);
  await expect(page.getByLabel("Title")).toHaveValue("Dentist with the long name");
  await expect(page.getByLabel("Description")).toHaveValue("Bring the insurance card\nand the X-rays");
});

test("a system prompt saved after signing out elsewhere is back in the form after signing in again", async ({
  page,
  baseURL,
}) => {
  const email = await signUp(page);
  await page.goto("/settings/assistant");
  await untilInteractive(page);
  const prompt = "You are my terse assistant.\nAnswer in British English and never use emoji.";
  await page.getByLabel("System prompt").fill(prompt);
  // The rest of the form, typed with it, comes back with it (the stored numbers did instead).
  await page.getByLabel("Temperature (0–2)").fill("0.3");
  await page.getByLabel("Top-p (0–1)").fill("0.85");
  await page.getByLabel("Maximum reply length (tokens)").fill("2048");
  await endSessionsElsewhere(email, baseURL!);
  await page.getByRole("button", { name: "Save chat settings" }).click();
  await signInAgain(page, email, prompt);
  await expect(page).toHaveURL(/\/settings\/assistant$/);
  await expect(page.getByLabel("System prompt")).toHaveValue(prompt);
  await expect(page.getByLabel("Temperature (0–2)")).toHaveValue("0.3");
  await expect(page.getByLabel("Top-p (0–1)")).toHaveValue("0.85");
  await expect(page.getByLabel("Maximum reply length (tokens)")).toHaveValue("2048");
});

test("a memory fact added after signing out elsewhere is back in the form after signing in again", async ({
  page,
  baseURL,
}) => {
  const email = await signUp(page);
  await page.goto("/memory");
  await untilInteractive(page);
  const form = page.getByRole("form", { name: "Add a fact" });
  await form.getByLabel("Key").fill("employer");
  await form.getByLabel("Value").fill("Acme Ltd, since March");
  await endSessionsElsewhere(email, baseURL!);
  await form.getByRole("button", { name: "Add fact" }).click();
  await signInAgain(page, email, "Acme Ltd, since March");
  await expect(page).toHaveURL(/\/memory$/);
  await expect(form.getByLabel("Key")).toHaveValue("employer");
  await expect(form.getByLabel("Value")).toHaveValue("Acme Ltd, since March");
});
