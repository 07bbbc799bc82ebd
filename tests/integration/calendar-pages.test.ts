/**
 * The calendar over real HTTP as a browser without JavaScript uses it: views, forms that post and
 * redirect, validation messages with the input kept, scoped edits and deletes, and 404 for anyone else.
 */
import { describe, expect, it } from "vitest";
import { MAX_IMPORT_EVENTS } from "~/calendar/import-limits";
import { prisma } from "~/db/db.server";
import { type Client, serverForThisFile, signedUp } from "../support/app-server";
import { browserClient } from "../support/cookie-jar";

const server = serverForThisFile({
  SESSION_SECRET: "calendar-pages-test-session-secret-0123456789",
  RATE_LIMIT_READ_PER_MINUTE: "0",
  RATE_LIMIT_WRITE_PER_MINUTE: "0",
});

let counter = 0;
async function person(timeZone = "Europe/Berlin"): Promise<{ client: Client; email: string }> {
  const email = `cal-${++counter}-${Math.random().toString(36).slice(2, 6)}@example.test`;
  const client = await signedUp(server.url, email, { name: "Cal" });
  await prisma.user.update({ where: { email }, data: { timeZone } });
  return { client, email };
}

const weeklyStandup = {
  title: "Standup",
  startDate: "2026-03-02",
  startTime: "09:00",
  endDate: "2026-03-02",
  endTime: "09:30",
  timeZone: "Europe/Berlin",
  location: "Room 1",
  description: "",
  repeat: "WEEKLY",
  interval: "1",
  weekdays: "MO",
  monthlyBy: "date",
  ends: "never",
  until: "",
  count: "",
  reminders: "10, 60",
};

async function create(client: Client, fields: Record<string, string> = weeklyStandup): Promise<string> {
  const response = await client.post("/calendar/new", fields);
  expect(response.status).toBe(302);
  const location = response.headers.get("location")!;
  // "Saved" rides in a one-time notice cookie, not in the address (app/http/notice.server.ts).
  expect(location).toMatch(/^\/calendar\/events\/[^/?]+$/);
  return location.split("/").at(-1)!.split("?")[0]!;
}

/** What the page says at an import's address whose report is gone (expired, or not mine). */
const GONE = "This import&#x27;s report is no longer available (reports are kept for an hour).";

/**
 * An import's answer, followed as a browser does: a redirect to the calendar at the import's report
 * (Post/Redirect/Get, so a reload shows the report again rather than posting the file again).
 */

