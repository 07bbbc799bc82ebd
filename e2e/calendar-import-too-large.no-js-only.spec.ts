/**
 * Without JS nothing stops a file over the import limit before it is sent (with JS the page does:
 * refusals.js-only.spec.ts). The body is over the request limit; the answer is still the calendar page,
 * on the same view and date, with the import form's message — not a bare "Request too large" page.
 */
import { expect, test } from "@playwright/test";
import { signUp } from "./support/session";

test("an .ics file over 2 MB gets the calendar page back with the import's message and the choice made", async ({
  page,
}) => {
  await signUp(page);
  await page.goto("/calendar?view=week&date=2026-03-05");
  expect(await page.evaluate(() => (window as unknown as { __remixRouter?: unknown }).__remixRouter)).toBeUndefined();
  await page.getByText("Import, export and subscribe").click();
  // Over the import's request limit (2 MB and 16 KiB for the rest of the form).
  await page
    .getByLabel(/Import an \.ics file/)
    .setInputFiles({ name: "big.ics", mimeType: "text/calendar", buffer: Buffer.alloc(2_100_000, "A") });
  await page.getByLabel("Also bring back events I deleted").check();
  const answer = page.waitForResponse((response) => response.request().method() === "POST");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  expect((await answer).status()).toBe(413);
  await expect(page.getByRole("alert")).toHaveText("The file is too large: import at most 2 MB at a time.");
  await expect(page.getByRole("heading", { name: "Request too large" })).toHaveCount(0);
  // The same view and date, with the form to try another file.
  const url = new URL(page.url());
  expect(url.pathname).toBe("/calendar");
  expect(url.searchParams.get("view")).toBe("week");
  expect(url.searchParams.get("date")).toBe("2026-03-05");
  await expect(page.getByLabel(/Import an \.ics file/)).toBeVisible();
  // The box the person ticked is ticked still (it is sent before the file, and read from a refused post).
  await expect(page.getByLabel("Also bring back events I deleted")).toBeChecked();

  // A whole year's export from a big calendar: the page is answered before the connection is cut.
  await page
    .getByLabel(/Import an \.ics file/)
    .setInputFiles({ name: "year.ics", mimeType: "text/calendar", buffer: Buffer.alloc(20_000_000, "A") });
  await page.getByLabel("Also bring back events I deleted").uncheck();
  const second = page.waitForResponse((response) => response.request().method() === "POST");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  expect((await second).status()).toBe(413);
  await expect(page.getByRole("alert")).toHaveText("The file is too large: import at most 2 MB at a time.");
  await expect(page.getByLabel("Also bring back events I deleted")).not.toBeChecked();
});
