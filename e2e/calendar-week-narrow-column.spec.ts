import { expect, test, type Locator, type Page } from "@playwright/test";
import { icsOf, importIcs, useZone, vevent } from "./support/calendar";
import { signUp, untilInteractive } from "./support/session";

/**
 * The week view on a 1280 px laptop at 200 % zoom (a 640 px wide desktop layout, JS on and off): its day
 * columns are a phone's width, but the phone's rule (a viewport media query) did not apply, so five events
 * at one time were lanes 16 px wide. Whether a crowd's lanes have room now follows the column's width.
 */
test.use({ viewport: { width: 640, height: 800 }, deviceScaleFactor: 2 });

const event = (uid: string, title: string, start: string, end: string) =>
  vevent(`${uid}@narrow.example.test`, title, start, end);

const FIVE = ["Standup", "Review", "Call", "Planning", "Retro"];

/** Five events at 10:00 on Wednesday 4 March 2026; two side by side at 15:00 on Thursday. */
const ICS = icsOf(
  ...FIVE.map((title) => event(title.toLowerCase(), title, "20260304T100000", "20260304T110000")),
  event("dentist", "Dentist", "20260305T150000", "20260305T160000"),
  event("phone", "Phone call", "20260305T150000", "20260305T160000"),
);

/** The links shown in a day column, with their boxes. */
async function shownLinks(column: Locator) {
  const shown = [];
  for (const link of await column.locator("a").all()) {
    const box = await link.boundingBox();
    if (box && box.width > 1 && box.height > 1) shown.push({ text: (await link.innerText()).trim(), box });
  }
  return shown;
}

async function expectTapTargets(page: Page) {
  for (const column of await page.locator(".time-grid__column").all()) {
    for (const { text, box } of await shownLinks(column)) {
      expect(box.width, `${text}: ${box.width} × ${box.height}`).toBeGreaterThanOrEqual(24);
      expect(box.height, `${text}: ${box.width} × ${box.height}`).toBeGreaterThanOrEqual(24);
    }
  }
}

test("in a narrow day column of a desktop week, no event lane is under 24 px and every event stays reachable", async ({
  page,
}) => {
  await signUp(page);
  await useZone(page, "Europe/Berlin");
  await page.goto("/calendar?view=week&date=2026-03-04");
  await untilInteractive(page);
  await importIcs(page, ICS, { name: "narrow.ics" });
  await expect(page.getByText("Imported: 7 created, 0 updated, 0 skipped.")).toBeVisible();
  await page.goto("/calendar?view=week&date=2026-03-04");
  await untilInteractive(page);

  const wednesday = page.locator(".time-grid__column").nth(2);
  const columnWidth = (await wednesday.boundingBox())!.width;
  // The case at hand: a column narrower than five 26 px lanes, in a window wider than the phone layout's.
  expect(columnWidth).toBeLessThan(5 * 26);
  await expectTapTargets(page);

  // Five at once do not fit: one link to the day takes their place.
  const more = wednesday.getByRole("link", { name: "5 events, 10:00–11:00: see them in the day view" });
  await expect(more).toBeVisible();
  for (const title of FIVE) await expect(wednesday.getByRole("link", { name: new RegExp(title) })).toBeHidden();
  // Two do (each lane over 24 px): they stay themselves, with no link in their place.
  const thursday = page.locator(".time-grid__column").nth(3);
  for (const title of ["Dentist", "Phone call"]) {
    await expect(thursday.getByRole("link", { name: new RegExp(title) })).toBeVisible();
  }
  await expect(thursday.getByRole("link", { name: /see them in the day view/ })).toBeHidden();

  // Printed, the week shows every event in its lane, not the crowd's link (a bare number on paper).
  await page.emulateMedia({ media: "print" });
  for (const title of FIVE) await expect(wednesday.getByRole("link", { name: new RegExp(title) })).toBeVisible();
  await expect(more).toBeHidden();
  for (const title of ["Dentist", "Phone call"]) {
    await expect(thursday.getByRole("link", { name: new RegExp(title) })).toBeVisible();
  }
  await page.emulateMedia({ media: "screen" });
  await expect(more).toBeVisible();

  await more.click();
  await expect(page).toHaveURL(/\/calendar\?view=day&date=2026-03-04/);
  await expectTapTargets(page);
  for (const title of FIVE) {
    await expect(page.locator(".time-grid__column").getByRole("link", { name: new RegExp(title) })).toBeVisible();
  }
});
