import { expect, test, type Page } from "@playwright/test";
import { icsOf, importIcs, useZone, vevent } from "./support/calendar";
import { signUp, untilInteractive } from "./support/session";

/**
 * The week view on a 390 px phone (JS on and off): events at the same time shared a day column a
 * seventh of the screen wide, each a strip 13 px wide (a tap target must be 24 × 24 CSS px, WCAG 2.5.8).
 */

const event = (uid: string, title: string, start: string, end: string) =>
  vevent(`${uid}@overlap.example.test`, title, start, end);

/**
 * Three events at 10:00 on Wednesday 4 March 2026, between breakfast and lunch, and one alone at 15:00
 * the day after.
 */
const ICS = icsOf(
  event("breakfast", "Breakfast", "20260304T080000", "20260304T090000"),
  event("lunch", "Lunch", "20260304T120000", "20260304T130000"),
  event("standup", "Standup", "20260304T100000", "20260304T110000"),
  event("review", "Review", "20260304T100000", "20260304T110000"),
  event("call", "Call", "20260304T100000", "20260304T103000"),
  event("alone", "Dentist", "20260305T150000", "20260305T160000"),
);

async function importThem(page: Page) {
  await page.goto("/calendar?view=week&date=2026-03-04");
  await untilInteractive(page);
  await importIcs(page, ICS, { name: "overlap.ics" });
  await expect(page.getByText("Imported: 6 created, 0 updated, 0 skipped.")).toBeVisible();
}

/** The shown links in Wednesday's column, with their boxes. */
async function wednesdayLinks(page: Page) {
  const column = page.locator(".time-grid__column").nth(2);
  const boxes = [];
  for (const link of await column.locator("a").all()) {
    const box = await link.boundingBox();
    if (box && box.width > 1 && box.height > 1) boxes.push({ text: (await link.innerText()).trim(), box, link });
  }
  return boxes;
}

test("three events at one time in the week view are tap targets of 24 × 24 px, and a link leads to all of them", async ({
  page,
}) => {
  await signUp(page);
  await useZone(page, "Europe/Berlin");
  await importThem(page);
  await page.goto("/calendar?view=week&date=2026-03-04");
  await untilInteractive(page);

  const shown = await wednesdayLinks(page);
  expect(shown.length).toBeGreaterThan(0);
  for (const { text, box } of shown) {
    expect(box.width, `${text}: ${box.width} × ${box.height}`).toBeGreaterThanOrEqual(24);
    expect(box.height, `${text}: ${box.width} × ${box.height}`).toBeGreaterThanOrEqual(24);
  }
  // Every event is reachable: shown itself, or counted in a link to the day, where each has room.
  const more = page
    .locator(".time-grid__column")
    .nth(2)
    .getByRole("link", { name: "3 events, 10:00–11:00: see them in the day view" });
  await expect(more).toBeVisible();
  await expect(more).toHaveText(/3/);
  // Read (and tabbed through) in the day's order: the link to the three comes just before them, after
  // breakfast and before lunch, not after the whole day.
  const order = await page
    .locator(".time-grid__column")
    .nth(2)
    .locator(":scope > li")
    .evaluateAll((items) =>
      items.map((item) => (item.classList.contains("time-grid__crowd") ? "link to the day" : (item.textContent ?? ""))),
    );
  expect(order).toHaveLength(6);
  expect(order[0]).toContain("Breakfast");
  expect(order[1]).toBe("link to the day");
  expect(order.slice(2, 5).map((text) => ["Standup", "Review", "Call"].find((title) => text.includes(title)))).toEqual(
    expect.arrayContaining(["Standup", "Review", "Call"]),
  );
  expect(order[5]).toContain("Lunch");
  await page
    .locator(".time-grid__column")
    .nth(2)
    .getByRole("link", { name: /Breakfast/ })
    .focus();
  await page.keyboard.press("Tab");
  await expect(more).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.locator(".time-grid__column").nth(2).getByRole("link", { name: /Lunch/ })).toBeFocused();
  // The lone event the day after keeps its own link, with its title.
  await expect(
    page
      .locator(".time-grid__column")
      .nth(3)
      .getByRole("link", { name: /Dentist/ }),
  ).toBeVisible();

  await more.click();
  await expect(page).toHaveURL(/\/calendar\?view=day&date=2026-03-04/);
  for (const title of ["Standup", "Review", "Call"]) {
    const link = page.locator(".time-grid__column").getByRole("link", { name: new RegExp(title) });
    await expect(link).toBeVisible();
    const box = (await link.boundingBox())!;
    expect(box.width, title).toBeGreaterThanOrEqual(24);
    expect(box.height, title).toBeGreaterThanOrEqual(24);
  }
});
