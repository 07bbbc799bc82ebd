/**
 * Subscribing to an external .ics calendar over real HTTP, without JavaScript: the feed is served by a
 * small HTTP server on 127.0.0.1 (hence CALENDAR_SUBSCRIPTION_ALLOW_PRIVATE=true here only). Refreshes
 * replace the events all-or-nothing, failures keep them and say why, the job queue refreshes what is
 * due, subscribed events are read-only, unsubscribing removes them, and nobody else sees any of it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDateTime } from "~/accounts/time-zone";
import { MAX_IMPORT_EVENTS } from "~/calendar/import-limits";
import { prisma } from "~/db/db.server";
import { signedUp } from "../support/app-server";
import type { browserClient } from "../support/cookie-jar";
import { type ServerProcess, ensureBuild, startServer } from "../support/server-process";

type Served = { status: number; body: string; delayMs?: number; location?: string; authorization?: string };
const feeds = new Map<string, Served>();
let feedServer: http.Server;
let feedBase: string;
// Another origin (another port) that a feed may redirect to: it records the Authorization each request carried.
let otherServer: http.Server;
let otherBase: string;
const otherAuthorizations: Array<string | undefined> = [];
let server: ServerProcess;
type Client = ReturnType<typeof browserClient>;

beforeAll(async () => {
  feedServer = http.createServer((request, response) => {
    let served = feeds.get(request.url ?? "") ?? { status: 404, body: "no such feed" };
    if (served.authorization && request.headers.authorization !== served.authorization) {
      served = { status: 401, body: "who are you?" };
    }
    const answer = () => {
      if (served.location) response.setHeader("location", served.location);
      response.writeHead(served.status, { "content-type": "text/calendar; charset=utf-8" });
      response.end(served.body);
    };
    if (served.delayMs) setTimeout(answer, served.delayMs).unref();
    else answer();
  });
  await new Promise<void>((resolve) => feedServer.listen(0, "127.0.0.1", resolve));
  feedBase = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}`;
  otherServer = http.createServer((request, response) => {
    otherAuthorizations.push(request.headers.authorization);
    response.writeHead(200, { "content-type": "text/calendar; charset=utf-8" });
    response.end(first);
  });
  await new Promise<void>((resolve) => otherServer.listen(0, "127.0.0.1", resolve));
  otherBase = `http://127.0.0.1:${(otherServer.address() as AddressInfo).port}`;
  await ensureBuild();
  server = await startServer({
    DATABASE_URL: process.env.DATABASE_URL,
    NODE_ENV: "test",
    ARES_SKIP_MIGRATIONS: "true",
    SESSION_SECRET: "calendar-subscriptions-test-secret-0123456789",
    RATE_LIMIT_READ_PER_MINUTE: "0",
    RATE_LIMIT_WRITE_PER_MINUTE: "0",
    CALENDAR_SUBSCRIPTION_ALLOW_PRIVATE: "true",
    CALENDAR_SUBSCRIPTION_TIMEOUT_MS: "1500",
    JOBS_POLL_INTERVAL_MS: "500",
  });
}, 180_000);
afterAll(async () => {
  await server?.stop();
  feedServer?.closeAllConnections();
  await new Promise((resolve) => feedServer?.close(resolve));
  otherServer?.closeAllConnections();
  await new Promise((resolve) => otherServer?.close(resolve));
});

let counter = 0;
async function person(): Promise<{ client: Client; email: string }> {
  const email = `sub-${++counter}-${Math.random().toString(36).slice(2, 6)}@example.test`;
  const client = await signedUp(server.url, email, { name: "Sub" });
  await prisma.user.update({ where: { email }, data: { timeZone: "Europe/Berlin" } });
  return { client, email };
}

const calendar = (...events: string[]) =>
  ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Feed//EN", ...events, "END:VCALENDAR", ""].join("\r\n");
const vevent = (...lines: string[]) =>
  ["BEGIN:VEVENT", "DTSTAMP:20261201T000000Z", ...lines, "END:VEVENT"].join("\r\n");

const holiday = (title = "New Year") =>
  vevent("UID:holiday@feed", `SUMMARY:${title}`, "DTSTART;VALUE=DATE:20270101", "DTEND;VALUE=DATE:20270102");
const sync = vevent(
  "UID:sync@feed",
  "SUMMARY:Team sync",
  "DTSTART;TZID=Europe/Berlin:20270104T100000",
  "DTEND;TZID=Europe/Berlin:20270104T103000",
  "RRULE:FREQ=WEEKLY;COUNT=4",
  "BEGIN:VALARM",
  "ACTION:DISPLAY",
  "TRIGGER:-PT10M",
  "END:VALARM",
);
const syncMoved = vevent(
  "UID:sync@feed",
  "SUMMARY:Team sync (moved)",
  "RECURRENCE-ID;TZID=Europe/Berlin:20270111T100000",
  "DTSTART;TZID=Europe/Berlin:20270111T110000",
  "DTEND;TZID=Europe/Berlin:20270111T113000",
);
const talk = vevent("UID:talk@feed", "SUMMARY:Talk", "DTSTART:20270120T150000Z", "DTEND:20270120T160000Z");
const launch = vevent("UID:launch@feed", "SUMMARY:Launch", "DTSTART:20270125T080000Z", "DTEND:20270125T090000Z");
const noUid = vevent("SUMMARY:Nameless", "DTSTART:20270126T080000Z", "DTEND:20270126T090000Z");

const first = calendar(holiday(), sync, syncMoved, talk, noUid);
const second = calendar(holiday("New Year (observed)"), sync, syncMoved, launch, noUid);

let feedCounter = 0;
/** A feed path of its own for one test. */
function serve(served: Served): string {
  const path = `/feed-${++feedCounter}.ics`;
  feeds.set(path, served);
  return path;
}

