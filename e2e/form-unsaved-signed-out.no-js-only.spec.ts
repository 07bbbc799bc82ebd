/**
 * Without JS, a calendar event or a memory fact saved after the session ended elsewhere (signed out in
 * another tab, expired) does not lose what was typed: the answer says it was not saved and shows the
 * typed text, to copy, with the way to sign in again (app/http/unsaved-form.server.ts); once signed in
 * again the form it was typed into has it back. The text is never in the address.
 */
import { expect, test, type Page } from "@playwright/test";
import { withE2eDatabase } from "./support/admin";
import { signUp, TEST_PASSWORD } from "./support/session";

async function endSessionsElsewhere(email: string, baseURL: string) {
  await withE2eDatabase(baseURL, (client) =>
    client.query(`UPDATE "Session" SET "revokedAt" = now() WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [
      email,
    ]),
  );
}

/** The 401 answer shows what was typed; its link leads to signing in again, which `email` does. */
async function expectTypedShownBack(page: Page, email: string, typed: Record<string, string>) {
  await expect(page.getByRole("alert")).toHaveText(
    "You were signed out before this was saved. Sign in again and the text you typed will be back in the form; here it is:",
  );
  for (const [label, value] of Object.entries(typed)) {
    await expect(page.getByRole("textbox", { name: label })).toHaveValue(value);
    expect(page.url()).not.toContain(encodeURIComponent(value).slice(0, 12));
  }
  await page.getByRole("link", { name: "Sign in again" }).click();
  await expect(page).toHaveURL(/\/login\?.*reason=revoked/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

test("an event saved after signing out elsewhere is shown back, not lost", async ({ page, baseURL }) => {
  const email = await signUp(page);
  await page.goto("/calendar/new?date=2026-03-04");
  const typed = {
    Title: "Dentist with the long name",
    Location: "Harbour Street 12",
    Description: "Bring the insurance card\nand the X-rays",
  };
  for (const [label, value] of Object.entries(typed)) await page.getByLabel(label).fill(value);
  await endSessionsElsewhere(email, baseURL!);
  await page.getByRole("button", { name: "Create event" }).click();
  await expectTypedShownBack(page, email, typed);
  // Back on the form, with what was typed in it; shown once (a reload has the empty form).
  await expect(page).toHaveURL(/\/calendar\/new\?date=2026-03-04$/);
  for (const [label, value] of Object.entries(typed)) await expect(page.getByLabel(label)).toHaveValue(value);
  await page.reload();
  await expect(page.getByLabel("Title")).toHaveValue("");
});

test("a memory fact added after signing out elsewhere is shown back, not lost", async ({ page, baseURL }) => {
  const email = await signUp(page);
  await page.goto("/memory");
  const form = page.getByRole("form", { name: "Add a fact" });
  await form.getByLabel("Key").fill("employer");
  await form.getByLabel("Value").fill("Acme Ltd, since March");
  await endSessionsElsewhere(email, baseURL!);
  await form.getByRole("button", { name: "Add fact" }).click();
  await expectTypedShownBack(page, email, { Key: "employer", Value: "Acme Ltd, since March" });
  await expect(page).toHaveURL(/\/memory$/);
  await expect(form.getByLabel("Key")).toHaveValue("employer");
  await expect(form.getByLabel("Value")).toHaveValue("Acme Ltd, since March");
});

test("a system prompt saved after signing out elsewhere is shown back, not lost", async ({ page, baseURL }) => {
  // Up to 8,000 characters written with care: it went to the sign-in page and was gone.
  const email = await signUp(page);
  await page.goto("/settings/assistant");
  const prompt = "You are my terse assistant.\nAnswer in British English and never use emoji.";
  await page.getByLabel("System prompt").fill(prompt);
  // The rest of the form, typed with it, comes back with it (the stored numbers did instead).
  await page.getByLabel("Temperature (0–2)").fill("0.3");
  await page.getByLabel("Top-p (0–1)").fill("0.85");
  await page.getByLabel("Maximum reply length (tokens)").fill("2048");
  await endSessionsElsewhere(email, baseURL!);
  await page.getByRole("button", { name: "Save chat settings" }).click();
  await expectTypedShownBack(page, email, { "System prompt": prompt });
  await expect(page).toHaveURL(/\/settings\/assistant$/);
  await expect(page.getByLabel("System prompt")).toHaveValue(prompt);
  await expect(page.getByLabel("Temperature (0–2)")).toHaveValue("0.3");
  await expect(page.getByLabel("Top-p (0–1)")).toHaveValue("0.85");
  await expect(page.getByLabel("Maximum reply length (tokens)")).toHaveValue("2048");
  // Shown once: a reload has the stored prompt (the default, nothing was saved).
  await page.reload();
  await expect(page.getByLabel("System prompt")).not.toHaveValue(prompt);
});
