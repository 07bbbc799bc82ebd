import { expect, test, type Page } from "@playwright/test";
import { icsOf, importIcs, useZone, vevent } from "./support/calendar";
import { expectNotice, signUp, untilInteractive } from "./support/session";

/** The events' starts on a calendar page: not the sharing section's (when the feed link was made). */
const starts = (page: Page) =>
  page
    .locator("main time[datetime]:not(.calendar__sharing time)")
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute("datetime")));

async function monthStarts(page: Page) {
  await page.goto("/calendar?view=month&date=2026-03-01");
  return starts(page);
}

/** The calendar's own content causes no sideways scroll (the site header is checked by its own spec). */
async function expectNoSidewaysScroll(page: Page) {
  const [scrollWidth, clientWidth] = await page.evaluate(() => {
    document.querySelector(".site-header")?.remove();
    return [document.documentElement.scrollWidth, document.documentElement.clientWidth];
  });
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
}

test.describe("calendar", () => {
  test("weekly event: all views, edit one occurrence, delete this and following, export, import elsewhere", async ({
    page,
    javaScriptEnabled,
  }) => {
    test.setTimeout(180_000);
    // With JS, markup React did not expect at hydration shows as a console error (a document's
    // occurrences are not in its hydration data: the browser reads them back from the markup).
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    await signUp(page);
    await useZone(page, "Europe/Berlin");

    await page.goto("/calendar/new?date=2026-03-02");
    await page.getByLabel("Title").fill("Team sync");
    await page.getByLabel("Start date").fill("2026-03-02");
    await page.getByLabel("Start time").fill("09:00");
    await page.getByLabel("End date").fill("2026-03-02");
    await page.getByLabel("End time").fill("09:30");
    await page.getByLabel("Time zone").selectOption("Europe/Berlin");
    await page.getByLabel("Repeats").selectOption("WEEKLY");
    await page.getByLabel("Mon", { exact: true }).check();
    await page.getByRole("button", { name: "Create event" }).click();
    await expectNotice(page, "The event has been saved.");

    // Month, week, day and agenda all show it, at 09:00 Berlin on both sides of the DST change.
    expect(await monthStarts(page)).toEqual([
      "2026-03-02T09:00:00+01:00",
      "2026-03-09T09:00:00+01:00",
      "2026-03-16T09:00:00+01:00",
      "2026-03-23T09:00:00+01:00",
      "2026-03-30T09:00:00+02:00",
    ]);
    await page.goto("/calendar");
    await expect(page.locator('.month-cell[aria-current="date"]')).toHaveCount(1);
    await page.goto("/calendar?view=week&date=2026-03-11");
    expect(await starts(page)).toEqual(["2026-03-09T09:00:00+01:00"]);
    // A document carries each occurrence once: in its markup, not again in the scripts.
    expect((await page.locator("script").allTextContents()).join("")).not.toContain("2026-03-09T09:00:00+01:00");
    await page.goto("/calendar?view=day&date=2026-03-30");
    expect(await starts(page)).toEqual(["2026-03-30T09:00:00+02:00"]);
    await page.goto("/calendar?view=agenda&date=2026-03-25");
    expect((await starts(page)).slice(0, 2)).toEqual(["2026-03-30T09:00:00+02:00", "2026-04-06T09:00:00+02:00"]);
    // Next and Previous lead on (with JS in the page, from the page data of a .data request).
    await page.goto("/calendar?view=week&date=2026-03-11");
    await page.evaluate(() => ((window as unknown as { stayedOnPage: boolean }).stayedOnPage = true));
    const pageData = javaScriptEnabled ? page.waitForRequest(/\/calendar\.data\?/) : null;
    await page.getByRole("link", { name: "Next →" }).click();
    await pageData;
    await expect(page).toHaveURL(/date=2026-03-16/);
    await expect.poll(() => starts(page)).toEqual(["2026-03-16T09:00:00+01:00"]);
    await page.getByRole("link", { name: "← Previous" }).click();
    await expect(page).toHaveURL(/date=2026-03-09/);
    await expect.poll(() => starts(page)).toEqual(["2026-03-09T09:00:00+01:00"]);
    // With JS both were navigations in the page (the document stayed); without, new documents.
    expect(await page.evaluate(() => (window as unknown as { stayedOnPage?: boolean }).stayedOnPage === true)).toBe(
      javaScriptEnabled,
    );
    expect(problems).toEqual([]);

    // Edit only the 9 March occurrence.
    await page.goto("/calendar?view=week&date=2026-03-09");
    await page.getByRole("link", { name: /Team sync/ }).click();
    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByLabel("Start time").fill("11:00");
    await page.getByLabel("End time").fill("11:30");
    await expect(page.getByLabel("This event", { exact: true })).toBeChecked();
    await page.getByRole("button", { name: "Save changes" }).click();
    await expectNotice(page, "The event has been saved.");

    // Delete the 23 March occurrence and the ones after it.
    await page.goto("/calendar?view=day&date=2026-03-23");
    await page.getByRole("link", { name: /Team sync/ }).click();
    await page.getByRole("link", { name: "Delete" }).click();
    await page.getByLabel("This and following events").check();
    await page.getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(/\/calendar\?view=week/);

    const expected = ["2026-03-02T09:00:00+01:00", "2026-03-09T11:00:00+01:00", "2026-03-16T09:00:00+01:00"];
    expect(await monthStarts(page)).toEqual(expected);

    // The series page lists its exception.
    await page.goto("/calendar?view=day&date=2026-03-02");
    await page.getByRole("link", { name: /Team sync/ }).click();
    await expect(page.getByRole("heading", { name: "Exceptions" })).toBeVisible();

    const exported = await page.request.get("/calendar/export.ics");
    expect(exported.headers()["content-type"]).toContain("text/calendar");
    const ics = await exported.text();

    // A fresh account imports the file and sees the same occurrences.
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login\?reason=signed_out/);
    await signUp(page);
    await useZone(page, "Europe/Berlin");
    await page.goto("/calendar?view=month&date=2026-03-01");
    await importIcs(page, ics, { name: "ares.ics" });
    await expect(page.getByText("Imported: 1 created, 0 updated, 0 skipped.")).toBeVisible();
    expect(await monthStarts(page)).toEqual(expected);
  });

  test("subscribes to a calendar by its address, sees its events read-only, refreshes and unsubscribes", async ({
    page,
    javaScriptEnabled,
  }) => {
    test.setTimeout(120_000);
    await signUp(page);
    await useZone(page, "Europe/Berlin");
    await page.goto("/calendar/new?date=2026-03-04");
    await page.getByLabel("Title").fill("Published talk");
    await page.getByLabel("Start date").fill("2026-03-04");
    await page.getByLabel("Start time").fill("15:00");
    await page.getByLabel("End date").fill("2026-03-04");
    await page.getByLabel("End time").fill("16:00");
    await page.getByLabel("Time zone").selectOption("Europe/Berlin");
    await page.getByRole("button", { name: "Create event" }).click();
    await expectNotice(page, "The event has been saved.");
    const ownId = new URL(page.url()).pathname.split("/").at(-1)!;
    // The calendar to subscribe to: this account's own private feed, served by ARES on 127.0.0.1.
    await page.goto("/calendar");
    await page.getByText("Import, export and subscribe").click();
    await page.getByRole("button", { name: "Create a subscription link" }).click();
    const feedUrl = (await page.locator(".feed-url").textContent())!;
    // The section stays open after the link was made.
    await page.getByRole("link", { name: /Subscribe to a calendar by its address/ }).click();

    await page.getByLabel("Name").fill("My published calendar");
    await page.getByLabel("Address (URL)").fill(feedUrl);
    await page.getByLabel("Refresh").selectOption("15");
    await page.getByRole("button", { name: "Subscribe" }).click();
    await expect(page.getByText("Last refresh: 1 created, 0 updated, 0 removed, 0 skipped.")).toBeVisible();
    await page.getByRole("button", { name: "Refresh now" }).click();
    await expect(page.getByText("Last refresh: 0 created, 1 updated, 0 removed, 0 skipped.")).toBeVisible();

    // Both copies show; the subscribed one opens read-only.
    expect(await monthStarts(page)).toEqual(["2026-03-04T15:00:00+01:00", "2026-03-04T15:00:00+01:00"]);
    await page.goto("/calendar?view=day&date=2026-03-04");
    // The subscribed copy: the link that is not to the event created above.
    await page
      .locator(`main a[href^="/calendar/events/"]:not([href*="${ownId}"])`, { hasText: "Published talk" })
      .click();
    await expect(page.getByText("From subscription")).toBeVisible();
    await expect(page.getByRole("link", { name: "Edit", exact: true })).toHaveCount(0);
    if (javaScriptEnabled) {
      // Its edit page opened in the browser (a client navigation, the 403 read from the loader's data) says
      // why, as the server's page does without JavaScript (tests/integration/calendar-subscriptions.test.ts).
      const eventPath = new URL(page.url()).pathname;
      await page.waitForFunction(() => "__remixRouter" in window);
      await page.evaluate((to) => {
        const router = (window as unknown as { __remixRouter: { navigate: (to: string) => Promise<void> } })
          .__remixRouter;
        return router.navigate(to);
      }, `${eventPath}/edit`);
      await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
      await expect(
        page.getByText("This event comes from the subscription “My published calendar”: change it in that calendar."),
      ).toBeVisible();
      await page.goBack();
      await expect(page.getByText("From subscription")).toBeVisible();
    }

    await page.getByRole("link", { name: "My published calendar" }).click();
    await page.getByRole("button", { name: "Unsubscribe" }).click();
    await expectNotice(page, "Unsubscribed: its events have been removed from your calendar.");
    expect(await monthStarts(page)).toEqual(["2026-03-04T15:00:00+01:00"]);
  });

  test("the occurrences a document shows stay as they are when the page's data is loaded again", async ({
    page,
    javaScriptEnabled,
  }) => {
    test.setTimeout(120_000);
    await signUp(page);
    // Today, in this month's view (/calendar), where the action below leads back to.
    await page.goto("/calendar/new");
    // Quotes, an apostrophe, an ampersand and a no-break space: the server's HTML must be what the
    // browser's innerHTML gives back, or React rewrites the list when the data reloads.
    await page.getByLabel("Title").fill(`Planning "review" & Bob's\u00a0notes`);
    await page.getByRole("button", { name: "Create event" }).click();
    await expectNotice(page, "The event has been saved.");
    await page.goto("/calendar");
    await untilInteractive(page);
    await expect(page.locator("a.occurrence", { hasText: 'Planning "review"' })).toBeVisible();
    const list = page.locator("ul[data-list]", { has: page.locator("a.occurrence") });
    const listHtml = await list.innerHTML();
    const occurrence = await list.locator("a.occurrence").elementHandle();
    await page.getByText("Import, export and subscribe").click();
    await page.getByRole("button", { name: "Create a subscription link" }).click();
    // The page's data again (with JS from a .data request, in the same document): the link now exists.
    await expect(page.getByText(/A private subscription link exists/)).toBeVisible();
    expect(await list.innerHTML()).toBe(listHtml);
    if (javaScriptEnabled) {
      // The document's lists were read back from its markup at hydration (listsOf), and the new page
      // data's lists are the same HTML, so React left the occurrences as they were. Read back wrongly
      // (none, or another list's), React would have replaced them and this link would be gone.
      expect(await occurrence!.evaluate((element) => element.isConnected)).toBe(true);
    }
  });

  test("import and the subscription link answer on the view and date they were used from", async ({ page }) => {
    test.setTimeout(120_000);
    await signUp(page);
    await page.goto("/calendar?view=week&date=2026-03-04");
    const weekTitle = (await page.getByRole("heading", { level: 1 }).textContent())!;
    await page.getByText("Import, export and subscribe").click();
    await page.getByRole("button", { name: "Create a subscription link" }).click();
    await expect(page.locator(".feed-url")).toBeVisible();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(weekTitle);
    await expect(page.getByRole("link", { name: "Week", exact: true })).toHaveAttribute("aria-current", "page");

    await page.goto("/calendar?view=day&date=2026-03-04");
    const dayTitle = (await page.getByRole("heading", { level: 1 }).textContent())!;
    await importIcs(page, "not a calendar", { name: "broken.ics" });
    await expect(page.getByRole("alert")).toContainText("Nothing was imported.");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(dayTitle);
  });

  test("an import leads to its report, in view on a phone; a reload shows it again without posting the file", async ({
    page,
  }) => {
    // The import answered its POST with the page: the report sat below the month, out of view on a
    // phone without JS, and a reload asked to post the file again.
    test.setTimeout(120_000);
    await page.setViewportSize({ width: 390, height: 844 });
    await signUp(page);
    await page.goto("/calendar?view=month&date=2026-03-01");
    const ics = icsOf(vevent(`prg-${Date.now()}@example.test`, "Dentist", "20260305T100000", "20260305T110000"));
    await importIcs(page, ics, { name: "one.ics" });
    await expect(page).toHaveURL(/\/calendar\?view=month&date=2026-03-01&imported=[^&#]+#import-report$/);
    const report = page.getByRole("status").filter({ hasText: "Imported: 1 created, 0 updated, 0 skipped." });
    await expect(report).toBeInViewport();
    const writes: string[] = [];
    page.on("request", (request) => {
      if (request.method() !== "GET") writes.push(`${request.method()} ${request.url()}`);
    });
    await page.reload();
    await expect(report).toBeInViewport();
    expect(writes).toEqual([]);

    // A refused file answers on the page, its message in view too.
    await importIcs(page, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), {
      name: "photo.ics",
      mimeType: "image/png",
    });
    await expect(page.getByRole("alert")).toContainText("Nothing was imported.");
    await expect(page.getByRole("alert")).toBeInViewport();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("March 2026");

    // A report no longer kept (or never mine) says so, in view, rather than showing nothing.
    await page.goto("/calendar?view=month&date=2026-03-01&imported=gone#import-report");
    const gone = page.locator("#import-report");
    await expect(gone).toHaveText("This import's report is no longer available (reports are kept for an hour).");
    await expect(gone).toBeInViewport();
  });

  test("fits a 390 px phone without sideways scrolling", async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: 390, height: 844 });
    await signUp(page);
    await page.goto("/calendar/new?date=2026-03-02");
    await page.getByLabel("Title").fill("A rather long event title that must not widen the page");
    await page.getByLabel("Repeats").selectOption("DAILY");
    await page.getByRole("button", { name: "Create event" }).click();
    await expectNotice(page, "The event has been saved.");
    for (const view of ["month", "week", "day", "agenda"]) {
      await page.goto(`/calendar?view=${view}&date=2026-03-04`);
      await expectNoSidewaysScroll(page);
    }
    await page.goto("/calendar/new");
    await expectNoSidewaysScroll(page);
  });

  test("series page: This event means the date shown; once that date is cancelled only the whole series is offered", async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await signUp(page);
    await useZone(page, "Europe/Berlin");
    await page.goto("/calendar/new?date=2026-03-02");
    await page.getByLabel("Title").fill("Series sync");
    await page.getByLabel("Start date").fill("2026-03-02");
    await page.getByLabel("Start time").fill("09:00");
    await page.getByLabel("End date").fill("2026-03-02");
    await page.getByLabel("End time").fill("09:30");
    await page.getByLabel("Time zone").selectOption("Europe/Berlin");
    await page.getByLabel("Repeats").selectOption("WEEKLY");
    await page.getByLabel("Mon", { exact: true }).check();
    await page.getByRole("button", { name: "Create event" }).click();
    await expectNotice(page, "The event has been saved.");
    const seriesPage = page.url().replace(/\?.*$/, "");

    // From the series page, "This event" is the first date (the one the page shows).
    await page.getByRole("link", { name: "Delete" }).click();
    await expect(page.getByLabel("All events")).toBeChecked();
    await page.getByLabel("This event", { exact: true }).check();
    await page.getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(/\/calendar\?view=week/);
    expect((await monthStarts(page)).slice(0, 2)).toEqual(["2026-03-09T09:00:00+01:00", "2026-03-16T09:00:00+01:00"]);

    // Now the first date is cancelled: the series page's forms act on all events and say so (its
    // "This event" gave a "page not found").
    await page.goto(seriesPage);
    await page.getByRole("link", { name: "Edit" }).click();
    await expect(
      page.getByText("Changes all events of this repeating event (its first date was cancelled)."),
    ).toBeVisible();
    await expect(page.getByLabel("This event", { exact: true })).toHaveCount(0);
    await page.getByLabel("Title").fill("Series sync renamed");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expectNotice(page, "The event has been saved.");
    await page.goto("/calendar?view=month&date=2026-03-01");
    await expect(page.getByText("Series sync renamed").first()).toBeVisible();
    expect((await starts(page)).slice(0, 2)).toEqual(["2026-03-09T09:00:00+01:00", "2026-03-16T09:00:00+01:00"]);
    await page.goto(`${seriesPage}/delete`);
    await expect(
      page.getByText("Deletes all events of this repeating event (its first date was cancelled)."),
    ).toBeVisible();
    await expect(page.getByLabel("This event", { exact: true })).toHaveCount(0);
  });
});
