import { expect, test } from "@playwright/test";
import { icsOf, importIcs, useZone, vevent } from "./support/calendar";
import { signUp, untilInteractive } from "./support/session";

/**
 * The day view with more events at one time than its column has 24 px lanes for (twelve at most): on a
 * 390 px phone and at 1280 px, JS on and off, each event can still be reached, through a link to the day's
 * list, as the week view's crowded days link to the day.
 */

const TITLES = Array.from({ length: 14 }, (_, index) => `Meeting ${String(index + 1).padStart(2, "0")}`);

const ICS = icsOf(
  ...TITLES.map((title, index) =>
    vevent(`crowd-${index}@day-crowd.example.test`, title, "20260304T100000", "20260304T110000"),
  ),
);

for (const width of [390, 1280]) {
  test(`fourteen events at one time in the day view at ${width} px: a link leads to each, a tap target of 24 px`, async ({
    page,
  }) => {
    await page.setViewportSize({ width, height: 844 });
    await signUp(page);
    await useZone(page, "Europe/Berlin");
    await page.goto("/calendar?view=day&date=2026-03-04");
    await untilInteractive(page);
    await importIcs(page, ICS, { name: "crowd.ics" });
    await expect(page.getByText("Imported: 14 created, 0 updated, 0 skipped.")).toBeVisible();
    await page.goto("/calendar?view=day&date=2026-03-04");
    await untilInteractive(page);

    const column = page.locator(".time-grid__column");
    // No lane a sliver: the fourteen give way to one link, which says how many and when.
    for (const title of TITLES) await expect(column.getByRole("link", { name: new RegExp(title) })).toBeHidden();
    const more = column.getByRole("link", { name: "14 events, 10:00–11:00: see them in the list" });
    await expect(more).toBeVisible();
    const box = (await more.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(24);
    expect(box.height).toBeGreaterThanOrEqual(24);
    // No sideways scroll on the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);

    await more.click();
    await expect(page).toHaveURL(/\/calendar\?view=agenda&date=2026-03-04/);
    for (const title of TITLES) {
      const link = page.locator(".agenda").getByRole("link", { name: new RegExp(title) });
      await expect(link).toBeVisible();
      const row = (await link.boundingBox())!;
      expect(row.width, title).toBeGreaterThanOrEqual(100);
      expect(row.height, title).toBeGreaterThanOrEqual(24);
    }
  });
}
