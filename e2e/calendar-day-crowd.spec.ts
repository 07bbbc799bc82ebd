import { expect, test, type Page } from "@playwright/test";
import { icsOf, importIcs, useZone, vevent } from "./support/calendar";
import { signUp, untilInteractive } from "./support/session";

/**
 * The day view with more events at one time than its column has 24 px lanes for: on a 390 px phone 13 or
 * more give way to a link to the agenda from that day, as the week view's crowded days link to the day; at
 * 1280 px the column holds 14 side by side, and only a really crowded hour (50) is the link. JS on and off.
 */

const titles = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${prefix} ${String(index + 1).padStart(2, "0")}`);

const FOURTEEN = titles("Meeting", 14);
const FIFTY = titles("Crowd", 50);
const PAIR = ["Left talk", "Right talk"];

const at = (list: string[], day: string, tag: string) =>
  list.map((title, index) => vevent(`${tag}-${index}@day-crowd.example.test`, title, `${day}T100000`, `${day}T110000`));

const ICS = icsOf(
  ...at(FOURTEEN, "20260304", "fourteen"),
  ...at(FIFTY, "20260305", "fifty"),
  ...at(PAIR, "20260306", "pair"),
);

/** After sign-up in Berlin's zone: the three days' events, imported through the day view's form. */
async function importAll(page: Page): Promise<void> {
  await page.goto("/calendar?view=day&date=2026-03-04");
  await untilInteractive(page);
  await importIcs(page, ICS, { name: "crowd.ics" });
  await expect(page.getByText("Imported: 66 created, 0 updated, 0 skipped.")).toBeVisible();
}

/** Each timed event's box in the day's column, in one read (null: not rendered). */
const laneBoxes = (page: Page) =>
  page.locator(".time-grid__column > li[data-crowded] .occurrence").evaluateAll((links) =>
    links.map((link) => {
      const rect = link.getBoundingClientRect();
      return rect.width === 0 && rect.height === 0 ? null : { width: rect.width, height: rect.height };
    }),
  );

/** Each timed event's type size and its time's height (0: not shown), as the page is (printed or not). */
const printedLanes = (page: Page) =>
  page.locator(".time-grid__column > li[data-crowded] .occurrence").evaluateAll((links) =>
    links.map((link) => ({
      fontSize: parseFloat(getComputedStyle(link).fontSize),
      time: (link.querySelector("time") as HTMLElement | null)?.offsetHeight ?? 0,
    })),
  );

async function expectLinkInstead(page: Page, count: number): Promise<void> {
  const column = page.locator(".time-grid__column");
  // No lane a sliver: the events give way to one link, which says how many and when.
  expect(await laneBoxes(page)).toEqual(Array.from({ length: count }, () => null));
  const more = column.getByRole("link", { name: `${count} events, 10:00–11:00: see them in the agenda` });
  await expect(more).toBeVisible();
  const box = await more.boundingBox();
  expect(box).not.toBeNull();
  expect(box?.width).toBeGreaterThanOrEqual(24);
  expect(box?.height).toBeGreaterThanOrEqual(24);
}

test("fourteen events at one time in the day view at 390 px: a link to the agenda opens at them, each a tap target of 24 px", async ({
  page,
}) => {
  test.slow();
  await page.setViewportSize({ width: 390, height: 844 });
  await signUp(page);
  await useZone(page, "Europe/Berlin");
  await importAll(page);
  await page.goto("/calendar?view=day&date=2026-03-04");
  await untilInteractive(page);
  await expectLinkInstead(page, 14);
  // No sideways scroll on the phone.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  await page
    .locator(".time-grid__column")
    .getByRole("link", { name: /^14 events/ })
    .click();
  await expect(page).toHaveURL(/\/calendar\?view=agenda&date=2026-03-04#at-2026-03-04-/);
  // It opens at the crowd: its first event's row (the agenda's first "Meeting") at the top of the screen.
  const first = page.locator(".agenda li:has(> a.occurrence)").filter({ hasText: "Meeting" }).first();
  await expect(first).toHaveAttribute("id", /^at-2026-03-04-/);
  const id = await first.getAttribute("id");
  expect(decodeURIComponent(new URL(page.url()).hash.slice(1))).toBe(id);
  // Waited for: the browser scrolls to the fragment after the page is shown.
  const top = () => first.evaluate((row) => row.getBoundingClientRect().top);
  await expect.poll(top).toBeLessThan(60);
  await expect.poll(top).toBeGreaterThan(-2);
  const rows = await page
    .locator(".agenda")
    .getByRole("link", { name: /Meeting \d\d/ })
    .evaluateAll((links) =>
      links.map((link) => {
        const rect = link.getBoundingClientRect();
        return { title: link.textContent ?? "", width: rect.width, height: rect.height };
      }),
    );
  expect(rows).toHaveLength(14);
  for (const row of rows) {
    expect(row.width, row.title).toBeGreaterThanOrEqual(100);
    expect(row.height, row.title).toBeGreaterThanOrEqual(24);
  }
});

test("at 1280 px the day view shows fourteen events at one time side by side, and fifty as a link; printed, two keep their type and times", async ({
  page,
}) => {
  test.slow();
  await page.setViewportSize({ width: 1280, height: 844 });
  await signUp(page);
  await useZone(page, "Europe/Berlin");
  await importAll(page);

  await page.goto("/calendar?view=day&date=2026-03-04");
  await untilInteractive(page);
  const boxes = await laneBoxes(page);
  expect(boxes).toHaveLength(14);
  for (const box of boxes) {
    expect(box).not.toBeNull();
    expect(box?.width).toBeGreaterThanOrEqual(24);
  }
  await expect(page.locator(".time-grid__column").getByRole("link", { name: /^14 events/ })).toBeHidden();

  await page.goto("/calendar?view=day&date=2026-03-05");
  await untilInteractive(page);
  await expectLinkInstead(page, 50);
  // On paper the fifty print in their lanes, too narrow for the usual type: small, without their times.
  await page.emulateMedia({ media: "print" });
  const crowded = await printedLanes(page);
  expect(crowded).toHaveLength(50);
  for (const lane of crowded) {
    expect(lane.fontSize).toBeLessThan(12);
    expect(lane.time).toBe(0);
  }
  await page.emulateMedia({ media: "screen" });

  // On paper a day's two events side by side print in the usual type, with their times.
  await page.goto("/calendar?view=day&date=2026-03-06");
  await untilInteractive(page);
  await page.emulateMedia({ media: "print" });
  const printed = await printedLanes(page);
  expect(printed).toHaveLength(2);
  for (const lane of printed) {
    expect(lane.fontSize).toBeGreaterThanOrEqual(12);
    expect(lane.time).toBeGreaterThan(0);
  }
});