async function subscribe(client: Client, path: string, name = "Team calendar", refreshMinutes = "60") {
  const response = await client.post("/calendar/subscriptions", { name, url: `${feedBase}${path}`, refreshMinutes });
  expect(response.status).toBe(302);
  const location = response.headers.get("location")!;
  // What the page says once rides in a one-time notice cookie, not in the address.
  expect(location).toMatch(/^\/calendar\/subscriptions\/[^/?]+$/);
  return location.split("/").at(-1)!;
}

const page = async (client: Client, path: string) => {
  const response = await client.get(path);
  expect(response.status).toBe(200);
  // Without React's markers between adjacent texts: the words as a reader gets them.
  return (await response.text()).replaceAll("&#x27;", "'").replaceAll("&quot;", '"').replaceAll("<!-- -->", "");
};
const datetimes = (html: string) => [...html.matchAll(/<time[^>]*dateTime="([^"]+)"/gi)].map((match) => match[1]);

/** "Refresh now" may be pressed once a minute: a test that presses it again moves the last press back. */
async function pressedLongAgo(subscriptionId: string) {
  await prisma.calendarSubscription.update({
    where: { id: subscriptionId },
    data: { refreshRequestedAt: new Date(Date.now() - 120_000) },
  });
}

async function eventsOf(subscriptionId: string) {
  return prisma.event.findMany({
    where: { subscriptionId },
    orderBy: [{ uid: "asc" }, { recurrenceId: { sort: "asc", nulls: "first" } }],
    select: { id: true, uid: true, title: true, source: true, recurrenceId: true, reminders: true },
  });
}

