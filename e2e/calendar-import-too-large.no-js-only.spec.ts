/**
 * Without JS nothing stops a file over the import limit before it is sent (with JS the page does:
 * refusals.js-only.spec.ts). The body is over the request limit; the answer is still the calendar page,
 * on the same view and date, with the import form's message — not a bare "Request too large" page.
 */
import { expect, test } from "@playwright/test";
import { signUp } from "./support/session";

test("an .ics file over 2 MB gets the calendar page back with the import's message", async ({ page }) => {
  // Three files of 2 to 20 MB go through the browser: on a loaded machine that alone took most of a minute.
  test.slow();
  await signUp(page);
  await page.goto("/calendar?view=week&date=2026-03-05");
  expect(await page.evaluate(() => (window as unknown as { __remixRouter?: unknown }).__remixRouter)).toBeUndefined();
  await page.getByText("Import, export and subscribe").click();
  /** Imports a file of `bytes` bytes, which the page refuses (413) with the import's message. */
  const importRefused = async (name: string, bytes: number) => {
    await page
      .getByLabel(/Import an \.ics file/)
      .setInputFiles({ name, mimeType: "text/calendar", buffer: Buffer.alloc(bytes, "A") });
    const answer = page.waitForResponse((response) => response.request().method() === "POST");
    await page.getByRole("button", { name: "Import", exact: true }).click();
    expect((await answer).status()).toBe(413);
    await expect(page.getByRole("alert")).toHaveText("The file is too large: import at most 2 MB at a time.");
  };
  const restore = page.getByLabel("Also bring back events I deleted");
  await restore.check();
  // Over the import's request limit (2 MB and 16 KiB for the rest of the form).
  await importRefused("big.ics", 2_100_000);
  await expect(page.getByRole("heading", { name: "Request too large" })).toHaveCount(0);
  // The same view and date, with the form to try another file.
  const url = new URL(page.url());
  expect(url.pathname).toBe("/calendar");
  expect(url.searchParams.get("view")).toBe("week");
  expect(url.searchParams.get("date")).toBe("2026-03-05");
  await expect(page.getByLabel(/Import an \.ics file/)).toBeVisible();
  // What was chosen is shown again as it was, though the file was not read.
  await expect(restore).toBeChecked();

  // A whole year's export from a big calendar: the page is answered before the connection is cut.
  await importRefused("year.ics", 20_000_000);
  await expect(restore).toBeChecked();
  // And unticked, it comes back unticked.
  await restore.uncheck();
  await importRefused("big.ics", 2_100_000);
  await expect(restore).not.toBeChecked();
});
