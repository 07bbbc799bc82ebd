import type { Page } from "@playwright/test";
import { expectNotice } from "./session";

/** Sets my time zone on the profile page (JS on and off), as the calendar specs start from a known zone. */
export async function useZone(page: Page, zone: string): Promise<void> {
  await page.goto("/settings/profile");
  await page.getByLabel("Time zone").selectOption(zone);
  await page.getByRole("button", { name: "Save profile" }).click();
  // The notice is a one-time cookie now, not ?saved=1 in the address.
  await expectNotice(page, "Your profile has been saved.");
}

/** A VEVENT from `start` to `end` on Berlin's clock (20260304T090000), for the specs' .ics files. */
export function vevent(uid: string, title: string, start: string, end: string): string[] {
  return [
    "BEGIN:VEVENT",
    `UID:${uid}`,
    "DTSTAMP:20260101T000000Z",
    `DTSTART;TZID=Europe/Berlin:${start}`,
    `DTEND;TZID=Europe/Berlin:${end}`,
    `SUMMARY:${title}`,
    "END:VEVENT",
  ];
}

/** An .ics file of these VEVENTs. */
export function icsOf(...events: string[][]): string {
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", ...events.flat(), "END:VCALENDAR", ""].join("\r\n");
}

/**
 * Imports an .ics file through the calendar page's form, as a person does (opening "Import, export and
 * subscribe" if it is closed), with "Also bring back events I deleted" ticked if asked; the report is the
 * caller's to check. `ics` may be any bytes, sent as `mimeType` (a file that is not a calendar).
 */
export async function importIcs(
  page: Page,
  ics: string | Buffer,
  { name = "work.ics", bringBack = false, mimeType = "text/calendar" } = {},
) {
  const details = page.locator("details.calendar__sharing");
  if (!(await details.evaluate((element) => (element as HTMLDetailsElement).open))) {
    await page.getByText("Import, export and subscribe").click();
  }
  await page.getByLabel(/Import an .ics file/).setInputFiles({ name, mimeType, buffer: Buffer.from(ics) });
  if (bringBack) await page.getByLabel("Also bring back events I deleted").check();
  await page.getByRole("button", { name: "Import", exact: true }).click();
}