async function reportOf(client: Client, imported: Response): Promise<string> {
  expect(imported.status).toBe(303);
  const location = imported.headers.get("location")!;
  expect(location).toMatch(/^\/calendar\?(.+&)?imported=[^&#]+#import-report$/);
  const page = await client.get(location);
  expect(page.status).toBe(200);
  return page.text();
}

/** A VEVENT of an .ics file, 09:00–10:00 in Berlin on `start` (YYYYMMDD), with any further lines. */
function vevent(uid: string, title: string, start: string, extra: string[] = []): string[] {
  return [
    "BEGIN:VEVENT",
    `UID:${uid}`,
    "DTSTAMP:20260101T000000Z",
    `DTSTART;TZID=Europe/Berlin:${start}T090000`,
    `DTEND;TZID=Europe/Berlin:${start}T100000`,
    `SUMMARY:${title}`,
    ...extra,
    "END:VEVENT",
  ];
}

/** An .ics file of these VEVENTs. */
function icsFile(...vevents: string[][]): string {
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", ...vevents.flat(), "END:VCALENDAR", ""].join("\r\n");
}

/** Posts the import form as a browser does (multipart), with "Also bring back events I deleted" ticked or not. */
function importIcs(client: Client, content: string, restoreDeleted = false): Promise<Response> {
  const form = new FormData();
  form.set("intent", "import");
  form.set("file", new File([content], "work.ics", { type: "text/calendar" }));
  // A ticked checkbox sends "on"; an unticked one sends nothing.
  if (restoreDeleted) form.set("restoreDeleted", "on");
  return client.get("/calendar?index", { method: "POST", body: form });
}

const FEED_URL_G = /http:\/\/[^<"\\\s]+\/calendar\/feed\/[A-Za-z0-9_-]{43}\.ics/g;

/** Makes a new feed link as a browser does (post, follow the redirect) and returns its address. */
async function newFeedLink(client: Client): Promise<string> {
  const made = await client.post("/calendar?index", { intent: "feed-create" });
  expect(made.status).toBe(303);
  const html = await (await client.get(made.headers.get("location")!)).text();
  return html.match(FEED_URL_G)?.[0] ?? "";
}

/**
 * What a browser without JavaScript sends from the form `formId` on the page as rendered (text, hidden,
 * date, time and number inputs, checked boxes and radios, selected options, textareas); one value a name.
 */
function formValues(html: string, formId: string): Record<string, string> {
  const form = new RegExp(`<form[^>]*id="${formId}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1] ?? "";
  const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
  const text = (value: string) =>
    value
      .replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
  const values: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input[^>]*>/g)) {
    const name = attr(tag, "name");
    const type = attr(tag, "type") ?? "text";
    if (!name || type === "submit") continue;
    if ((type === "checkbox" || type === "radio") && !/\schecked=""/.test(tag)) continue;
    values[name] = text(attr(tag, "value") ?? (type === "checkbox" ? "on" : ""));
  }
  for (const [, open, body] of form.matchAll(/<select([^>]*)>([\s\S]*?)<\/select>/g)) {
    const name = attr(open!, "name");
    const options = [...body!.matchAll(/<option([^>]*)>/g)].map((match) => match[1]!);
    const chosen = options.find((option) => /\sselected=""/.test(option)) ?? options[0];
    if (name && chosen) values[name] = text(attr(chosen, "value") ?? "");
  }
  for (const [, open, body] of form.matchAll(/<textarea([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const name = attr(open!, "name");
    if (name) values[name] = text(body!.replace(/^\n/, ""));
  }
  return values;
}

const datetimes = (html: string) => [...html.matchAll(/<time[^>]*dateTime="([^"]+)"/gi)].map((match) => match[1]);

/** The version an edit page's form carries (the hidden field a save is checked against). */
const versionOf = (html: string) => /<input type="hidden" name="version" value="([^"]+)"\/>/.exec(html)?.[1];

/**
 * Posts to an event's edit or delete address as its page's form does: with the version the page gives
 * now, unless the test sends its own (an edit or delete without one is refused).
 */
async function postAsPage(client: Client, path: string, body: Record<string, string>): Promise<Response> {
  if ("version" in body) return client.post(path, body);
  const eventId = /^\/calendar\/events\/([^/?]+)\//.exec(path)?.[1];
  const page = await client.get(`/calendar/events/${eventId}/edit`);
  const version = page.status === 200 ? versionOf(await page.text()) : undefined;
  return client.post(path, version ? { ...body, version } : body);
}

describe("calendar pages without JavaScript", () => {
  it("shows a weekly event in month, week, day and agenda with full ISO date-times", async () => {
    const { client } = await person();
    await create(client);
    const month = await (await client.get("/calendar?view=month&date=2026-03-15")).text();
    expect(datetimes(month)).toEqual(
      expect.arrayContaining([
        "2026-03-02T09:00:00+01:00",
        "2026-03-09T09:00:00+01:00",
        "2026-03-16T09:00:00+01:00",
        "2026-03-23T09:00:00+01:00",
        "2026-03-30T09:00:00+02:00",
      ]),
    );
    expect(month).toContain("March 2026");
    expect(month).toMatch(/aria-label="Week 10"/);
    const week = await (await client.get("/calendar?view=week&date=2026-03-31")).text();
    expect(datetimes(week)).toEqual(["2026-03-30T09:00:00+02:00"]);
    const day = await (await client.get("/calendar?view=day&date=2026-03-30")).text();
    expect(datetimes(day)).toEqual(["2026-03-30T09:00:00+02:00"]);
    expect(datetimes(await (await client.get("/calendar?view=day&date=2026-03-31")).text())).toEqual([]);
    const agenda = await (await client.get("/calendar?view=agenda&date=2026-03-20")).text();
    expect(datetimes(agenda)).toEqual([
      "2026-03-23T09:00:00+01:00",
      "2026-03-30T09:00:00+02:00",
      "2026-04-06T09:00:00+02:00",
      "2026-04-13T09:00:00+02:00",
    ]);
    expect(agenda).toContain("Room 1");

    // With JS, Remix looks each event's address up once: one occurrence per event carries data-discover.
    const discovering = (html: string) =>
      [...html.matchAll(/<a href="(\/calendar\/events\/[^"?]+)[^"]*" data-discover="true"/g)].map((match) => match[1]);
    const occurrences = [...month.matchAll(/<a href="\/calendar\/events\//g)].length;
    expect(occurrences).toBeGreaterThanOrEqual(5);
    expect(discovering(month)).toEqual([expect.stringMatching(/^\/calendar\/events\/[^/]+$/)]);
    expect(discovering(agenda)).toHaveLength(1);
  });

  it("links previous, next and today; marks today; tolerates a bad view or date", async () => {
    const { client } = await person("Pacific/Auckland");
    const page = await (await client.get("/calendar?view=week&date=2026-01-01")).text();
    expect(page).toContain('href="/calendar?view=week&amp;date=2025-12-22"');
    expect(page).toContain('href="/calendar?view=week&amp;date=2026-01-05"');
    const todayResponse = await client.get("/calendar?view=nonsense&date=2026-02-31");
    expect(todayResponse.status).toBe(200);
    expect(await todayResponse.text()).toContain('aria-current="date"');
  });

  it("shows the first or last day events may have for a date beyond the years it keeps", async () => {
    const { client } = await person();
    // Each of these answered 500: the view's window reached years the database cannot hold.
    for (const [query, title] of [
      ["view=month&date=0000-01-01", "<h1>January 1900</h1>"],
      ["view=day&date=9999-12-31", "<h1>Wednesday, 31 December 2200</h1>"],
      ["view=agenda&date=9999-12-31", "<h1>Wed 31 Dec – Thu 29 Jan 2201</h1>"],
      ["view=week&date=1899-12-31", "<h1>Week 1: Mon 1 Jan – Sun 7 Jan 1900</h1>"],
    ] as const) {
      const response = await client.get(`/calendar?${query}`);
      expect(response.status, query).toBe(200);
      expect(await response.text(), query).toContain(title);
    }
    // At the edges, no link that would lead back to the same page.
    const last = await (await client.get("/calendar?view=month&date=2200-12-01")).text();
    expect(last).toContain('rel="prev"');
    expect(last).not.toContain('rel="next"');
    const first = await (await client.get("/calendar?view=month&date=1900-01-01")).text();
    expect(first).not.toContain('rel="prev"');
    expect(first).toContain('rel="next"');
    // An agenda a few days into 1900 pages back to its first day, not past it.
    const agenda = await (await client.get("/calendar?view=agenda&date=1900-01-10")).text();
    expect(agenda).toMatch(/<a rel="prev"[^>]* href="\/calendar\?view=agenda&amp;date=1900-01-01">/);
  });

  it("shows +N more in a crowded month cell", async () => {
    const { client } = await person();
    for (const hour of ["08", "10", "12", "14", "16"]) {
      await create(client, {
        ...weeklyStandup,
        title: `Busy ${hour}`,
        repeat: "none",
        startDate: "2026-05-05",
        endDate: "2026-05-05",
        startTime: `${hour}:00`,
        endTime: `${hour}:30`,
      });
    }
    const month = await (await client.get("/calendar?view=month&date=2026-05-01")).text();
    expect(month).toMatch(/<a [^>]*href="\/calendar\?view=day&amp;date=2026-05-05"[^>]*>\+3 more<\/a>/);
    const day = await (await client.get("/calendar?view=day&date=2026-05-05")).text();
    expect(datetimes(day)).toHaveLength(5);
  });

  it("refuses bad input with messages and keeps what was typed", async () => {
    const { client } = await person();
    const response = await client.post("/calendar/new", {
      ...weeklyStandup,
      title: "Kept title",
      endTime: "08:00",
      timeZone: "Mars/Olympus",
      ends: "count",
      count: "0",
    });
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain("The end cannot be before the start.");
    expect(page).toContain("Choose a time zone from the list");
    expect(page).toContain("Choose between 1 and 1000 times.");
    expect(page).toContain('value="Kept title"');
    expect(await prisma.event.count({ where: { title: "Kept title" } })).toBe(0);
  });

  it("takes a repeat count typed as plain digits only: 0x5 is not read as 5", async () => {
    const { client } = await person();
    const response = await client.post("/calendar/new", {
      ...weeklyStandup,
      title: "Hex count",
      ends: "count",
      count: "0x5",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Enter a whole number.");
    expect(await prisma.event.count({ where: { title: "Hex count" } })).toBe(0);
  });

  it("refuses an end beyond the years it keeps (it answered 500) and takes an event that lasts no time", async () => {
    const { client } = await person();
    const far = await client.post("/calendar/new", { ...weeklyStandup, repeat: "none", endDate: "9999-12-31" });
    expect(far.status).toBe(400);
    expect(await far.text()).toContain("Choose a date between 1900 and 2200.");
    // An instant, as iCalendar files have them (and an imported one can then be edited).
    await create(client, { ...weeklyStandup, repeat: "none", title: "Instant", endTime: weeklyStandup.startTime });
    expect(await prisma.event.count({ where: { title: "Instant" } })).toBe(1);
  });

  it("edits one occurrence, deletes this and following, and lists the exceptions", async () => {
    const { client } = await person();
    const id = await create(client);
    const edit = await client.get(`/calendar/events/${id}/edit?occurrence=2026-03-16T09:00`);
    const editPage = await edit.text();
    expect(editPage).toContain('value="2026-03-16"');
    expect(editPage).toContain("This and following events");
    const saved = await postAsPage(client, `/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      title: "Standup at noon",
      startDate: "2026-03-16",
      endDate: "2026-03-16",
      startTime: "12:00",
      endTime: "12:30",
      occurrence: "2026-03-16T09:00",
      scope: "this",
    });
    expect(saved.status).toBe(302);
    const deleted = await postAsPage(client, `/calendar/events/${id}/delete`, {
      occurrence: "2026-03-23T09:00",
      scope: "following",
    });
    expect(deleted.status).toBe(302);
    const month = await (await client.get("/calendar?view=month&date=2026-03-01")).text();
    expect(datetimes(month)).toEqual([
      "2026-03-02T09:00:00+01:00",
      "2026-03-09T09:00:00+01:00",
      "2026-03-16T12:00:00+01:00",
    ]);
    const details = await (await client.get(`/calendar/events/${id}`)).text();
    expect(details).toContain("Exceptions");
    expect(details.replaceAll("<!-- -->", "")).toContain(
      'Changed: <time dateTime="2026-03-16T09:00:00+01:00">16 Mar 2026, 09:00</time>',
    );
  });

  it("says when a series' changed and cancelled dates were on the viewer's clock, not the event's zone", async () => {
    // The standup is at 09:00 in Berlin (UTC+1 in March): 17:00 in Tokyo.
    const { client } = await person("Asia/Tokyo");
    const id = await create(client);
    const saved = await postAsPage(client, `/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      title: "Standup at noon",
      startDate: "2026-03-16",
      endDate: "2026-03-16",
      startTime: "12:00",
      endTime: "12:30",
      occurrence: "2026-03-16T09:00",
      scope: "this",
    });
    expect(saved.status).toBe(302);
    const deleted = await postAsPage(client, `/calendar/events/${id}/delete`, {
      occurrence: "2026-03-23T09:00",
      scope: "this",
    });
    expect(deleted.status).toBe(302);
    const override = await prisma.event.findFirstOrThrow({ where: { seriesId: id } });
    const read = async (path: string) => (await (await client.get(path)).text()).replaceAll("<!-- -->", "");

    const changed = await read(`/calendar/events/${override.id}`);
    expect(changed).toContain('(originally <time dateTime="2026-03-16T17:00:00+09:00">16 Mar 2026, 17:00</time>)');
    expect(changed).not.toContain("2026-03-16 09:00");
    const series = await read(`/calendar/events/${id}`);
    expect(series).toContain('Changed: <time dateTime="2026-03-16T17:00:00+09:00">16 Mar 2026, 17:00</time> → ');
    expect(series).toContain('<time dateTime="2026-03-16T20:00:00+09:00">16 Mar 2026, 20:00</time> Standup at noon');
    expect(series).toContain('Cancelled: <time dateTime="2026-03-23T17:00:00+09:00">23 Mar 2026, 17:00</time>');
  });

  it("fills a date's edit form with its earlier change, so saving it again keeps that change", async () => {
    const { client } = await person();
    const id = await create(client);
    const date = "2026-03-16T09:00";
    const changed = {
      ...weeklyStandup,
      title: "Standup with the board",
      startDate: "2026-03-16",
      endDate: "2026-03-16",
      startTime: "11:00",
      endTime: "12:15",
      location: "Board room",
      description: "Bring the figures",
      reminders: "5",
      occurrence: date,
      scope: "this",
    };
    const first = await postAsPage(client, `/calendar/events/${id}/edit`, changed);
    expect(first.status).toBe(302);
    const overrideId = first.headers.get("location")!.split("/").at(-1)!.split("?")[0]!;
    const stored = await prisma.event.findUniqueOrThrow({ where: { id: overrideId } });
    // The date's "This event" edit (the series' page for that date) shows the change, not the series' values.
    const page = await (await client.get(`/calendar/events/${id}/edit?occurrence=${date}`)).text();
    const shown = formValues(page, "edit-event");
    expect(shown).toMatchObject({
      title: "Standup with the board",
      startDate: "2026-03-16",
      startTime: "11:00",
      endDate: "2026-03-16",
      endTime: "12:15",
      location: "Board room",
      description: "Bring the figures",
      reminders: "5",
      occurrence: date,
      scope: "this",
    });
    expect(page).toContain(`href="/calendar/events/${overrideId}"`);
    // Filled with the change, the form saves only that date: "All events" would carry the change's
    // differences from the series (its time, place, notes) to every date. The series is changed from its own form.
    for (const ownChangeForm of [page, await (await client.get(`/calendar/events/${overrideId}/edit`)).text()]) {
      expect(ownChangeForm).not.toMatch(/name="scope" value="(all|following)"/);
      expect(ownChangeForm).toContain(`href="/calendar/events/${id}/edit"`);
    }
    // That date's page on the series (a calendar loaded before the change links there) is the change's own.
    const details = await client.get(`/calendar/events/${id}?occurrence=${date}`);
    expect(details.status).toBe(302);
    expect(details.headers.get("location")).toBe(`/calendar/events/${overrideId}`);
    // And its delete page: the change's own, which names it as it is now.
    const deletePage = await client.get(`/calendar/events/${id}/delete?occurrence=${date}`);
    expect(deletePage.status).toBe(302);
    expect(deletePage.headers.get("location")).toBe(`/calendar/events/${overrideId}/delete`);
    // Saved as shown (nothing changed): the earlier change is still there.
    const again = await postAsPage(client, `/calendar/events/${id}/edit`, shown);
    expect(again.status).toBe(302);
    expect(await prisma.event.findUniqueOrThrow({ where: { id: overrideId } })).toMatchObject({
      title: stored.title,
      startLocal: "2026-03-16T11:00",
      endLocal: "2026-03-16T12:15",
      location: "Board room",
      description: "Bring the figures",
      reminders: [5],
    });
    expect(await prisma.event.count({ where: { seriesId: id } })).toBe(1);
  });

  it("opens the event itself for an empty ?occurrence= (the event page answered 500) and 404 for a start it lacks", async () => {
    const { client } = await person();
    const id = await create(client);
    for (const page of ["", "/edit", "/delete"]) {
      for (const query of ["?occurrence=", "?occurrence"]) {
        const response = await client.get(`/calendar/events/${id}${page}${query}`);
        expect(response.status, `${page}${query}`).toBe(200);
        // The first of the series, as without the parameter.
        expect(await response.text(), `${page}${query}`).toContain("2026-03-02");
      }
      expect((await client.get(`/calendar/events/${id}${page}?occurrence=2026-03-03T09:00`)).status).toBe(404);
    }
  });

  it("says an event was saved once, on the page the form leads to; a reload or the old ?saved=1 does not", async () => {
    const { client } = await person();
    const id = await create(client);
    const saved = "The event has been saved.";
    expect(await (await client.get(`/calendar/events/${id}`)).text()).toContain(`<p class="notice">${saved}</p>`);
    expect(await (await client.get(`/calendar/events/${id}`)).text()).not.toContain(saved);
    expect(await (await client.get(`/calendar/events/${id}?saved=1`)).text()).not.toContain(saved);
    const edited = await postAsPage(client, `/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      title: "Standup 2",
      scope: "all",
    });
    expect(edited.headers.get("location")).toBe(`/calendar/events/${id}`);
    expect(await (await client.get(`/calendar/events/${id}`)).text()).toContain(saved);
  });

  it("says the event was deleted on the page deleting it lands on", async () => {
    const { client } = await person();
    const id = await create(client, { ...weeklyStandup, repeat: "none" });
    const before = await (await client.get("/calendar?view=week&date=2026-03-02")).text();
    expect(before).not.toContain("no longer in your calendar");
    const deleted = await postAsPage(client, `/calendar/events/${id}/delete`, {});
    expect(deleted.status).toBe(302);
    const landing = deleted.headers.get("location")!;
    // The view and date stay in the address; the notice rides in a one-time cookie, so a reload or a
    // bookmark of the address does not say it again.
    expect(landing).toBe("/calendar?view=week&date=2026-03-02");
    const page = await (await client.get(landing)).text();
    expect(page).toMatch(
      /<div role="status" class="notice-region" data-notice-region=""><\/div><p class="notice">Deleted: it is no longer in your calendar\.<\/p>/,
    );
    expect(datetimes(page)).toEqual([]);
    expect(await (await client.get(landing)).text()).not.toContain("no longer in your calendar");
    expect(await (await client.get(`${landing}&deleted=1`)).text()).not.toContain("no longer in your calendar");
  });

  it("keeps the chosen scope on a refused edit, so saving again changes the events chosen", async () => {
    const { client } = await person();
    const id = await create(client);
    const refused = await postAsPage(client, `/calendar/events/${id}/edit?occurrence=2026-03-16T09:00`, {
      ...weeklyStandup,
      title: "",
      startDate: "2026-03-16",
      endDate: "2026-03-16",
      occurrence: "2026-03-16T09:00",
      scope: "following",
    });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain("Give the event a title.");
    const checked = [...page.matchAll(/<input type="radio" name="scope"([^>]*)>/g)]
      .filter((match) => match[1]!.includes("checked"))
      .map((match) => /value="([a-z]+)"/.exec(match[1]!)?.[1]);
    expect(checked).toEqual(["following"]);
  });

  it("answers 404 for a cancelled occurrence, whose edit would have brought it back (Back after deleting it)", async () => {
    const { client } = await person();
    const id = await create(client);
    const cancelled = "2026-03-09T09:00";
    expect(
      (await postAsPage(client, `/calendar/events/${id}/delete`, { occurrence: cancelled, scope: "this" })).status,
    ).toBe(302);
    for (const page of ["", "/edit", "/delete"]) {
      const path = `/calendar/events/${id}${page}?occurrence=${cancelled}`;
      expect((await client.get(path)).status, path).toBe(404);
    }
    const edit = await postAsPage(client, `/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      title: "Back from the dead",
      startDate: "2026-03-09",
      endDate: "2026-03-09",
      occurrence: cancelled,
      scope: "this",
    });
    // A form loaded before the date was cancelled: said on the form with what was typed kept, not a 404 page.
    expect(edit.status).toBe(409);
    const refused = await edit.text();
    expect(refused).toContain(
      "That date is no longer in the calendar; reload to see the series as it is now. Nothing was changed.",
    );
    expect(refused).toContain('value="Back from the dead"');
    const deleted = await postAsPage(client, `/calendar/events/${id}/delete`, { occurrence: cancelled, scope: "this" });
    expect(deleted.status).toBe(409);
    expect(await deleted.text()).toContain(
      "That date is no longer in the calendar; reload to see the series as it is now. Nothing was deleted.",
    );
    // An event that is gone is still the 404.
    const missing = await postAsPage(client, `/calendar/events/no-such-event/edit`, { ...weeklyStandup, scope: "all" });
    expect(missing.status).toBe(404);
    const month = await (await client.get("/calendar?view=month&date=2026-03-01")).text();
    expect(month).not.toContain("Back from the dead");
    expect(datetimes(month)).not.toContain("2026-03-09T09:00:00+01:00");
    expect(datetimes(month)).toContain("2026-03-16T09:00:00+01:00");
  });

  it("offers only the whole series on the series page once its first date was cancelled; it still changes", async () => {
    const { client } = await person();
    const id = await create(client);
    const first = "2026-03-02T09:00";
    expect(
      (await postAsPage(client, `/calendar/events/${id}/delete`, { occurrence: first, scope: "this" })).status,
    ).toBe(302);
    const month = async () => (await client.get("/calendar?view=month&date=2026-03-01")).text();
    // The series page stands for its first date: "This event" there would be a cancelled date (it gave a 404
    // page). The forms say the whole series is changed, and send that.
    for (const [page, words] of [
      ["edit", "Changes all events of this repeating event (its first date was cancelled)."],
      ["delete", "Deletes all events of this repeating event (its first date was cancelled)."],
    ] as const) {
      const html = await (await client.get(`/calendar/events/${id}/${page}`)).text();
      expect(html).toContain(words);
      expect(html).not.toContain("This event");
      expect(html).not.toContain('name="occurrence"');
      expect(html).toContain('<input type="hidden" name="scope" value="all"/>');
    }
    // A series page loaded before its first date was cancelled names that date: with "all" it is still the
    // whole series (a later cancelled date named is refused: see below).
    const renamed = { ...weeklyStandup, title: "Renamed (stale form)", occurrence: first, scope: "all" };
    expect((await postAsPage(client, `/calendar/events/${id}/edit`, renamed)).status).toBe(302);
    expect(datetimes(await month())).not.toContain("2026-03-02T09:00:00+01:00");
    expect(await month()).toContain("Renamed (stale form)");
    // From the first date, "this and following" is the whole series, as "all" is: the cancelled date stays gone.
    for (const scope of ["following", "all"]) {
      const title = `Renamed (${scope})`;
      expect((await postAsPage(client, `/calendar/events/${id}/edit`, { ...weeklyStandup, title, scope })).status).toBe(
        302,
      );
      const page = await month();
      expect(page).toContain(title);
      expect(datetimes(page)).not.toContain("2026-03-02T09:00:00+01:00");
      expect(datetimes(page)).toContain("2026-03-09T09:00:00+01:00");
    }
    expect((await postAsPage(client, `/calendar/events/${id}/delete`, { scope: "following" })).status).toBe(302);
    expect(datetimes(await month())).not.toContain("2026-03-09T09:00:00+01:00");
  });

  it("names the first date on the series page's forms, so This event there changes or deletes that date only", async () => {
    const { client } = await person();
    const id = await create(client);
    for (const page of ["edit", "delete"]) {
      const html = await (await client.get(`/calendar/events/${id}/${page}`)).text();
      expect(html).toContain('<input type="hidden" name="occurrence" value="2026-03-02T09:00"/>');
      expect(html).toContain("This event");
      // The series page still proposes the whole series first.
      expect(html).toMatch(/<input type="radio" name="scope" checked="" value="all"\/>/);
    }
    const saved = await postAsPage(client, `/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      title: "First one moved",
      startTime: "11:00",
      endTime: "11:30",
      occurrence: "2026-03-02T09:00",
      scope: "this",
    });
    expect(saved.status).toBe(302);
    const month = await (await client.get("/calendar?view=month&date=2026-03-01")).text();
    expect(datetimes(month)).toContain("2026-03-02T11:00:00+01:00");
    expect(datetimes(month)).toContain("2026-03-09T09:00:00+01:00");
  });

  it("sends a first date changed on its own to its own page: This event from the series page reverted it", async () => {
    const { client } = await person();
    const id = await create(client);
    const first = "2026-03-02T09:00";
    const moved = await postAsPage(client, `/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      location: "Room 9",
      startTime: "11:00",
      endTime: "11:30",
      occurrence: first,
      scope: "this",
    });
    expect(moved.status).toBe(302);
    const overrideId = moved.headers.get("location")!.split("/").at(-1)!.split("?")[0]!;
    expect(overrideId).not.toBe(id);
    // The series page is filled with the series' values: "This event" there wrote them over the changed
    // date (its room and time silently went back). It says where that date is changed instead.
    for (const [page, verb] of [
      ["edit", "Change"],
      ["delete", "Delete"],
    ] as const) {
      const html = await (await client.get(`/calendar/events/${id}/${page}`)).text();
      expect(html, page).not.toContain("This event");
      expect(html, page).not.toContain('name="occurrence"');
      expect(html, page).toContain('<input type="hidden" name="scope" value="all"/>');
      expect(html, page).toMatch(
        new RegExp(
          `was changed on its own: <a [^>]*href="/calendar/events/${overrideId}/${page}">${verb} only 2026-03-02</a>`,
        ),
      );
    }
    // That date's own page shows it as it is now.
    expect(await (await client.get(`/calendar/events/${overrideId}/edit`)).text()).toContain('value="Room 9"');
    // What the series page's form sends with "This event" chosen anyway (a crafted POST) changes nothing.
    const crafted = await postAsPage(client, `/calendar/events/${id}/edit`, { ...weeklyStandup, scope: "this" });
    expect(crafted.status).toBe(400);
    expect(await prisma.event.findUniqueOrThrow({ where: { id: overrideId } })).toMatchObject({
      location: "Room 9",
      startLocal: "2026-03-02T11:00",
    });
    const month = await (await client.get("/calendar?view=month&date=2026-03-01")).text();
    expect(datetimes(month)).toContain("2026-03-02T11:00:00+01:00");
    expect(datetimes(month)).not.toContain("2026-03-02T09:00:00+01:00");
  });

  it("refuses This event without a date (400, typed values kept) instead of acting on the first date", async () => {
    const { client } = await person();
    const id = await create(client);
    const stored = async () =>
      prisma.event.findMany({ where: { OR: [{ id }, { seriesId: id }] }, orderBy: { createdAt: "asc" } });
    const before = await stored();
    const edit = await postAsPage(client, `/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      title: "Only the first?",
      scope: "this",
    });
    expect(edit.status).toBe(400);
    const page = await edit.text();
    expect(page).toContain("Say which date “This event” is: open that date from the calendar and edit it there.");
    expect(page).toContain('value="Only the first?"');
    const deleted = await postAsPage(client, `/calendar/events/${id}/delete`, { scope: "this" });
    expect(deleted.status).toBe(400);
    expect(await deleted.text()).toContain("Say which date “This event” is");
    expect(await stored()).toEqual(before);
  });

  it("refuses a repeating event's edit or delete that does not say which events (400, typed values kept): it took the whole series", async () => {
    const { client } = await person();
    const id = await create(client);
    const moved = await postAsPage(client, `/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      location: "Room 9",
      startDate: "2026-03-23",
      endDate: "2026-03-23",
      occurrence: "2026-03-23T09:00",
      scope: "this",
    });
    expect(moved.status).toBe(302);
    const overrideId = moved.headers.get("location")!.split("/").at(-1)!;
    expect(overrideId).not.toBe(id);
    const stored = async () =>
      prisma.event.findMany({ where: { OR: [{ id }, { seriesId: id }] }, orderBy: { createdAt: "asc" } });
    const before = await stored();
    for (const [eventId, occurrence] of [
      [id, {}],
      [id, { occurrence: "2026-03-16T09:00" }],
      [overrideId, {}],
    ] as const) {
      const deleted = await postAsPage(client, `/calendar/events/${eventId}/delete`, occurrence);
      expect(deleted.status, `${eventId} ${JSON.stringify(occurrence)}`).toBe(400);
      expect(await deleted.text()).toContain("Choose which events to delete.");
      const edit = await postAsPage(client, `/calendar/events/${eventId}/edit`, {
        ...weeklyStandup,
        title: "Renamed without a choice",
        ...occurrence,
      });
      expect(edit.status, `${eventId} ${JSON.stringify(occurrence)}`).toBe(400);
      const page = await edit.text();
      expect(page).toContain("Choose which events to change.");
      expect(page).toContain('value="Renamed without a choice"');
    }
    expect(await stored()).toEqual(before);
    const month = await (await client.get("/calendar?view=month&date=2026-03-01")).text();
    expect(datetimes(month)).toEqual([
      "2026-03-02T09:00:00+01:00",
      "2026-03-09T09:00:00+01:00",
      "2026-03-16T09:00:00+01:00",
      "2026-03-23T09:00:00+01:00",
      "2026-03-30T09:00:00+02:00",
    ]);
    // A one-off event has nothing to choose: its forms need no scope.
    const single = await create(client, { ...weeklyStandup, repeat: "none" });
    const renamed = await postAsPage(client, `/calendar/events/${single}/edit`, {
      ...weeklyStandup,
      repeat: "none",
      title: "One-off renamed",
    });
    expect(renamed.status).toBe(302);
    expect((await prisma.event.findUniqueOrThrow({ where: { id: single } })).title).toBe("One-off renamed");
    expect((await postAsPage(client, `/calendar/events/${single}/delete`, {})).status).toBe(302);
    expect(await prisma.event.count({ where: { id: single } })).toBe(0);
  });

  it("refuses a save from a form loaded before the event changed (two tabs: 409, typed values kept); saving again overwrites", async () => {
    const { client } = await person();
    const id = await create(client, { ...weeklyStandup, repeat: "none" });
    const loaded = versionOf(await (await client.get(`/calendar/events/${id}/edit`)).text());
    expect(loaded).toBeTruthy();
    const tab = (title: string, version = loaded!) =>
      postAsPage(client, `/calendar/events/${id}/edit`, { ...weeklyStandup, repeat: "none", title, version });
    expect((await tab("Saved in the first tab")).status).toBe(302);
    const second = await tab("Typed in the second tab");
    expect(second.status).toBe(409);
    const page = await second.text();
    expect(page).toContain(
      "This event was changed in another tab or by the assistant since you opened it. Your changes are below; save again to keep them.",
    );
    // What was typed stays in the form; the event as it is now is shown beside it.
    expect(page).toContain('value="Typed in the second tab"');
    expect(page).toMatch(/Saved now:.*Saved in the first tab/s);
    expect((await prisma.event.findUniqueOrThrow({ where: { id } })).title).toBe("Saved in the first tab");
    // The refused page carries the current version: saving it again overwrites on purpose.
    const current = versionOf(page);
    expect(current).toBeTruthy();
    expect(current).not.toBe(loaded);
    expect((await tab("Typed in the second tab", current)).status).toBe(302);
    expect((await prisma.event.findUniqueOrThrow({ where: { id } })).title).toBe("Typed in the second tab");
  });

  it("keeps the version a form was loaded with through a refused save: fixing a mistake still finds the change since", async () => {
    const { client } = await person();
    const id = await create(client, { ...weeklyStandup, repeat: "none" });
    const loaded = versionOf(await (await client.get(`/calendar/events/${id}/edit`)).text());
    const tab = (title: string, version: string) =>
      postAsPage(client, `/calendar/events/${id}/edit`, { ...weeklyStandup, repeat: "none", title, version });
    expect((await tab("Saved in the first tab", loaded!)).status).toBe(302);
    // Without JS the page after a refusal is rendered from its loader again, which reads the new version.
    const mistake = await tab("", loaded!);
    expect(mistake.status).toBe(400);
    expect(versionOf(await mistake.text())).toBe(loaded);
    expect((await tab("Typed in the second tab", loaded!)).status).toBe(409);
    expect((await prisma.event.findUniqueOrThrow({ where: { id } })).title).toBe("Saved in the first tab");
  });

  it("answers a form whose version or occurrence is malformed with 400 and the event as it is now, never 409 or 500", async () => {
    const { client } = await person();
    const ALTERED = "This form is out of date or was altered; here is the event as it is now.";
    const CHANGED = "changed in another tab";
    const single = await create(client, { ...weeklyStandup, repeat: "none" });
    const series = await create(client);
    const stored = async () =>
      prisma.event.findMany({ where: { id: { in: [single, series] } }, orderBy: { id: "asc" } });
    const before = await stored();
    const singleVersion = versionOf(await (await client.get(`/calendar/events/${single}/edit`)).text());
    const date = "2026-03-16T09:00";
    const seriesVersion = versionOf(
      await (await client.get(`/calendar/events/${series}/edit?occurrence=${date}`)).text(),
    );
    expect(singleVersion).toBeTruthy();

    /** The refused page: the message, the current version to save with, the event as it is now. */
    const refusedPage = async (response: Response, version: string | undefined, what: string) => {
      expect(response.status, what).toBe(400);
      const page = await response.text();
      expect(page, what).toContain(ALTERED);
      expect(page, what).not.toContain(CHANGED);
      expect(page, what).toMatch(/Saved now:.*Standup/s);
      expect(versionOf(page), what).toBe(version);
      return page;
    };
    // Empty was taken for no version at all: the save went through over whatever had changed since.
    for (const version of ["zzz", "", "x".repeat(10_000), `${singleVersion}'`]) {
      const what = `version ${JSON.stringify(version.slice(0, 30))}`;
      const edit = await postAsPage(client, `/calendar/events/${single}/edit`, {
        ...weeklyStandup,
        repeat: "none",
        title: "Typed here",
        version,
      });
      expect(await refusedPage(edit, singleVersion, what)).toContain('value="Typed here"');
      const deleted = await postAsPage(client, `/calendar/events/${single}/delete`, { version });
      await refusedPage(deleted, singleVersion, what);
    }
    for (const occurrence of ["2027-13-45T99:99", "2026-03-16T09:00:00", "next tuesday"]) {
      const what = `occurrence ${occurrence}`;
      const sent = { occurrence, scope: "this", version: seriesVersion! };
      const edit = await postAsPage(client, `/calendar/events/${series}/edit?occurrence=${date}`, {
        ...weeklyStandup,
        title: "Typed for one date",
        startDate: "2026-03-16",
        endDate: "2026-03-16",
        ...sent,
      });
      expect(await refusedPage(edit, seriesVersion, what)).toContain('value="Typed for one date"');
      const deleted = await postAsPage(client, `/calendar/events/${series}/delete?occurrence=${date}`, sent);
      await refusedPage(deleted, seriesVersion, what);
    }
    expect(await stored()).toEqual(before);

    // A well-formed date that is not one of the series' keeps its answer, as does a well-formed old version.
    const notADate = await postAsPage(client, `/calendar/events/${series}/delete`, {
      occurrence: "2026-03-17T09:00",
      scope: "this",
      version: seriesVersion!,
    });
    expect(notADate.status).toBe(409);
    expect(await notADate.text()).toContain("That date is no longer in the calendar");
    const old = await postAsPage(client, `/calendar/events/${single}/delete`, { version: "A".repeat(22) });
    expect(old.status).toBe(409);
    expect(await old.text()).toContain(CHANGED);
    expect(await stored()).toEqual(before);
  });

  it("refuses an edit or delete posted without a version, keeping what was typed, then saves with the page's", async () => {
    const { client } = await person();
    const id = await create(client, { ...weeklyStandup, repeat: "none" });
    // Another tab renames it; a post with no version at all went straight over that change.
    const loaded = versionOf(await (await client.get(`/calendar/events/${id}/edit`)).text());
    const renamed = { ...weeklyStandup, repeat: "none", title: "Renamed in another tab", version: loaded! };
    expect((await client.post(`/calendar/events/${id}/edit`, renamed)).status).toBe(302);
    const before = await prisma.event.findUniqueOrThrow({ where: { id } });

    const edit = await client.post(`/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      repeat: "none",
      title: "Typed without a version",
    });
    expect(edit.status).toBe(400);
    const page = await edit.text();
    expect(page).toContain("This form is out of date or was altered; here is the event as it is now.");
    expect(page).toContain('value="Typed without a version"');
    expect(page).toMatch(/Saved now:.*Renamed in another tab/s);
    const deleted = await client.post(`/calendar/events/${id}/delete`, {});
    expect(deleted.status).toBe(400);
    expect(await deleted.text()).toContain("Nothing was deleted");
    expect(await prisma.event.findUniqueOrThrow({ where: { id } })).toEqual(before);

    // The refused page carries the current version: saving from it goes through, as a normal edit does.
    const again = await client.post(`/calendar/events/${id}/edit`, formValues(page, "edit-event"));
    expect(again.status).toBe(302);
    expect((await prisma.event.findUniqueOrThrow({ where: { id } })).title).toBe("Typed without a version");
  });

  it("refuses an edit of a repeating event from a form loaded before another date of it changed", async () => {
    const { client } = await person();
    const id = await create(client);
    const loaded = versionOf(await (await client.get(`/calendar/events/${id}/edit`)).text());
    // Another tab changes one date on its own; "All events" from the older form would carry over it unseen.
    const moved = await postAsPage(client, `/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      location: "Room 9",
      startDate: "2026-03-23",
      endDate: "2026-03-23",
      occurrence: "2026-03-23T09:00",
      scope: "this",
      version: loaded!,
    });
    expect(moved.status).toBe(302);
    const stale = await postAsPage(client, `/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      title: "Renamed from an old tab",
      scope: "all",
      version: loaded!,
    });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain(
      "This event was changed in another tab or by the assistant since you opened it.",
    );
    expect((await prisma.event.findUniqueOrThrow({ where: { id } })).title).toBe("Standup");
  });

  it("refuses a delete from a page loaded before the event changed (two tabs: 409, shown as it is now); deleting again deletes", async () => {
    const { client } = await person();
    const id = await create(client, { ...weeklyStandup, repeat: "none" });
    const loaded = versionOf(await (await client.get(`/calendar/events/${id}/delete`)).text());
    expect(loaded).toBeTruthy();
    const renamed = await postAsPage(client, `/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      repeat: "none",
      title: "Renamed in another tab",
    });
    expect(renamed.status).toBe(302);
    const stale = await postAsPage(client, `/calendar/events/${id}/delete`, { version: loaded! });
    expect(stale.status).toBe(409);
    const page = await stale.text();
    expect(page).toContain(
      "This event was changed in another tab or by the assistant since you opened it. Nothing was deleted; it is shown below as it is now: delete again to delete it anyway.",
    );
    expect(page).toMatch(/Saved now:.*Renamed in another tab/s);
    expect(await prisma.event.count({ where: { id } })).toBe(1);
    // The refused page carries the current version: deleting from it deletes on purpose.
    const current = versionOf(page);
    expect(current).toBeTruthy();
    expect(current).not.toBe(loaded);
    expect((await postAsPage(client, `/calendar/events/${id}/delete`, { version: current! })).status).toBe(302);
    expect(await prisma.event.count({ where: { id } })).toBe(0);
  });

  it("refuses a repeating event's delete, whatever its scope, from a page loaded before another date of it changed", async () => {
    const { client } = await person();
    const id = await create(client);
    const occurrence = "2026-03-16T09:00";
    const loaded = versionOf(await (await client.get(`/calendar/events/${id}/delete?occurrence=${occurrence}`)).text());
    expect(loaded).toBeTruthy();
    const moved = await postAsPage(client, `/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      location: "Room 9",
      startDate: "2026-03-23",
      endDate: "2026-03-23",
      occurrence: "2026-03-23T09:00",
      scope: "this",
    });
    expect(moved.status).toBe(302);
    const rows = async () =>
      prisma.event.findMany({ where: { OR: [{ id }, { seriesId: id }] }, orderBy: { id: "asc" } });
    const before = await rows();
    for (const scope of ["this", "following", "all"]) {
      const stale = await postAsPage(client, `/calendar/events/${id}/delete`, { occurrence, scope, version: loaded! });
      expect(stale.status, scope).toBe(409);
      const page = await stale.text();
      expect(page).toContain("since you opened it. Nothing was deleted");
      // The choice made stays chosen.
      expect(page).toContain(`<input type="radio" name="scope" checked="" value="${scope}"/>`);
    }
    expect(await rows()).toEqual(before);
    // A refusal for another reason keeps the version the page was loaded with: still refused after.
    const unchosen = await postAsPage(client, `/calendar/events/${id}/delete`, { occurrence, version: loaded! });
    expect(unchosen.status).toBe(400);
    expect(versionOf(await unchosen.text())).toBe(loaded);
  });

  it("refuses a cancelled date named with any scope (409 on the form), as This event is; nothing changes", async () => {
    const { client } = await person();
    const id = await create(client);
    const cancelled = "2026-03-16T09:00";
    expect(
      (await postAsPage(client, `/calendar/events/${id}/delete`, { occurrence: cancelled, scope: "this" })).status,
    ).toBe(302);
    const before = await prisma.event.findUniqueOrThrow({ where: { id } });
    for (const scope of ["this", "following", "all"]) {
      const edit = await postAsPage(client, `/calendar/events/${id}/edit`, {
        ...weeklyStandup,
        title: `Renamed from a cancelled date (${scope})`,
        startDate: "2026-03-16",
        endDate: "2026-03-16",
        occurrence: cancelled,
        scope,
      });
      expect(edit.status, scope).toBe(409);
      expect(await edit.text(), scope).toContain("That date is no longer in the calendar");
      const deleted = await postAsPage(client, `/calendar/events/${id}/delete`, { occurrence: cancelled, scope });
      expect(deleted.status, scope).toBe(409);
    }
    expect(await prisma.event.findUniqueOrThrow({ where: { id } })).toEqual(before);
    expect(await prisma.event.count({ where: { seriesId: id } })).toBe(0);
  });

  it("refuses a subscription to a literal private or local address at the form, with the address kept", async () => {
    const { client, email } = await person();
    // This server keeps the default (CALENDAR_SUBSCRIPTION_ALLOW_PRIVATE off): the refresh would refuse
    // these before connecting, so the form says so at once instead of "Subscribed." and a failed refresh.
    for (const [url, address] of [
      ["http://127.0.0.1/x.ics", "127.0.0.1"],
      ["http://10.0.0.1/", "10.0.0.1"],
      ["http://[::1]/cal.ics", "::1"],
      ["webcal://192.168.1.20/family.ics", "192.168.1.20"],
      ["http://169.254.169.254/latest", "169.254.169.254"],
      // Other ways of writing 127.0.0.1 (as the URL parser reads them) and 0.0.0.0, and IPv4-compatible IPv6.
      ["http://2130706433/", "127.0.0.1"],
      ["http://0x7f.1/", "127.0.0.1"],
      ["http://0177.0.0.1/", "127.0.0.1"],
      ["http://127.0.0.1./", "127.0.0.1"],
      ["http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"],
      ["http://0/", "0.0.0.0"],
      ["http://[::7f00:1]/", "::7f00:1"],
    ] as const) {
      const refused = await client.post("/calendar/subscriptions", { name: "Home", url, refreshMinutes: "60" });
      expect(refused.status, url).toBe(400);
      const page = await refused.text();
      expect(page, url).toMatch(
        new RegExp(
          `<p class="field-error" id="[^"]*-url-error" role="alert">${address.replace(/\./g, "\\.")} is a private or local address, which calendar subscriptions may not reach\\.</p>`,
        ),
      );
      expect(page, url).toContain(`value="${url}"`);
    }
    expect(await prisma.calendarSubscription.count({ where: { user: { email } } })).toBe(0);
  });

  it("refuses at the form a name that resolves to a local address, or to nothing, with the address kept", async () => {
    const { client, email } = await person();
    // "localhost" and this machine's own name (/etc/hosts) are 127.0.0.1: the refresh refused them at
    // connection, after the form had said "Subscribed."; the form looks the name up as the refresh does.
    for (const url of ["http://localhost:9/x.ics", "webcal://localhost/family.ics"]) {
      const refused = await client.post("/calendar/subscriptions", { name: "Home", url, refreshMinutes: "60" });
      expect(refused.status, url).toBe(400);
      const page = await refused.text();
      expect(page, url).toMatch(
        /<p class="field-error" id="[^"]*-url-error" role="alert">localhost leads to a private or local address, which calendar subscriptions may not reach\.<\/p>/,
      );
      expect(page, url).toContain(`value="${url}"`);
      expect(page, url).toContain('value="Home"');
    }
    // A name nothing answers to (this machine has no Internet DNS either): said on the form, nothing stored.
    const url = "https://calendar.no-such-host.invalid/team.ics";
    const unknown = await client.post("/calendar/subscriptions", { name: "Team", url, refreshMinutes: "60" });
    expect(unknown.status).toBe(400);
    const page = await unknown.text();
    expect(page).toMatch(
      /<p class="field-error" id="[^"]*-url-error" role="alert">No server named calendar\.no-such-host\.invalid could be found: check the address\.<\/p>/,
    );
    expect(page).toContain(`value="${url}"`);
    expect(await prisma.calendarSubscription.count({ where: { user: { email } } })).toBe(0);
  });

  it("finds my events by search, across years", async () => {
    const { client } = await person();
    await create(client, {
      ...weeklyStandup,
      title: "Dentist appointment",
      repeat: "none",
      startDate: "2019-07-01",
      endDate: "2019-07-01",
    });
    const page = await (await client.get("/calendar?q=dentist")).text();
    expect(page).toContain("Dentist appointment");
    expect(page).toContain("<title>Search “dentist” · Calendar · ARES</title>");
    expect(datetimes(page)).toEqual(["2019-07-01T09:00:00+02:00"]);
    // The count and its verb agree: "1 event matches", "2 events match".
    expect(page).toContain("1 event matches “dentist”.");
    await create(client, {
      ...weeklyStandup,
      title: "Dentist follow-up",
      repeat: "none",
      startDate: "2019-08-01",
      endDate: "2019-08-01",
    });
    expect(await (await client.get("/calendar?q=dentist")).text()).toContain("2 events match “dentist”.");
  });

  it("gives another person 404 for every route and method of my event", async () => {
    const owner = await person();
    const other = await person();
    const id = await create(owner.client);
    const paths = [
      `/calendar/events/${id}`,
      `/calendar/events/${id}?occurrence=2026-03-09T09:00`,
      `/calendar/events/${id}/edit`,
      `/calendar/events/${id}/edit?occurrence=2026-03-09T09:00`,
      `/calendar/events/${id}/delete`,
    ];
    for (const path of paths) {
      expect((await other.client.get(path)).status, `GET ${path}`).toBe(404);
      expect((await other.client.post(path, { ...weeklyStandup, scope: "all" })).status, `POST ${path}`).toBe(404);
    }
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const response = await other.client.get(`/calendar/events/${id}/edit`, {
        method,
        body: new URLSearchParams(weeklyStandup),
      });
      expect([404, 405], `${method}`).toContain(response.status);
    }
    const month = await (await other.client.get("/calendar?view=month&date=2026-03-01")).text();
    expect(datetimes(month)).toEqual([]);
    expect(await prisma.event.findUniqueOrThrow({ where: { id } })).toMatchObject({ title: "Standup", exdates: [] });
  });

  it("exports .ics and imports it into a fresh account with the same occurrences", async () => {
    const { client } = await person();
    const id = await create(client);
    await postAsPage(client, `/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      title: "Moved once",
      startDate: "2026-03-10",
      endDate: "2026-03-10",
      occurrence: "2026-03-09T09:00",
      scope: "this",
    });
    await postAsPage(client, `/calendar/events/${id}/delete`, { occurrence: "2026-03-23T09:00", scope: "following" });
    await create(client, {
      ...weeklyStandup,
      title: "Holiday",
      repeat: "none",
      allDay: "on",
      startDate: "2026-03-13",
      endDate: "2026-03-13",
      startTime: "",
      endTime: "",
    });
    const exported = await client.get("/calendar/export.ics");
    expect(exported.headers.get("content-type")).toContain("text/calendar");
    const ics = await exported.text();
    const before = datetimes(await (await client.get("/calendar?view=month&date=2026-03-01")).text());
    expect(before).toHaveLength(4);

    const fresh = await person();
    const upload = (text: string, name = "cal.ics") => {
      const form = new FormData();
      form.set("intent", "import");
      form.set("file", new File([text], name, { type: "text/calendar" }));
      return fresh.client.get("/calendar?index", { method: "POST", body: form });
    };
    expect(await reportOf(fresh.client, await upload(ics))).toContain("Imported: 2 created, 0 updated, 0 skipped.");
    expect(datetimes(await (await fresh.client.get("/calendar?view=month&date=2026-03-01")).text())).toEqual(before);
    // The same file again updates by UID rather than duplicating.
    expect(await reportOf(fresh.client, await upload(ics))).toContain("Imported: 0 created, 2 updated, 0 skipped.");
    expect(datetimes(await (await fresh.client.get("/calendar?view=month&date=2026-03-01")).text())).toEqual(before);

    const broken = await upload("BEGIN:VCALENDAR\nBEGIN:VEVENT\nnot a line\n");
    expect(broken.status).toBe(400);
    expect(await broken.text()).toContain("Nothing was imported.");
    expect(datetimes(await (await fresh.client.get("/calendar?view=month&date=2026-03-01")).text())).toEqual(before);
  });

  it("re-importing my own export updates each event in place: same ids, pages still answer, titles follow the file", async () => {
    const { client } = await person();
    const id = await create(client);
    await postAsPage(client, `/calendar/events/${id}/edit`, {
      ...weeklyStandup,
      title: "Moved once",
      startDate: "2026-03-10",
      endDate: "2026-03-10",
      occurrence: "2026-03-09T09:00",
      scope: "this",
    });
    const single = await create(client, { ...weeklyStandup, title: "Dentist", repeat: "none" });
    const rows = () =>
      prisma.event.findMany({
        where: { id: { in: [id, single] } },
        select: { id: true, title: true, overrides: { select: { id: true, title: true, recurrenceId: true } } },
        orderBy: { id: "asc" },
      });
    const before = await rows();
    expect(before.find((row) => row.id === id)?.overrides).toHaveLength(1);
    const ics = await (await client.get("/calendar/export.ics")).text();
    const upload = (text: string) => {
      const form = new FormData();
      form.set("intent", "import");
      form.set("file", new File([text], "mine.ics", { type: "text/calendar" }));
      return client.get("/calendar?index", { method: "POST", body: form });
    };
    expect(await reportOf(client, await upload(ics))).toContain("Imported: 0 created, 2 updated, 0 skipped.");
    expect(await rows()).toEqual(before);
    const overrideId = before.find((row) => row.id === id)!.overrides[0]!.id;
    for (const page of [id, single, overrideId])
      expect((await client.get(`/calendar/events/${page}`)).status).toBe(200);

    // A changed SUMMARY in the file changes the title, still in place.
    expect(await reportOf(client, await upload(ics.replace("SUMMARY:Dentist", "SUMMARY:Dentist (moved)")))).toContain(
      "Imported: 0 created, 2 updated, 0 skipped.",
    );
    const after = await rows();
    expect(after.map((row) => row.id)).toEqual(before.map((row) => row.id));
    expect(after.find((row) => row.id === single)?.title).toBe("Dentist (moved)");
    expect(after.find((row) => row.id === id)?.overrides).toEqual(before.find((row) => row.id === id)?.overrides);
    expect(await (await client.get(`/calendar/events/${single}`)).text()).toContain("Dentist (moved)");
  });

  it("importing a file again keeps the events I changed here since it was imported, and says which", async () => {
    const { client } = await person();
    const uid = (name: string) => `${name}@reimport.example.test`;
    const file = (suffix: string) =>
      icsFile(
        vevent(uid("dentist"), `Dentist${suffix}`, "20260310"),
        vevent(uid("lunch"), `Lunch${suffix}`, "20260311"),
        vevent(uid("yoga"), `Yoga${suffix}`, "20260302", ["RRULE:FREQ=WEEKLY;COUNT=4"]),
        // One date of Yoga changed in the file: the import writes it as its own row.
        vevent(uid("yoga"), `Yoga late${suffix}`, "20260309", ["RECURRENCE-ID;TZID=Europe/Berlin:20260309T090000"]),
      );
    const upload = (text: string) => importIcs(client, text);
    expect(await reportOf(client, await upload(file("")))).toContain("Imported: 3 created, 0 updated, 0 skipped.");
    // The same file again, nothing changed here: every event is the file's to update.
    expect(await reportOf(client, await upload(file("")))).toContain("Imported: 0 created, 3 updated, 0 skipped.");
    const byUid = async (name: string) => prisma.event.findFirstOrThrow({ where: { uid: uid(name), seriesId: null } });
    const dentist = await byUid("dentist");
    const yoga = await byUid("yoga");

    // Saved here with nothing changed (the edit form sent as it was): still the file's to update.
    const form = formValues(await (await client.get(`/calendar/events/${dentist.id}/edit`)).text(), "edit-event");
    expect(form.title).toBe("Dentist");
    expect((await client.post(`/calendar/events/${dentist.id}/edit`, form)).status).toBe(302);
    expect((await byUid("dentist")).updatedAt.getTime()).toBeGreaterThan(dentist.updatedAt.getTime());
    expect(await reportOf(client, await upload(file("")))).toContain("Imported: 0 created, 3 updated, 0 skipped.");

    // Changed here: Dentist renamed, and one date of Yoga moved on its own.
    expect(
      (
        await postAsPage(client, `/calendar/events/${dentist.id}/edit`, {
          ...weeklyStandup,
          repeat: "none",
          title: "Dentist (Dr Weber, changed here)",
          startDate: "2026-03-10",
          endDate: "2026-03-10",
          startTime: "09:00",
          endTime: "10:00",
        })
      ).status,
    ).toBe(302);
    expect(
      (
        await postAsPage(client, `/calendar/events/${yoga.id}/edit?occurrence=2026-03-16T09:00`, {
          ...weeklyStandup,
          title: "Yoga",
          startDate: "2026-03-16",
          endDate: "2026-03-16",
          startTime: "11:00",
          endTime: "12:00",
          weekdays: "MO",
          ends: "count",
          count: "4",
          occurrence: "2026-03-16T09:00",
          scope: "this",
        })
      ).status,
    ).toBe(302);
    const yogaRows = () =>
      prisma.event.findMany({
        where: { OR: [{ id: yoga.id }, { seriesId: yoga.id }] },
        orderBy: { id: "asc" },
        select: { id: true, title: true, startLocal: true, recurrenceId: true },
      });
    const yogaHere = await yogaRows();
    expect(yogaHere).toHaveLength(3);

    // The file, changed elsewhere meanwhile: what was changed here stays, the rest follows the file.
    const report = await reportOf(client, await upload(file(" (from the file)")));
    expect(report).toContain("Imported: 0 created, 1 updated, 2 kept, 0 skipped.");
    expect(report).toContain(
      "Kept as they are here: 2 events you changed in ARES since they were imported; the file&#x27;s version was not applied. To take the file&#x27;s version of one, delete it here and import the file again with “Also bring back events I deleted” ticked: that also brings back every other event of the file you deleted here.",
    );
    expect(report).toContain(`<li dir="auto">Dentist (Dr Weber, changed here)</li>`);
    expect(report).toContain(`<li dir="auto">Yoga</li>`);
    expect((await byUid("dentist")).title).toBe("Dentist (Dr Weber, changed here)");
    expect(await yogaRows()).toEqual(yogaHere);
    expect((await byUid("lunch")).title).toBe("Lunch (from the file)");
  });

  it("an imported event deleted here stays deleted when its file is imported again, unless asked back", async () => {
    const { client, email } = await person();
    const { id: userId } = await prisma.user.findUniqueOrThrow({ where: { email } });
    const uid = (name: string) => `${name}-${userId}@deleted.example.test`;
    const file = icsFile(
      vevent(uid("dentist"), "Dentist", "20260310"),
      vevent(uid("lunch"), "Lunch", "20260311"),
      vevent(uid("yoga"), "Yoga", "20260302", ["RRULE:FREQ=WEEKLY;COUNT=4"]),
      vevent(uid("yoga"), "Yoga late", "20260309", ["RECURRENCE-ID;TZID=Europe/Berlin:20260309T090000"]),
    );
    const upload = (restoreDeleted = false, content = file) => importIcs(client, content, restoreDeleted);
    const page = await reportOf(client, await upload());
    expect(page).toContain("Imported: 3 created, 0 updated, 0 skipped.");
    // What the box does is said next to it, and read with it: every deleted event of the file, not a chosen one.
    const hint =
      '<p class="field-hint" id="restore-deleted-hint">Brings back every event of the file that you deleted here since it was imported, not just one of them.</p>';
    expect(page.replaceAll("<!-- -->", "")).toContain(
      '<input type="checkbox" name="restoreDeleted" aria-describedby="restore-deleted-hint"/> Also bring back events I deleted',
    );
    expect(page).toContain(hint);
    const head = (name: string) => prisma.event.findFirst({ where: { userId, uid: uid(name), seriesId: null } });
    const dentist = (await head("dentist"))!;
    const yoga = (await head("yoga"))!;
    expect((await postAsPage(client, `/calendar/events/${dentist.id}/delete`, {})).status).toBe(302);
    expect((await postAsPage(client, `/calendar/events/${yoga.id}/delete`, { scope: "all" })).status).toBe(302);
    expect(await prisma.event.count({ where: { userId } })).toBe(1);

    // The same file again: what was deleted here stays deleted, and the report says so.
    const again = await reportOf(client, await upload());
    expect(again).toContain("Imported: 0 created, 1 updated, 2 not brought back (deleted here), 0 skipped.");
    expect(again).toContain(
      "Not brought back: 2 events you deleted in ARES since they were imported. To have them again, import the file with “Also bring back events I deleted” ticked: that brings back all of them, not just one.",
    );
    expect(again).toContain(`<ul><li dir="auto">Dentist</li><li dir="auto">Yoga</li></ul>`);

    // A refused import (without JS, the page the post answers with) shows the box as it was posted.
    const refused = await upload(true, "not a calendar");
    expect(refused.status).toBe(400);
    const refusedPage = (await refused.text()).replaceAll("<!-- -->", "");
    expect(refusedPage).toContain("Nothing was imported.");
    expect(refusedPage).toContain(
      '<input type="checkbox" name="restoreDeleted" aria-describedby="restore-deleted-hint" checked=""/> Also bring back events I deleted',
    );
    const unticked = (await (await upload(false, "not a calendar")).text()).replaceAll("<!-- -->", "");
    expect(unticked).toContain(
      '<input type="checkbox" name="restoreDeleted" aria-describedby="restore-deleted-hint"/> Also bring back events I deleted',
    );
    expect(await prisma.event.count({ where: { userId } })).toBe(1);
    expect(await head("dentist")).toBeNull();
    expect(await head("yoga")).toBeNull();
    expect(await prisma.event.count({ where: { userId } })).toBe(1);

    // Asked back: created again, with the series' changed date, and no longer remembered as deleted.
    expect(await reportOf(client, await upload(true))).toContain("Imported: 2 created, 1 updated, 0 skipped.");
    expect((await head("dentist"))?.title).toBe("Dentist");
    const back = (await head("yoga"))!;
    expect(await prisma.event.count({ where: { seriesId: back.id } })).toBe(1);
    expect(await prisma.deletedImportedEvent.count({ where: { userId } })).toBe(0);
    expect(await reportOf(client, await upload())).toContain("Imported: 0 created, 3 updated, 0 skipped.");

    // One date deleted is a change made here (kept), not a deleted event; an event made here is not remembered.
    expect(
      (
        await postAsPage(client, `/calendar/events/${back.id}/delete`, {
          occurrence: "2026-03-16T09:00",
          scope: "this",
        })
      ).status,
    ).toBe(302);
    const made = await create(client, { ...weeklyStandup, repeat: "none" });
    expect((await postAsPage(client, `/calendar/events/${made}/delete`, {})).status).toBe(302);
    expect(await prisma.deletedImportedEvent.count({ where: { userId } })).toBe(0);
    expect(await reportOf(client, await upload())).toContain("Imported: 0 created, 2 updated, 1 kept, 0 skipped.");

    // Deleting the account leaves no record behind.
    const dentistBack = (await head("dentist"))!;
    expect((await postAsPage(client, `/calendar/events/${dentistBack.id}/delete`, {})).status).toBe(302);
    expect(await prisma.deletedImportedEvent.count({ where: { userId } })).toBe(1);
    await prisma.user.delete({ where: { id: userId } });
    expect(await prisma.deletedImportedEvent.count({ where: { userId } })).toBe(0);
  });

  it("a deleted imported event comes back with its file only once the hourly purge has found it a year over", async () => {
    const { client, email } = await person();
    const { id: userId } = await prisma.user.findUniqueOrThrow({ where: { email } });
    const uid = (name: string) => `${name}-${userId}@purge.example.test`;
    // Dates from today, so that the test does not age: one over a year ago, one a month ago, a series without end.
    const day = (daysFromNow: number) =>
      new Date(Date.now() + daysFromNow * 86_400_000).toISOString().slice(0, 10).replaceAll("-", "");
    const file = icsFile(
      vevent(uid("old"), "Long over", day(-400)),
      vevent(uid("recent"), "Last month", day(-30)),
      vevent(uid("weekly"), "Every week", day(-400), ["RRULE:FREQ=WEEKLY"]),
      // Over a year ago too, but its second date moved to next week: that is when it ends.
      vevent(uid("moved"), "Moved on", day(-400), ["RRULE:FREQ=WEEKLY;COUNT=2"]),
      vevent(uid("moved"), "Moved on", day(7), [`RECURRENCE-ID;TZID=Europe/Berlin:${day(-393)}T090000`]),
      // A series of three weeks that ended about 400 days ago, and a whole day about 400 days ago.
      vevent(uid("three"), "Three weeks", day(-414), ["RRULE:FREQ=WEEKLY;COUNT=3"]),
      [
        "BEGIN:VEVENT",
        `UID:${uid("allday")}`,
        "DTSTAMP:20260101T000000Z",
        `DTSTART;VALUE=DATE:${day(-400)}`,
        `DTEND;VALUE=DATE:${day(-399)}`,
        "SUMMARY:Whole day",
        "END:VEVENT",
      ],
    );
    expect(await reportOf(client, await importIcs(client, file))).toContain(
      "Imported: 6 created, 0 updated, 0 skipped.",
    );
    const names = ["old", "recent", "weekly", "moved", "three", "allday"];
    for (const name of names) {
      const head = await prisma.event.findFirstOrThrow({ where: { userId, uid: uid(name), seriesId: null } });
      const scope: Record<string, string> = head.rrule ? { scope: "all" } : {};
      expect((await postAsPage(client, `/calendar/events/${head.id}/delete`, scope)).status).toBe(302);
    }
    expect(await prisma.event.count({ where: { userId } })).toBe(0);

    // "Download all my data" lists each record with when its event last ended (none for the endless series).
    const download = await client.get("/settings/data/export");
    expect(download.status).toBe(200);
    const { calendarDeletedImports } = (await download.json()) as {
      calendarDeletedImports: { uid: string; deletedAt: string; lastEnd: string | null }[];
    };
    const lastEnds = Object.fromEntries(calendarDeletedImports.map((row) => [row.uid, row.lastEnd]));
    expect(Object.keys(lastEnds).sort()).toEqual(names.map(uid).sort());
    expect(lastEnds[uid("weekly")]).toBeNull();
    // (About 400 days: the days above are UTC dates, the events on Berlin's clock.)
    for (const name of ["old", "three", "allday"]) {
      const daysAgo = (Date.now() - Date.parse(lastEnds[uid(name)] ?? "")) / 86_400_000;
      expect(daysAgo, name).toBeGreaterThan(398);
      expect(daysAgo, name).toBeLessThan(401);
    }
    expect(Date.parse(lastEnds[uid("recent")] ?? "")).toBeGreaterThan(Date.now() - 31 * 86_400_000);

    const { purgeSessionsJob } = await import("~/jobs/registry.server");
    await purgeSessionsJob.handler({}, { id: "direct", attempt: 1, signal: new AbortController().signal });
    const left = await prisma.deletedImportedEvent.findMany({ where: { userId }, orderBy: { uid: "asc" } });
    expect(left.map((row) => row.uid)).toEqual([uid("moved"), uid("recent"), uid("weekly")]);
    // The next import of the file brings back only the event long over; the others stay deleted.
    const again = await reportOf(client, await importIcs(client, file));
    expect(again).toContain("Imported: 3 created, 0 updated, 3 not brought back (deleted here), 0 skipped.");
    expect(
      (await prisma.event.findMany({ where: { userId, seriesId: null }, select: { title: true } }))
        .map((event) => event.title)
        .sort(),
    ).toEqual(["Long over", "Three weeks", "Whole day"]);
  });

  it("refuses a file of more events than an import takes, on the import form, importing none of them", async () => {
    const { client } = await person();
    const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"];
    for (let i = 0; i <= MAX_IMPORT_EVENTS; i++) {
      lines.push(
        "BEGIN:VEVENT",
        `UID:bulk${i}@t`,
        "DTSTAMP:20260101T000000Z",
        "DTSTART:20270101T100000Z",
        `SUMMARY:bulk ${i}`,
        "END:VEVENT",
      );
    }
    lines.push("END:VCALENDAR", "");
    const form = new FormData();
    form.set("intent", "import");
    form.set("file", new File([lines.join("\r\n")], "huge.ics", { type: "text/calendar" }));
    const refused = await client.get("/calendar?index", { method: "POST", body: form });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(
      /role="alert"[^>]*>Nothing was imported\. It has 5,001 events: import at most 5,000 at a time\.</,
    );
    expect(await (await client.get("/calendar?view=month&date=2027-01-01")).text()).not.toContain("bulk 1");
  });

  it("takes current IANA zone names (Asia/Kolkata), in the form and in an imported file, at the right instant", async () => {
    // The check accepted only Intl.supportedValuesOf's CLDR names (Asia/Calcutta): Asia/Kolkata got a
    // 400 from the form and the event Google Calendar exports with TZID=Asia/Kolkata was skipped.
    const { client } = await person();
    const id = await create(client, {
      ...weeklyStandup,
      title: "Kolkata call",
      repeat: "none",
      timeZone: "Asia/Kolkata",
    });
    expect(await prisma.event.findUniqueOrThrow({ where: { id }, select: { timeZone: true } })).toEqual({
      timeZone: "Asia/Kolkata",
    });
    // 09:00 in Kolkata (+05:30) is 03:30 UTC, 04:30 in Berlin in winter.
    const day = await (await client.get("/calendar?view=day&date=2026-03-02")).text();
    expect(datetimes(day)).toContain("2026-03-02T04:30:00+01:00");
    const form = await (await client.get(`/calendar/events/${id}/edit`)).text();
    expect(form).toMatch(/<option value="Asia\/Kolkata" selected/);

    const google = [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
      "BEGIN:VEVENT",
      "UID:kolkata@example.test",
      "DTSTAMP:20260301T000000Z",
      "DTSTART;TZID=Asia/Kolkata:20260505T090000",
      "DTEND;TZID=Asia/Kolkata:20260505T100000",
      "SUMMARY:Imported from Kolkata",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:kyiv@example.test",
      "DTSTAMP:20260301T000000Z",
      "DTSTART;TZID=Europe/Kyiv:20260505T090000",
      "DTEND;TZID=Europe/Kyiv:20260505T100000",
      "SUMMARY:Imported from Kyiv",
      "END:VEVENT",
      "END:VCALENDAR",
      "",
    ].join("\r\n");
    const upload = new FormData();
    upload.set("intent", "import");
    upload.set("file", new File([google], "google.ics", { type: "text/calendar" }));
    const imported = await client.get("/calendar?index", { method: "POST", body: upload });
    expect(await reportOf(client, imported)).toContain("Imported: 2 created, 0 updated, 0 skipped.");
    const rows = await prisma.event.findMany({
      where: { uid: { in: ["kolkata@example.test", "kyiv@example.test"] } },
      select: { uid: true, startLocal: true, timeZone: true },
      orderBy: { uid: "asc" },
    });
    expect(rows).toEqual([
      { uid: "kolkata@example.test", startLocal: "2026-05-05T09:00", timeZone: "Asia/Kolkata" },
      { uid: "kyiv@example.test", startLocal: "2026-05-05T09:00", timeZone: "Europe/Kyiv" },
    ]);
    // 09:00 in Kolkata is 03:30 UTC (05:30 in Berlin, summer); 09:00 in Kyiv (+03:00) is 06:00 UTC.
    const may = await (await client.get("/calendar?view=day&date=2026-05-05")).text();
    expect(datetimes(may)).toEqual(expect.arrayContaining(["2026-05-05T05:30:00+02:00", "2026-05-05T08:00:00+02:00"]));
  });

  it("finding G: the import takes files above the general body limit and answers an over-size one on its own form", async () => {
    const { client } = await person();
    const upload = (text: string) => {
      const form = new FormData();
      form.set("intent", "import");
      form.set("file", new File([text], "big.ics", { type: "text/calendar" }));
      return client.get("/calendar?index", { method: "POST", body: form });
    };
    const ics = (bytes: number) => {
      const event = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ARES test//EN",
        "BEGIN:VEVENT",
        "UID:big-file@example.test",
        "DTSTAMP:20260301T000000Z",
        "DTSTART:20260305T090000Z",
        "DTEND:20260305T100000Z",
        "SUMMARY:Big file",
      ];
      const end = ["END:VEVENT", "END:VCALENDAR", ""];
      const used = [...event, ...end].join("\r\n").length + "X-PADDING:\r\n".length;
      return [...event, `X-PADDING:${"a".repeat(bytes - used)}`, ...end].join("\r\n");
    };
    // 1.5 MB: above BODY_LIMIT_BYTES' 1 MiB default, within the import's 2 MB.
    expect(await reportOf(client, await upload(ics(1_500_000)))).toContain(
      "Imported: 1 created, 0 updated, 0 skipped.",
    );
    const tooLarge = await upload(ics(2_000_500));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.text()).toContain("The file is too large: import at most 2 MB at a time.");
    // Over the request's limit too (the body guard's): still the page and its message, not "Request too large".
    const farTooLarge = await upload(ics(2_100_000));
    expect(farTooLarge.status).toBe(413);
    const page = await farTooLarge.text();
    expect(page).toContain("The file is too large: import at most 2 MB at a time.");
    expect(page).not.toContain("Request too large");
    // The box the person ticked is ticked again (a browser sends it before the file, where the form has it);
    // unticked stays unticked, and one sent after the file (past what is read of a refused body) is not read.
    const ticked = '<input type="checkbox" name="restoreDeleted" aria-describedby="restore-deleted-hint" checked=""/>';
    const withBox = (where: "before" | "after" | "none") => {
      const form = new FormData();
      form.set("intent", "import");
      if (where === "before") form.set("restoreDeleted", "on");
      form.set("file", new File([ics(2_100_000)], "big.ics", { type: "text/calendar" }));
      if (where === "after") form.set("restoreDeleted", "on");
      return client.get("/calendar?index", { method: "POST", body: form });
    };
    const before = await withBox("before");
    expect(before.status).toBe(413);
    const beforePage = await before.text();
    expect(beforePage).toContain("The file is too large: import at most 2 MB at a time.");
    expect(beforePage).toContain(ticked);
    for (const where of ["after", "none"] as const) {
      const refused = await withBox(where);
      expect(refused.status).toBe(413);
      const html = await refused.text();
      expect(html).toContain("The file is too large: import at most 2 MB at a time.");
      expect(html).not.toContain(ticked);
    }
    // So is another spelling of the address that Remix routes to the calendar.
    const form = new FormData();
    form.set("intent", "import");
    form.set("file", new File([ics(2_100_000)], "big.ics", { type: "text/calendar" }));
    const otherSpelling = await client.get("/Calendar?index", { method: "POST", body: form });
    expect(otherSpelling.status).toBe(413);
    expect(await otherSpelling.text()).toContain("The file is too large: import at most 2 MB at a time.");
    // Sent without a length (chunked): found too large only once its first MiB was read, it keeps the box too.
    const chunked = async (where: "before" | "none") => {
      const form = new FormData();
      form.set("intent", "import");
      if (where === "before") form.set("restoreDeleted", "on");
      form.set("file", new File([ics(2_100_000)], "big.ics", { type: "text/calendar" }));
      const encoded = new Response(form);
      const init = {
        method: "POST",
        body: encoded.body,
        headers: { "content-type": encoded.headers.get("content-type") ?? "" },
        duplex: "half",
      };
      return client.get("/calendar?index", init as RequestInit);
    };
    const chunkedTicked = await chunked("before");
    expect(chunkedTicked.status).toBe(413);
    const chunkedPage = await chunkedTicked.text();
    expect(chunkedPage).toContain("The file is too large: import at most 2 MB at a time.");
    expect(chunkedPage).toContain(ticked);
    const chunkedUnticked = await chunked("none");
    expect(chunkedUnticked.status).toBe(413);
    expect(await chunkedUnticked.text()).not.toContain(ticked);
  });

  it("says plainly that a file of random bytes is not a calendar, and logs what the parser said", async () => {
    const { client, email } = await person();
    // Fixed "random" bytes (a linear congruential sequence), so every run sends the same file.
    let seed = 17;
    const bytes = Uint8Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 23);
    const form = new FormData();
    form.set("intent", "import");
    form.set("file", new File([bytes], "holidays.ics", { type: "text/calendar" }));
    const logged = server.process.logs.length;
    const refused = await client.get("/calendar?index", { method: "POST", body: form });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toMatch(
      /role="alert"[^>]*>Nothing was imported\. This file is not a calendar \(\.ics\) file, or it is damaged: it could not be read\.</,
    );
    // The parser's own words ("Invalid parameters in '…'", or a TypeError of its internals) are not shown.
    expect(html).not.toMatch(/Invalid|invalid|propertyGroups|Cannot read/);
    await expect
      .poll(() => server.process.logs.slice(logged).find((line) => line.msg === "calendar import: file not readable"))
      .toMatchObject({ cause: { message: expect.any(String) } });
    // Cut short: the parser quotes the line it stopped at, which can be the whole file.
    const line = server.process.logs.slice(logged).find((entry) => entry.msg === "calendar import: file not readable");
    expect((line as { cause: { message: string } }).cause.message.length).toBeLessThanOrEqual(200);
    expect(await prisma.event.count({ where: { user: { email } } })).toBe(0);
  });

  it("an import redirects to its report, which a reload shows again without importing the file again", async () => {
    // It answered the POST with the page itself: a reload posted the file again and showed a second report.
    const { client } = await person();
    const file = [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//ARES test//EN",
      "BEGIN:VEVENT",
      "UID:prg@example.test",
      "DTSTAMP:20260301T000000Z",
      "DTSTART:20260305T090000Z",
      "DTEND:20260305T100000Z",
      "SUMMARY:Dentist",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:no-start@example.test",
      "SUMMARY:No start",
      "END:VEVENT",
      "END:VCALENDAR",
      "",
    ].join("\r\n");
    const upload = (text: string, type = "text/calendar") => {
      const form = new FormData();
      form.set("intent", "import");
      form.set("file", new File([text], "cal.ics", { type }));
      return client.get("/calendar?index&view=week&date=2026-03-04", { method: "POST", body: form });
    };
    const imported = await upload(file);
    const location = imported.headers.get("location")!;
    // Back on the view and date it was made from, at the report.
    expect(location).toMatch(/^\/calendar\?view=week&date=2026-03-04&imported=[^&#]+#import-report$/);
    const first = await reportOf(client, imported);
    expect(first).toContain("Imported: 1 created, 0 updated, 1 skipped.");
    expect(first).toContain(`<li dir="auto">No start: `);
    expect(first).toMatch(/<details[^>]*open/);
    const updatedAt = (await prisma.event.findFirstOrThrow({ where: { uid: "prg@example.test" } })).updatedAt;
    // A reload is a GET of that address: the same report, nothing imported again.
    const again = await client.get(location);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain("Imported: 1 created, 0 updated, 1 skipped.");
    expect(await prisma.event.findFirstOrThrow({ where: { uid: "prg@example.test" } })).toMatchObject({ updatedAt });
    expect(await prisma.event.count({ where: { uid: "prg@example.test" } })).toBe(1);
    // Someone else's report is not shown to me, nor mine to them.
    const other = await person();
    const theirs = await (await other.client.get(location)).text();
    expect(theirs).not.toContain("Imported:");
    expect(theirs).toMatch(new RegExp(`<details[^>]*open[^]*id="import-report"[^>]*>${GONE.replace(/[()]/g, "\\$&")}`));
    expect(await (await client.get("/calendar?imported=nonsense")).text()).toContain(GONE);
    // The stored report holds what the page shows, not each event imported: neither the row nor the
    // page's data carries the imported events' UIDs.
    const reportId = new URL(location, server.url).searchParams.get("imported")!;
    const stored = await prisma.calendarImport.findUniqueOrThrow({ where: { id: reportId } });
    expect(stored.report).toEqual({
      created: 1,
      updated: 0,
      kept: [],
      deletedHere: [],
      skipped: [{ title: "No start", reason: expect.any(String) }],
    });
    expect(first).not.toContain("prg@example.test");
    // Reports are kept for an hour: an older one is not shown, even before the hourly purge removes it.
    await prisma.calendarImport.update({
      where: { id: reportId },
      data: { createdAt: new Date(Date.now() - 61 * 60_000) },
    });
    const expired = await (await client.get(location)).text();
    expect(expired).not.toContain("Imported:");
    expect(expired).toContain(GONE);
    expect(expired).toMatch(/<details[^>]*open/);
    expect(await prisma.calendarImport.count({ where: { id: reportId } })).toBe(1);
    const later = await reportOf(client, await upload(file));
    expect(later).toContain("Imported: 0 created, 1 updated, 1 skipped.");
    // A file that is no calendar still answers on the page, with the form.
    const wrong = await upload("\u0089PNG\r\n\u001a\n", "image/png");
    expect(wrong.status).toBe(400);
    const wrongPage = await wrong.text();
    expect(wrongPage).toContain("Nothing was imported.");
    expect(wrongPage).toContain('name="file"');
  });

  it("an import whose report cannot be saved imports nothing: the report is saved in the import's transaction", async () => {
    // The report was saved after the import committed: a failure there left the events imported and
    // answered 500, with no page saying so.
    const { client } = await person();
    const uid = `unreported-${counter}@example.test`;
    await prisma.$executeRawUnsafe(`
      CREATE FUNCTION test_report_refused() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'report refused'; END $$`);
    await prisma.$executeRawUnsafe(
      `CREATE TRIGGER test_report_refused BEFORE INSERT ON "CalendarImport" FOR EACH ROW EXECUTE FUNCTION test_report_refused()`,
    );
    try {
      const form = new FormData();
      form.set("intent", "import");
      const ics = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ARES test//EN",
        "BEGIN:VEVENT",
        `UID:${uid}`,
        "DTSTAMP:20260301T000000Z",
        "DTSTART:20260305T090000Z",
        "DTEND:20260305T100000Z",
        "SUMMARY:Unreported",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
      ].join("\r\n");
      form.set("file", new File([ics], "cal.ics", { type: "text/calendar" }));
      const answer = await client.get("/calendar?index", { method: "POST", body: form });
      expect(answer.status).toBe(500);
      expect(await prisma.event.count({ where: { uid } })).toBe(0);
    } finally {
      await prisma.$executeRawUnsafe(`DROP TRIGGER test_report_refused ON "CalendarImport"`);
      await prisma.$executeRawUnsafe(`DROP FUNCTION test_report_refused()`);
    }
  });

  it("an import that meets another import of its events at every attempt answers 409 on the page, not 500", async () => {
    // It gave up after 3 unique conflicts by rethrowing the last one: a 500 page. Here the database
    // refuses the event's insert as the unique index does when another import has just committed the
    // same UID, at every attempt (a sequence counts them: it is not rolled back with the attempt).
    const { client } = await person();
    const uid = `always-taken-${counter}@example.test`;
    await prisma.$executeRawUnsafe(`CREATE SEQUENCE test_import_attempts`);
    await prisma.$executeRawUnsafe(`
      CREATE FUNCTION test_uid_taken() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM nextval('test_import_attempts');
        RAISE unique_violation USING
          MESSAGE = 'duplicate key value violates unique constraint "Event_userId_uid_own_series_key"',
          DETAIL = format('Key ("userId", uid)=(%s, %s) already exists.', NEW."userId", NEW.uid),
          CONSTRAINT = 'Event_userId_uid_own_series_key';
      END $$`);
    await prisma.$executeRawUnsafe(
      `CREATE TRIGGER test_uid_taken BEFORE INSERT ON "Event" FOR EACH ROW WHEN (NEW.uid = '${uid}') EXECUTE FUNCTION test_uid_taken()`,
    );
    try {
      const form = new FormData();
      form.set("intent", "import");
      const ics = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ARES test//EN",
        "BEGIN:VEVENT",
        `UID:${uid}`,
        "DTSTAMP:20260301T000000Z",
        "DTSTART:20260305T090000Z",
        "DTEND:20260305T100000Z",
        "SUMMARY:Contended",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
      ].join("\r\n");
      form.set("file", new File([ics], "busy.ics", { type: "text/calendar" }));
      const answer = await client.get("/calendar?index", { method: "POST", body: form });
      expect(answer.status).toBe(409);
      const page = await answer.text();
      // Worded for each cause it stands for: another import, an edit, a deadlock, a serialization failure.
      expect(page).toContain("Your calendar was being changed at the same moment. Nothing was imported; try again.");
      expect(page).toContain('name="file"');
      const [{ attempts }] = await prisma.$queryRawUnsafe<[{ attempts: bigint }]>(
        `SELECT last_value AS attempts FROM test_import_attempts`,
      );
      expect(Number(attempts)).toBe(3);
      expect(await prisma.event.count({ where: { uid } })).toBe(0);
    } finally {
      await prisma.$executeRawUnsafe(`DROP TRIGGER test_uid_taken ON "Event"`);
      await prisma.$executeRawUnsafe(`DROP FUNCTION test_uid_taken()`);
      await prisma.$executeRawUnsafe(`DROP SEQUENCE test_import_attempts`);
    }
  });

  it("serves the private feed only with a current token", async () => {
    const { client } = await person();
    await create(client);
    const anonymous = browserClient(server.url);
    expect((await anonymous.get("/calendar/feed/nothing.ics")).status).toBe(404);
    const path = new URL(await newFeedLink(client)).pathname;
    const feed = await anonymous.get(path);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain("SUMMARY:Standup");
    const newPath = new URL(await newFeedLink(client)).pathname;
    expect(newPath).not.toBe(path);
    expect((await anonymous.get(path)).status).toBe(404);
    expect((await anonymous.get(newPath)).status).toBe(200);
    const off = await client.post("/calendar?index", { intent: "feed-revoke" });
    expect(off.status).toBe(303);
    expect((await anonymous.get(newPath)).status).toBe(404);
    expect(await (await client.get(off.headers.get("location")!)).text()).toContain(
      "The subscription link is turned off",
    );
  });

  it("says when the subscription link was made as a day on the person's clock, not an ISO date", async () => {
    const { client, email } = await person("Pacific/Kiritimati");
    await newFeedLink(client);
    // Made at noon UTC: already the next day in UTC+14, whatever the time the test runs.
    await prisma.calendarFeed.updateMany({
      where: { user: { email } },
      data: { createdAt: new Date("2026-03-03T12:00:00Z") },
    });
    const html = (await (await client.get("/calendar")).text()).replaceAll("<!-- -->", "");
    const [, at, day] = /\(made <time dateTime="([^"]+)">([^<]+)<\/time>\)/.exec(html) ?? [];
    expect(at).toBe("2026-03-03T12:00:00.000Z");
    expect(day).toBe("4 Mar 2026");
  });

  it("signing out within the minute a new feed link rides to its page clears that cookie", async () => {
    const { client } = await person();
    const made = await client.post("/calendar?index", { intent: "feed-create" });
    expect(made.status).toBe(303);
    expect(client.jar.get("__ares_new_feed")).toBeDefined();
    // Signed out before the page that shows (and clears) it was loaded: the token left the browser too.
    const out = await client.post("/logout", {});
    expect(out.status).toBe(302);
    expect(out.headers.getSetCookie()).toContainEqual(
      expect.stringMatching(/^__ares_new_feed=;.*Max-Age=0;.*Expires=Thu, 01 Jan 1970.*HttpOnly.*SameSite=Lax/i),
    );
    expect(client.jar.get("__ares_new_feed")).toBeUndefined();
    // The session ended already (expired, or signed out in another tab): the cookie is cleared all the same.
    const { client: ended } = await person();
    expect((await ended.post("/calendar?index", { intent: "feed-create" })).status).toBe(303);
    ended.jar.set("__ares_session", "gone");
    const late = await ended.post("/logout", {});
    expect(late.status).toBe(302);
    expect(late.headers.get("location")).toBe("/login");
    expect(ended.jar.get("__ares_new_feed")).toBeUndefined();
    // A sign-out without one sets nothing more than the session cookie.
    const { client: other } = await person();
    const plain = await other.post("/logout", {});
    expect(plain.headers.getSetCookie().filter((cookie) => cookie.startsWith("__ares_new_feed="))).toEqual([]);
  });

  it("shows a new feed link once after a redirect; reloading neither shows it again nor replaces it", async () => {
    const { client, email } = await person();
    await create(client);
    const made = await client.post("/calendar?index&view=week&date=2026-03-04", { intent: "feed-create" });
    // Post/Redirect/Get: back to the same view and date, at the link.
    expect(made.status).toBe(303);
    const location = made.headers.get("location")!;
    expect(location).toBe("/calendar?view=week&date=2026-03-04&feed=created#feed-link");
    expect(made.headers.get("set-cookie")).toMatch(/^__ares_new_feed=[^;]+;/);
    expect(made.headers.get("set-cookie")).toMatch(/Max-Age=60;.*HttpOnly.*SameSite=Lax/i);

    const shown = await client.get(location);
    expect(shown.status).toBe(200);
    expect(shown.headers.get("cache-control")).toBe("private, no-store");
    // The cookie is cleared by the page that shows the link.
    expect(shown.headers.get("set-cookie")).toMatch(/^__ares_new_feed=;.*Expires=Thu, 01 Jan 1970/);
    expect(client.jar.get("__ares_new_feed")).toBeUndefined();
    const html = await shown.text();
    const urls = new Set(html.match(FEED_URL_G));
    expect(urls.size).toBe(1);
    const [url] = [...urls];
    expect(html).toContain("shown only this once");

    // A reload: the page without the address, saying why, and no new link.
    const reloaded = await client.get(location);
    expect(reloaded.status).toBe(200);
    const again = await reloaded.text();
    expect(again).not.toContain("/calendar/feed/");
    expect(again).toContain("was shown once, when it was made");
    expect(reloaded.headers.get("cache-control") ?? "").not.toContain("no-store");

    // The link shown still works: the calendar app keeps syncing.
    const feed = await browserClient(server.url).get(new URL(url!).pathname);
    expect(feed.status).toBe(200);
    expect(feed.headers.get("content-type")).toContain("text/calendar");
    expect(await feed.text()).toContain("SUMMARY:Standup");
    expect(await prisma.calendarFeed.count({ where: { user: { email } } })).toBe(1);
  });

  it("says a link is off when it was turned off before the page that would show it", async () => {
    const { client } = await person();
    expect((await client.post("/calendar?index", { intent: "feed-create" })).status).toBe(303);
    expect(client.jar.get("__ares_new_feed")).toBeDefined();
    const off = await client.post("/calendar?index", { intent: "feed-revoke" });
    expect(off.status).toBe(303);
    const page = await client.get(off.headers.get("location")!);
    const html = await page.text();
    expect(html).not.toContain("/calendar/feed/");
    expect(html).toContain("The subscription link is turned off");
    expect(client.jar.get("__ares_new_feed")).toBeUndefined();
  });

  it("shows a new feed link to a page's data request (with JavaScript) too, only to its owner", async () => {
    const { client } = await person();
    const made = await client.post("/calendar?index", { intent: "feed-create" });
    expect(made.status).toBe(303);
    const cookie = client.jar.get("__ares_new_feed")!;
    // Another person's browser given this cookie does not show it (the token is not theirs).
    const other = await person();
    other.client.jar.set("__ares_new_feed", cookie);
    const theirs = await other.client.get("/calendar.data?feed=created");
    expect(theirs.status).toBe(200);
    expect(await theirs.text()).not.toContain("/calendar/feed/");
    expect(other.client.jar.get("__ares_new_feed")).toBeUndefined();
    // The owner's own current token without the signature (`<value>.<signature>`) is not shown either:
    // only a value ARES signed is taken as the link just made.
    const unsigned = decodeURIComponent(cookie).split(".").slice(0, -1).join(".");
    expect(unsigned).not.toBe("");
    client.jar.set("__ares_new_feed", encodeURIComponent(unsigned));
    const forged = await client.get("/calendar?feed=created");
    expect(forged.status).toBe(200);
    expect(await forged.text()).not.toContain("/calendar/feed/");
    expect(client.jar.get("__ares_new_feed")).toBeUndefined();

    client.jar.set("__ares_new_feed", cookie);
    const data = await client.get("/calendar.data?feed=created");
    expect(data.headers.get("cache-control")).toBe("private, no-store");
    expect(data.status).toBe(200);
    expect(new Set((await data.text()).match(FEED_URL_G)).size).toBe(1);
    expect(client.jar.get("__ares_new_feed")).toBeUndefined();
    expect(await (await client.get("/calendar.data?feed=created")).text()).not.toContain("/calendar/feed/");
  });
});
