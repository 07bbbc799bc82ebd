import { expect, test, type Page } from "@playwright/test";
import { icsOf, importIcs, useZone, vevent } from "./support/calendar";
import { signUp, untilInteractive } from "./support/session";

/**
 * An imported event deleted here stays deleted when its .ics file is imported again (the report says so),
 * and comes back when the import is asked to ("Also bring back events I deleted"), JS on and off.
 */

const event = (uid: string, title: string, start: string, end: string) =>
  vevent(`${uid}@deleted-here.example.test`, title, start, end);

const ICS = icsOf(
  event("dentist", "Dentist", "20260304T090000", "20260304T100000"),
  event("lunch", "Lunch", "20260304T120000", "20260304T130000"),
);

const importFile = (page: Page, bringBack = false) => importIcs(page, ICS, { bringBack });

test("an imported event deleted here is not brought back by importing its file again, unless asked to", async ({
  page,
}) => {
  await signUp(page);
  await useZone(page, "Europe/Berlin");
  await page.goto("/calendar?view=day&date=2026-03-04");
  await untilInteractive(page);
  await importFile(page);
  await expect(page.getByText("Imported: 2 created, 0 updated, 0 skipped.")).toBeVisible();

  await page.goto("/calendar?view=day&date=2026-03-04");
  await untilInteractive(page);
  await page
    .locator(".time-grid__column")
    .getByRole("link", { name: /Dentist/ })
    .click();
  await page.getByRole("link", { name: "Delete" }).click();
  await untilInteractive(page);
  await page.getByRole("button", { name: "Delete" }).click();
  await expect(page).toHaveURL(/\/calendar\?view=week&date=2026-03-04/);

  await page.goto("/calendar?view=day&date=2026-03-04");
  await untilInteractive(page);
  await importFile(page);
  await expect(
    page.getByText("Imported: 0 created, 1 updated, 1 not brought back (deleted here), 0 skipped."),
  ).toBeVisible();
  await expect(
    page.getByText(
      "Not brought back: 1 event you deleted in ARES since it was imported. To have it again, import the file with “Also bring back events I deleted” ticked.",
    ),
  ).toBeVisible();
  await expect(page.locator("#import-report li")).toHaveText(["Dentist"]);
  // What the box does is read with it: every deleted event of the file comes back, not a chosen one.
  await expect(page.getByLabel("Also bring back events I deleted")).toHaveAccessibleDescription(
    "Brings back every event of the file that you deleted here since it was imported, not just one of them.",
  );
  // Heard within the import's group, named first: the box (before the file) is known to be the import's.
  const importGroup = page.getByRole("group", { name: "Import from another calendar" });
  await expect(importGroup.getByLabel("Also bring back events I deleted")).toBeVisible();
  await expect(importGroup.getByLabel(/Import an .ics file/)).toBeVisible();
  const column = page.locator(".time-grid__column");
  await expect(column.getByRole("link", { name: /Lunch/ })).toBeVisible();
  await expect(column.getByRole("link", { name: /Dentist/ })).toHaveCount(0);

  await untilInteractive(page);
  await importFile(page, true);
  await expect(page.getByText("Imported: 1 created, 1 updated, 0 skipped.")).toBeVisible();
  await expect(column.getByRole("link", { name: /Dentist/ })).toBeVisible();
  // The form starts afresh after an import (with JS it outlives the redirect): the next import brings
  // nothing back unless asked again.
  await expect(page.getByLabel("Also bring back events I deleted")).not.toBeChecked();
  expect(
    await page.getByLabel(/Import an .ics file/).evaluate((input) => (input as HTMLInputElement).files?.length),
  ).toBe(0);
});