describe("calendar subscriptions without JavaScript", () => {
  it("subscribes to a feed, shows its events read-only, and reports what the read did", async () => {
    const { client } = await person();
    expect(await page(client, "/calendar")).toContain('href="/calendar/subscriptions"');
    const form = await page(client, "/calendar/subscriptions");
    expect(form).toContain("Subscribe to a calendar");
    const id = await subscribe(client, serve({ status: 200, body: first }));
    const details = await page(client, `/calendar/subscriptions/${id}`);
    expect(details).toContain("Subscribed. Its events are in your calendar, read-only, and refresh on their own.");
    expect(await page(client, `/calendar/subscriptions/${id}`)).not.toContain("Subscribed.");
    expect(details).toContain("Last refresh: 3 created, 0 updated, 0 removed, 1 skipped.");
    expect(details).toContain("Nameless: It has no UID.");
    expect(details).toContain("Refresh now");

    const events = await eventsOf(id);
    expect(events.map((event) => [event.uid, event.title, event.source])).toEqual([
      ["holiday@feed", "New Year", "subscription"],
      ["sync@feed", "Team sync", "subscription"],
      ["sync@feed", "Team sync (moved)", "subscription"],
      ["talk@feed", "Talk", "subscription"],
    ]);
    // A feed's alarms do not become my reminders.
    expect(events.every((event) => event.reminders.length === 0)).toBe(true);
    expect(datetimes(await page(client, "/calendar?view=agenda&date=2027-01-01"))).toEqual([
      "2027-01-01T00:00:00+01:00",
      "2027-01-04T10:00:00+01:00",
      "2027-01-11T11:00:00+01:00",
      "2027-01-18T10:00:00+01:00",
      "2027-01-20T16:00:00+01:00",
      "2027-01-25T10:00:00+01:00",
    ]);

    const talkId = events.find((event) => event.uid === "talk@feed")!.id;
    const eventPage = await page(client, `/calendar/events/${talkId}`);
    expect(eventPage).toContain("From subscription");
    expect(eventPage).toContain("Team calendar");
    expect(eventPage).not.toContain(`/calendar/events/${talkId}/edit`);
    expect(eventPage).not.toContain(`/calendar/events/${talkId}/delete`);
    // Each refusal says why, naming the subscription (it said "Your account does not have access to this page").
    const readOnly = "This event comes from the subscription “Team calendar”: change it in that calendar.";
    for (const refused of [
      await client.get(`/calendar/events/${talkId}/edit`),
      await client.get(`/calendar/events/${talkId}/delete`),
      await client.post(`/calendar/events/${talkId}/delete`, { scope: "all" }),
      await client.post(`/calendar/events/${talkId}/edit`, { title: "Mine now" }),
    ]) {
      expect(refused.status).toBe(403);
      // What the page shows, not the copy of the error in Remix's hydration data.
      const body = (await refused.text()).replaceAll(/<script[^>]*>[\s\S]*?<\/script>/g, "").replaceAll("<!-- -->", "");
      expect(body).toContain(readOnly);
      expect(body).not.toContain("does not have access");
    }
    expect(await prisma.event.count({ where: { id: talkId, title: "Talk" } })).toBe(1);
  });

  it("Refresh now: same UID updated in place, new created, gone removed, exceptions rebuilt", async () => {
    const { client } = await person();
    const path = serve({ status: 200, body: first });
    const id = await subscribe(client, path);
    const before = await eventsOf(id);
    feeds.set(path, { status: 200, body: second });
    const response = await client.post(`/calendar/subscriptions/${id}`, { intent: "refresh" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`/calendar/subscriptions/${id}`);
    const refreshed = await page(client, `/calendar/subscriptions/${id}`);
    expect(refreshed).toContain('<p class="notice">Refreshed.</p>');
    expect(refreshed).toContain("Last refresh: 1 created, 2 updated, 1 removed, 1 skipped.");
    const after = await eventsOf(id);
    expect(after.map((event) => [event.uid, event.title])).toEqual([
      ["holiday@feed", "New Year (observed)"],
      ["launch@feed", "Launch"],
      ["sync@feed", "Team sync"],
      ["sync@feed", "Team sync (moved)"],
    ]);
    // Updated in place: links to the event keep working.
    const holidayId = (events: typeof before) => events.find((event) => event.uid === "holiday@feed")!.id;
    expect(holidayId(after)).toBe(holidayId(before));
    const agenda = await page(client, "/calendar?view=agenda&date=2027-01-01");
    expect(agenda).toContain("Launch");
    expect(agenda).not.toContain(">Talk<");
  });

  it("a feed that fails keeps the last good events and says why, for each kind of failure", async () => {
    const { client } = await person();
    const path = serve({ status: 200, body: first });
    const id = await subscribe(client, path);
    const failures: [Served, string][] = [
      [{ status: 500, body: "oops" }, "The calendar's server answered 500."],
      [
        { status: 200, body: "<html>not a calendar</html>" },
        "The feed is not a calendar (.ics), or it is damaged: it could not be read.",
      ],
      [{ status: 200, body: "BEGIN:VTODO\r\nEND:VTODO\r\n" }, "The feed is not a usable calendar."],
      [
        {
          status: 200,
          body: calendar(holiday()).replace("END:VCALENDAR", "X-PAD:" + "x".repeat(2_100_000) + "\r\nEND:VCALENDAR"),
        },
        "The calendar is too large (over 2 MB).",
      ],
      [
        {
          status: 200,
          body: calendar(
            Array.from(
              { length: MAX_IMPORT_EVENTS + 1 },
              (_, i) => `BEGIN:VEVENT\r\nUID:many${i}@feed\r\nDTSTART:20270101T100000Z\r\nSUMMARY:n${i}\r\nEND:VEVENT`,
            ).join("\r\n"),
          ),
        },
        `The feed has ${(MAX_IMPORT_EVENTS + 1).toLocaleString("en-GB")} events; ARES reads feeds of at most ${MAX_IMPORT_EVENTS.toLocaleString("en-GB")}.`,
      ],
      [{ status: 302, body: "", location: path }, "The address redirects too many times."],
      [{ status: 200, body: first, delayMs: 5_000 }, "The calendar's server took too long to answer."],
    ];
    for (const [served, message] of failures) {
      feeds.set(path, served);
      await pressedLongAgo(id);
      expect((await client.post(`/calendar/subscriptions/${id}`, { intent: "refresh" })).status).toBe(302);
      const details = await page(client, `/calendar/subscriptions/${id}`);
      expect(details).toContain(message);
      expect(details).toContain("The events from the last good refresh are kept.");
      expect((await eventsOf(id)).length).toBe(4);
    }
    // Back to a good feed: the error goes away.
    feeds.set(path, { status: 200, body: second });
    await pressedLongAgo(id);
    await client.post(`/calendar/subscriptions/${id}`, { intent: "refresh" });
    expect(await page(client, `/calendar/subscriptions/${id}`)).not.toContain("failed:");
  });

  it("Refresh now pressed again within a minute is refused with a notice, and the feed is not fetched", async () => {
    const { client } = await person();
    const path = serve({ status: 200, body: first });
    const id = await subscribe(client, path);
    let fetched = 0;
    const count = (request: http.IncomingMessage) => {
      if (request.url === path) fetched += 1;
    };
    feedServer.on("request", count);
    try {
      expect((await client.post(`/calendar/subscriptions/${id}`, { intent: "refresh" })).status).toBe(302);
      expect(await page(client, `/calendar/subscriptions/${id}`)).toContain("Refreshed.");
      expect(fetched).toBe(1);
      const again = await client.post(`/calendar/subscriptions/${id}`, { intent: "refresh" });
      expect(again.status).toBe(302);
      expect(again.headers.get("location")).toBe(`/calendar/subscriptions/${id}`);
      const refused = await page(client, `/calendar/subscriptions/${id}`);
      expect(refused).toMatch(/It was refreshed less than a minute ago: try again in (\d+) seconds?\./);
      expect(refused).not.toContain("Refreshed.");
      expect(fetched).toBe(1);
      // The time is in the database: once a minute has passed, a press reads the feed again.
      await pressedLongAgo(id);
      expect((await client.post(`/calendar/subscriptions/${id}`, { intent: "refresh" })).status).toBe(302);
      expect(await page(client, `/calendar/subscriptions/${id}`)).toContain("Refreshed.");
      expect(fetched).toBe(2);
    } finally {
      feedServer.off("request", count);
    }
  });

  it("counts its events in words that agree: 1 event, 2 events", async () => {
    const { client } = await person();
    const one = await subscribe(client, serve({ status: 200, body: calendar(talk) }), "One");
    const list = await page(client, "/calendar/subscriptions");
    expect(list).toContain("1 event · every hour");
    expect(await page(client, `/calendar/subscriptions/${one}`)).toContain(
      "Removes this subscription and its 1 event from your calendar.",
    );
    await subscribe(client, serve({ status: 200, body: calendar(talk, launch) }), "Two");
    expect(await page(client, "/calendar/subscriptions")).toContain("2 events · every hour");
  });

  it("a feed whose first read fails is refused at the form with why, the address kept, and nothing stored", async () => {
    const { client, email } = await person();
    const failures: [Served, string][] = [
      [{ status: 500, body: "oops" }, "The calendar's server answered 500."],
      [
        { status: 200, body: "<html>not a calendar</html>" },
        "The feed is not a calendar (.ics), or it is damaged: it could not be read.",
      ],
    ];
    for (const [served, message] of failures) {
      const url = `${feedBase}${serve(served)}`;
      const response = await client.post("/calendar/subscriptions", { name: "Broken feed", url, refreshMinutes: "60" });
      expect(response.status, message).toBe(400);
      const form = (await response.text()).replaceAll("&#x27;", "'");
      expect(form).toContain(message);
      expect(form).toContain(`value="${url}"`);
      expect(form).toContain('value="Broken feed"');
    }
    expect(await prisma.calendarSubscription.count({ where: { user: { email } } })).toBe(0);
    expect(await page(client, "/calendar/subscriptions")).toContain("No subscriptions yet.");
  });

  it("says on the list and the subscription's page that refreshes fail, why, and when it was last read", async () => {
    const { client } = await person();
    const path = serve({ status: 200, body: first });
    const id = await subscribe(client, path);
    const { lastSuccessAt } = await prisma.calendarSubscription.findUniqueOrThrow({ where: { id } });
    // On the person's clock (Berlin), as the other calendar pages say times; the instant stays in <time>.
    const lastRead = `<time dateTime="${lastSuccessAt!.toISOString()}">${formatDateTime(lastSuccessAt!, "Europe/Berlin")}</time>`;
    feeds.set(path, { status: 500, body: "oops" });
    await pressedLongAgo(id);
    expect((await client.post(`/calendar/subscriptions/${id}`, { intent: "refresh" })).status).toBe(302);
    const details = await page(client, `/calendar/subscriptions/${id}`);
    expect(details).toContain("The calendar's server answered 500.");
    expect(details).toContain("The events from the last good refresh are kept.");
    expect(details).not.toContain("never been read successfully");
    expect(details).toContain(lastRead);
    expect(details).not.toContain(" UTC");
    const { nextRefreshAt, lastAttemptAt } = await prisma.calendarSubscription.findUniqueOrThrow({ where: { id } });
    for (const when of [nextRefreshAt, lastAttemptAt!]) {
      expect(details).toContain(
        `<time dateTime="${when.toISOString()}">${formatDateTime(when, "Europe/Berlin")}</time>`,
      );
    }
    expect(await page(client, "/calendar/subscriptions")).toContain(
      `Last refresh failed: The calendar's server answered 500. Last read successfully: ${lastRead}.`,
    );
    // A subscription stored before first reads were required may never have been read: it does not claim
    // events from a good refresh are kept.
    await prisma.calendarSubscription.update({ where: { id }, data: { lastSuccessAt: null } });
    const unread = await page(client, `/calendar/subscriptions/${id}`);
    expect(unread).toContain("It has never been read successfully, so none of its events are in your calendar yet.");
    expect(unread).not.toContain("last good refresh");
    expect(await page(client, "/calendar/subscriptions")).toContain("Last read successfully: never.");
    // A refresh that works again clears the error everywhere.
    feeds.set(path, { status: 200, body: first });
    await pressedLongAgo(id);
    expect((await client.post(`/calendar/subscriptions/${id}`, { intent: "refresh" })).status).toBe(302);
    expect(await page(client, "/calendar/subscriptions")).not.toContain("Last refresh failed");
  });

  it("a feed address with user:password is fetched with them and shown without them, in pages and logs", async () => {
    const { client } = await person();
    const path = serve({
      status: 200,
      body: first,
      authorization: `Basic ${Buffer.from("alice:s3cr3t!pw").toString("base64")}`,
    });
    const withCredentials = feedBase.replace("http://", "http://alice:s3cr3t%21pw@") + path;
    const response = await client.post("/calendar/subscriptions", {
      name: "Private feed",
      url: withCredentials,
      refreshMinutes: "60",
    });
    expect(response.status).toBe(302);
    const id = response.headers.get("location")!.split("/").at(-1)!;
    // The server got the credentials: the feed was read.
    expect((await eventsOf(id)).length).toBe(4);
    const shown = feedBase.replace("http://", "http://•••@") + path;
    const details = await page(client, `/calendar/subscriptions/${id}`);
    expect(details).toContain(shown);
    const list = await page(client, "/calendar/subscriptions");
    for (const html of [details, list]) {
      expect(html).not.toContain("s3cr3t");
      expect(html).not.toContain("alice");
    }
    // Kept for the next refresh, which still reads it.
    expect((await prisma.calendarSubscription.findUniqueOrThrow({ where: { id } })).url).toBe(withCredentials);
    expect((await client.post(`/calendar/subscriptions/${id}`, { intent: "refresh" })).status).toBe(302);
    expect(await page(client, `/calendar/subscriptions/${id}`)).toContain("Refreshed.");
    expect(server.output()).not.toContain("s3cr3t");
  });

  it("shows a private feed's address without the tokens in its query and path; the stored one stays exact", async () => {
    const { client } = await person();
    // As iCloud's and Google's private links: a long random path segment, and a token in the query.
    const path = `/private/${"a1b2c3d4".repeat(4)}/team.ics?token=s3cr3tT0ken&lang=en`;
    feeds.set(path, { status: 200, body: first });
    const id = await subscribe(client, path, "Private team");
    expect((await eventsOf(id)).length).toBe(4);
    const details = await page(client, `/calendar/subscriptions/${id}`);
    expect(details).toContain(`${feedBase}/private/•••/team.ics?token=•••&amp;lang=•••`);
    // The list names each subscription; its address is only on the subscription's own page.
    const list = await page(client, "/calendar/subscriptions");
    expect(list).toContain("Private team");
    for (const html of [details, list]) {
      expect(html).not.toContain("s3cr3tT0ken");
      expect(html).not.toContain("a1b2c3d4a1b2");
    }
    // Kept exactly for the refreshes, which still read the feed with it.
    expect((await prisma.calendarSubscription.findUniqueOrThrow({ where: { id } })).url).toBe(`${feedBase}${path}`);
    expect((await client.post(`/calendar/subscriptions/${id}`, { intent: "refresh" })).status).toBe(302);
    expect(await page(client, `/calendar/subscriptions/${id}`)).toContain("Refreshed.");
  });

  it("a password with a bare % in it (50%off) is sent as typed, on subscribing and on refreshing", async () => {
    const { client } = await person();
    const path = serve({
      status: 200,
      body: first,
      authorization: `Basic ${Buffer.from("alice:50%off").toString("base64")}`,
    });
    const response = await client.post("/calendar/subscriptions", {
      name: "Percent feed",
      url: feedBase.replace("http://", "http://alice:50%off@") + path,
      refreshMinutes: "60",
    });
    expect(response.status).toBe(302);
    const id = response.headers.get("location")!.split("/").at(-1)!;
    expect((await eventsOf(id)).length).toBe(4);
    await pressedLongAgo(id);
    expect((await client.post(`/calendar/subscriptions/${id}`, { intent: "refresh" })).status).toBe(302);
    expect(await page(client, `/calendar/subscriptions/${id}`)).toContain("Refreshed.");
    expect(server.output()).not.toContain("50%off");
  });

  it("sends the feed's user:password after a redirect on its own origin, never to another origin", async () => {
    const { client } = await person();
    const authorization = `Basic ${Buffer.from("alice:s3cr3t!pw").toString("base64")}`;
    const withCredentials = (path: string) => feedBase.replace("http://", "http://alice:s3cr3t%21pw@") + path;
    // Same origin: the feed server answers 401 unless the credentials came along to the target too.
    const target = serve({ status: 200, body: first, authorization });
    const sameOrigin = serve({ status: 302, body: "", location: target, authorization });
    const same = await client.post("/calendar/subscriptions", {
      name: "Moved here",
      url: withCredentials(sameOrigin),
      refreshMinutes: "60",
    });
    expect(same.status).toBe(302);
    expect((await eventsOf(same.headers.get("location")!.split("/").at(-1)!)).length).toBe(4);
    // Another port is another origin: it is read without them.
    otherAuthorizations.length = 0;
    const elsewhere = serve({ status: 302, body: "", location: `${otherBase}/elsewhere.ics`, authorization });
    const other = await client.post("/calendar/subscriptions", {
      name: "Moved away",
      url: withCredentials(elsewhere),
      refreshMinutes: "60",
    });
    expect(other.status).toBe(302);
    expect((await eventsOf(other.headers.get("location")!.split("/").at(-1)!)).length).toBe(4);
    expect(otherAuthorizations).toEqual([undefined]);
  });

  it("follows a redirect to the feed", async () => {
    const { client } = await person();
    const target = serve({ status: 200, body: first });
    const id = await subscribe(client, serve({ status: 301, body: "", location: target }));
    expect(await page(client, `/calendar/subscriptions/${id}`)).toContain("3 created");
  });

  it("the job queue refreshes a subscription when its interval has passed, not before", async () => {
    const { client } = await person();
    const path = serve({ status: 200, body: first });
    const id = await subscribe(client, path, "Scheduled", "15");
    const row = await prisma.calendarSubscription.findUniqueOrThrow({ where: { id } });
    expect(row.nextRefreshAt.getTime() - row.lastAttemptAt!.getTime()).toBe(15 * 60_000);
    feeds.set(path, { status: 200, body: second });
    // Not due yet: a scan leaves it alone.
    expect((await client.post("/test-only/scan/subscriptions", {})).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await eventsOf(id)).map((event) => event.uid)).toContain("talk@feed");
    // Due: the scan queues its refresh.
    await prisma.calendarSubscription.update({ where: { id }, data: { nextRefreshAt: new Date(Date.now() - 1000) } });
    expect((await client.post("/test-only/scan/subscriptions", {})).status).toBe(200);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await eventsOf(id)).some((event) => event.uid === "talk@feed")) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect((await eventsOf(id)).map((event) => event.uid)).toEqual([
      "holiday@feed",
      "launch@feed",
      "sync@feed",
      "sync@feed",
    ]);
    const refreshed = await prisma.calendarSubscription.findUniqueOrThrow({ where: { id } });
    expect(refreshed.nextRefreshAt.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
  }, 40_000);

  it("changes the interval, refuses bad input with the fields kept, and unsubscribing removes its events", async () => {
    const { client } = await person();
    const bad = await client.post("/calendar/subscriptions", {
      name: "Files",
      url: "file:///etc/passwd",
      refreshMinutes: "60",
    });
    expect(bad.status).toBe(400);
    const badPage = await bad.text();
    expect(badPage).toContain("Use an address that starts with https://, http:// or webcal://.");
    expect(badPage).toContain('value="Files"');
    expect(await prisma.calendarSubscription.count({ where: { name: "Files" } })).toBe(0);

    const id = await subscribe(client, serve({ status: 200, body: first }));
    expect(
      (await client.post(`/calendar/subscriptions/${id}`, { intent: "save", name: "Renamed", refreshMinutes: "1440" }))
        .status,
    ).toBe(302);
    const row = await prisma.calendarSubscription.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ name: "Renamed", refreshMinutes: 1440 });
    expect(await page(client, `/calendar/subscriptions/${id}`)).toContain("The subscription has been saved.");
    expect(row.nextRefreshAt.getTime() - row.lastAttemptAt!.getTime()).toBe(1440 * 60_000);
    expect(
      (await client.post(`/calendar/subscriptions/${id}`, { intent: "save", name: "", refreshMinutes: "7" })).status,
    ).toBe(400);

    expect(await prisma.event.count({ where: { subscriptionId: id } })).toBe(4);
    const response = await client.post(`/calendar/subscriptions/${id}`, { intent: "unsubscribe" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/calendar/subscriptions");
    const unsubscribed = "Unsubscribed: its events have been removed from your calendar.";
    expect(await page(client, "/calendar/subscriptions")).toContain(unsubscribed);
    expect(await page(client, "/calendar/subscriptions")).not.toContain(unsubscribed);
    expect(await prisma.event.count({ where: { subscriptionId: id } })).toBe(0);
    expect(await prisma.calendarSubscription.count({ where: { id } })).toBe(0);
    expect(await page(client, "/calendar?view=agenda&date=2027-01-01")).not.toContain("Team sync");
  });

  it("the calendar's forms give the browser their length limits (maxlength), so a box stops at the limit", async () => {
    const { client } = await person();
    /** The maxlength the first input or textarea named `name` on the page carries, or null. */
    const maxLength = (html: string, name: string) => {
      const tag = new RegExp(`<(?:input|textarea)[^>]*\\sname="${name}"[^>]*>`).exec(html)?.[0] ?? "";
      expect(tag, name).not.toBe("");
      return /\smaxLength="(\d+)"/i.exec(tag)?.[1] ?? null;
    };
    const newEvent = await page(client, "/calendar/new");
    expect(
      Object.fromEntries(
        ["title", "location", "description", "reminders"].map((name) => [name, maxLength(newEvent, name)]),
      ),
    ).toEqual({ title: "200", location: "300", description: "5000", reminders: "200" });
    const subscribing = await page(client, "/calendar/subscriptions");
    expect([maxLength(subscribing, "name"), maxLength(subscribing, "url")]).toEqual(["100", "2000"]);
    const id = await subscribe(client, serve({ status: 200, body: first }));
    expect(maxLength(await page(client, `/calendar/subscriptions/${id}`), "name")).toBe("100");
  });

  it("user B gets 404 for A's subscriptions and their events on every route and method", async () => {
    const a = await person();
    const b = await person();
    const id = await subscribe(a.client, serve({ status: 200, body: first }), "A's private calendar");
    const eventId = (await eventsOf(id))[0]!.id;
    expect((await b.client.get(`/calendar/subscriptions/${id}`)).status).toBe(404);
    for (const intent of ["refresh", "save", "unsubscribe", "nonsense"]) {
      const response = await b.client.post(`/calendar/subscriptions/${id}`, {
        intent,
        name: "Taken",
        refreshMinutes: "15",
      });
      expect([intent, response.status]).toEqual([intent, 404]);
    }
    for (const path of [
      `/calendar/events/${eventId}`,
      `/calendar/events/${eventId}/edit`,
      `/calendar/events/${eventId}/delete`,
    ]) {
      expect([path, (await b.client.get(path)).status]).toEqual([path, 404]);
      expect([path, (await b.client.post(path, { scope: "all" })).status]).toEqual([path, 404]);
    }
    expect(await page(b.client, "/calendar/subscriptions")).not.toContain("A&#x27;s private calendar");
    expect(await page(b.client, "/calendar/subscriptions")).not.toContain("A's private calendar");
    const row = await prisma.calendarSubscription.findUniqueOrThrow({ where: { id } });
    expect(row.name).toBe("A's private calendar");
    expect(await prisma.event.count({ where: { subscriptionId: id } })).toBe(4);
  });
});
