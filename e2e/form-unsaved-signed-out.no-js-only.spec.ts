/**
 * Without JS, a calendar event or a memory fact saved after the session ended elsewhere (signed out in
 * another tab, expired) does not lose what was typed: the answer says it was not saved and shows the
 * typed text, to copy, with the way to sign in again (app/http/unsaved-form.server.ts). The text is
 * never in the address.
 */
import { expect, test, type Page } from "@playwright/test";
import { withE2eDatabase } from "./support/admin";
import { signUp } from "./support/session";

async function endSessionsElsewhere(email: string, baseURL: string) {
  await withE2eDatabase(baseURL, (client) =>
    client.query(`UPDATE "Session" SET "revokedAt" = now() WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [
      email,
    ]),
  );
}

async function expectTypedShownBack(page: Page, typed: Record<string, string>) {
  await expect(page.getByRole("alert")).toHaveText(
    "You were signed out before this was saved. Sign in again; here is what you typed:",
  );
  for (const [label, value] of Object.entries(typed)) {
    await expect(page.getByRole("textbox", { name: label })).toHaveValue(value);
    expect(page.url()).not.toContain(encodeURIComponent(value).slice(0, 12));
  }
  await page.getByRole("link", { name: "Sign in again" }).click();
  await expect(page).toHaveURL(/\/login\?.*reason=revoked/);
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
  await expectTypedShownBack(page, typed);
});

test("a memory fact added after signing out elsewhere is shown back, not lost", async ({ page, baseURL }) => {
  const email = await signUp(page);
  await page.goto("/memory");
  const form = page.getByRole("form", { name: "Add a fact" });
  await form.getByLabel("Key").fill("employer");
  await form.getByLabel("Value").fill("Acme Ltd, since March");
  await endSessionsElsewhere(email, baseURL!);
  await form.getByRole("button", { name: "Add fact" }).click();
  await expectTypedShownBack(page, { Key: "employer", Value: "Acme Ltd, since March" });
});
