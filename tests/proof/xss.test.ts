/**
 * Issue #16's "the XSS corpus through every user-controlled field, rendered inert": each payload of a
 * small corpus is stored through every field a person (or a calendar they import or subscribe to)
 * controls, then every page that shows the field is fetched from the built server and parsed. A
 * payload must arrive as text (its tag is found in the page's text or attribute values, so the page
 * really showed it) and never as markup: no script without the response's nonce, no script text or
 * element from a payload, no on* attribute, no javascript: address.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Parser } from "htmlparser2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import type { ChatHarness } from "../support/chat-harness";
import { readEvents, lastMessageId } from "../support/chat-harness";
import { browserClient } from "../support/cookie-jar";
import { formVocabulary, startProofServer } from "./support";

const CORPUS = [
  `<script>alert(1)</script>`,
  `"><img src=x onerror=alert(1)>`,
  `javascript:alert(1)`,
  `<svg onload=alert(1)>`,
  `</textarea><script>x</script>`,
  `{{constructor.constructor('alert(1)')()}}`,
  // Fields rendered as Markdown (replies, event descriptions if they are) turn this into a link.
  `[click](javascript:alert(1))`,
];

/** A payload and the tag that says which field carried it (so the page is known to have shown that field). */
const carried = (field: string, index: number) => `${CORPUS[index]} ${field}${index}q`;
const tagOf = (field: string, index: number) => `${field}${index}q`;

let harness: ChatHarness;
let feed: http.Server;
let feedUrl = "";
const PASSWORD = "correct horse battery staple";

const ics = (...events: string[][]) =>
  ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//XSS//Test//EN", ...events.flat(), "END:VCALENDAR", ""].join("\r\n");
/** ICS TEXT escaping (RFC 5545 3.3.11). */
const text = (value: string) => value.replace(/\\/g, "\\\\").replace(/[,;]/g, (c) => `\\${c}`);
const vevent = (uid: string | null, field: string, index: number, day: number) => [
  "BEGIN:VEVENT",
  "DTSTAMP:20291201T000000Z",
  ...(uid ? [`UID:${uid}`] : []),
  `SUMMARY:${text(carried(`${field}s`, index))}`,
  `LOCATION:${text(carried(`${field}l`, index))}`,
  `DESCRIPTION:${text(carried(`${field}d`, index))}`,
  `DTSTART:203001${String(day).padStart(2, "0")}T100000Z`,
  `DTEND:203001${String(day).padStart(2, "0")}T110000Z`,
  "END:VEVENT",
];

beforeAll(async () => {
  const feedBody = ics(
    ...CORPUS.map((_, index) => vevent(`feed-${index}@xss`, "sub", index, 20 + index)),
    // Skipped (no UID): the refresh report names it by its SUMMARY.
    vevent(null, "subskip", 0, 28),
  );
  feed = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/calendar" }).end(feedBody));
  await new Promise<void>((resolve) => feed.listen(0, "127.0.0.1", resolve));
  feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/feed.ics`;
  harness = await startProofServer(5_000_000, { CALENDAR_SUBSCRIPTION_ALLOW_PRIVATE: "true" });
}, 180_000);
afterAll(async () => {
  await harness?.stop();
  await new Promise((resolve) => feed?.close(resolve));
});

type Violation = string;

/**
 * Parses a page and returns what of a payload became markup, plus everything a person would read or a
 * control holds (text and attribute values, entities decoded).
 */
function inspect(html: string): { violations: Violation[]; shown: string } {
  const violations: Violation[] = [];
  const shown: string[] = [];
  let inScript = false;
  let scriptText = "";
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        for (const [attribute, value] of Object.entries(attributes)) {
          shown.push(value);
          if (/^on/i.test(attribute)) violations.push(`<${name} ${attribute}="${value}">`);
          // Browsers ignore tabs, newlines and leading spaces in a scheme.
          const address = [...value]
            .filter((character) => character.charCodeAt(0) > 0x20)
            .join("")
            .toLowerCase();
          if (/^(href|src|action|formaction|xlink:href|data|poster|srcdoc)$/i.test(attribute)) {
            if (address.startsWith("javascript:") || address.startsWith("data:text/html"))
              violations.push(`<${name} ${attribute}="${value}">`);
          }
        }
        if (name === "script") {
          inScript = true;
          scriptText = "";
          if (!attributes.nonce) violations.push(`<script> without the nonce: ${JSON.stringify(attributes)}`);
          if (attributes.src && !attributes.src.startsWith("/assets/"))
            violations.push(`<script src=${attributes.src}>`);
        }
        if (name === "img" && attributes.src === "x") violations.push("<img src=x> from a payload");
        if (name === "svg" && "onload" in attributes) violations.push("<svg onload> from a payload");
      },
      ontext(data) {
        if (inScript) scriptText += data;
        else shown.push(data);
      },
      onclosetag(name) {
        if (name !== "script") return;
        inScript = false;
        // The app's own scripts carry data as JSON; a payload's script is its whole body.
        if (/^\s*(alert\(1\)|x)\s*$/.test(scriptText)) violations.push(`<script>${scriptText}</script>`);
      },
    },
    { decodeEntities: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  // What a parser that stopped early would miss: the raw payloads, unescaped, anywhere in the bytes.
  for (const raw of ["<script>alert", "<script>x</script>", "<img src=x", "<svg onload"]) {
    if (html.toLowerCase().includes(raw)) violations.push(`raw ${raw}`);
  }
  return { violations, shown: shown.join("\n") };
}

describe("the XSS corpus through every user-controlled field", () => {
  it("is shown as text, never as markup, on every page that shows the field", async () => {
    const base = harness.server.url;
    // The instance's first account: the admin, who also sees the people pages.
    const client = browserClient(base);
    const email = `xss-${Date.now().toString(36)}@example.test`;
    expect((await client.post("/signup", { email, password: PASSWORD })).status).toBe(302);
    expect(
      (
        await client.get("/login", {
          method: "POST",
          body: new URLSearchParams({ email, password: PASSWORD }),
          // The session list shows the browser a session was started from.
          headers: { "user-agent": carried("ua", 0) },
        })
      ).status,
    ).toBe(302);
    const me = await prisma.user.findUniqueOrThrow({ where: { email } });
    expect(me.role).toBe("admin");

    // page → the tags it must show
    const expected = new Map<string, Set<string>>();
    const expect_ = (page: string, ...tags: string[]) => {
      const set = expected.get(page) ?? new Set<string>();
      for (const tag of tags) set.add(tag);
      expected.set(page, set);
    };
    const failures: string[] = [];
    const check = async (page: string) => {
      const response = await client.get(page);
      const html = await response.text();
      if (response.status !== 200) {
        failures.push(`${page} → ${response.status}`);
        return;
      }
      const { violations, shown } = inspect(html);
      for (const violation of violations) failures.push(`${page}: ${violation}`);
      for (const tag of expected.get(page) ?? []) if (!shown.includes(tag)) failures.push(`${page}: ${tag} not shown`);
    };

    const eventIds: string[] = [];
    const conversations: string[] = [];
    for (const [index] of CORPUS.entries()) {
      // Memory: a fact's key and value, a preference's key and value.
      for (const [intent, field] of [
        ["add-fact", "fact"],
        ["add-preference", "pref"],
      ] as const) {
        const saved = await client.post("/memory", {
          intent,
          kind: "personal",
          key: carried(`${field}k`, index).slice(0, 80),
          value: carried(`${field}v`, index),
        });
        expect(saved.status, `${intent} ${index}`).toBeLessThan(400);
        expect_("/memory", tagOf(`${field}v`, index));
        expect_(`/memory?q=${tagOf(`${field}v`, index)}`, tagOf(`${field}v`, index));
      }
      // An event's title, location and description, through the form.
      const day = `2030-01-${String(index + 1).padStart(2, "0")}`;
      const created = await client.post("/calendar/new", {
        title: carried("evt", index),
        startDate: day,
        startTime: "09:00",
        endDate: day,
        endTime: "10:00",
        timeZone: "UTC",
        location: carried("evl", index),
        description: carried("evd", index),
        repeat: "none",
        interval: "1",
        monthlyBy: "date",
        ends: "never",
        until: "",
        count: "",
        reminders: "10",
      });
      expect(created.status, `event ${index}`).toBe(302);
      const eventId = created.headers.get("location")!.split("/").at(-1)!.split("?")[0]!;
      eventIds.push(eventId);
      expect_(`/calendar/events/${eventId}`, tagOf("evt", index), tagOf("evl", index), tagOf("evd", index));
      expect_(`/calendar/events/${eventId}/edit`, tagOf("evt", index), tagOf("evl", index), tagOf("evd", index));
      expect_(`/calendar?view=day&date=${day}`, tagOf("evt", index));
      expect_(`/calendar?view=week&date=${day}`, tagOf("evt", index));
      expect_("/calendar?view=month&date=2030-01-01", tagOf("evt", index));
      expect_("/calendar?view=agenda&date=2030-01-01", tagOf("evt", index));
      expect_(`/calendar?q=${tagOf("evt", index)}`, tagOf("evt", index));
      // A reminder of that event, as the reminder job writes it (title and place from the event).
      await prisma.notification.create({
        data: {
          userId: me.id,
          kind: "reminder",
          title: carried("evt", index),
          body: carried("evl", index),
          link: `/calendar/events/${eventId}`,
          dedupKey: `xss-${eventId}`,
        },
      });
      expect_("/notifications", tagOf("evt", index));
      // A message (the stub model repeats it in its reply, which is rendered from Markdown) and a title.
      const sent = await client.post("/chat?index", { message: carried("msg", index) });
      expect(sent.status, `message ${index}`).toBe(302);
      const path = sent.headers.get("location")!.replace(/#latest$/, "");
      conversations.push(path);
      const replyId = lastMessageId(await (await client.get(path)).text());
      expect((await readEvents(await client.get(`${path}/stream?message=${replyId}`))).at(-1)?.event).toBe("done");
      expect((await client.post(path, { intent: "rename", title: carried("ttl", index) })).status).toBeLessThan(400);
      expect_(path, tagOf("msg", index), tagOf("ttl", index));
      expect_("/chat", tagOf("ttl", index));
      // Search results show the matched text with the match marked (built as HTML on the server).
      expect_(`/chat?q=${tagOf("msg", index)}`, tagOf("msg", index));
      expect_(`/chat?q=${tagOf("ttl", index)}`, tagOf("ttl", index));
    }
    // A people-page name: one at a time (a person has one), each checked where it shows.
    const namePages = ["/settings/profile", "/admin/users", `/admin/users/${me.id}`];
    for (const [index] of CORPUS.entries()) {
      const saved = await client.post("/settings/profile", { name: carried("name", index), timeZone: "UTC" });
      expect(saved.status, `name ${index}`).toBeLessThan(400);
      for (const page of namePages) expect_(page, tagOf("name", index));
      for (const page of namePages) await check(page);
      for (const page of namePages) expected.delete(page);
    }
    // An .ics import: SUMMARY, LOCATION and DESCRIPTION of each event, and one skipped by its SUMMARY.
    const form = new FormData();
    form.set("intent", "import");
    const imported = ics(
      ...CORPUS.map((_, index) => vevent(`import-${index}@xss`, "imp", index, 10 + index)),
      vevent(null, "impskip", 0, 18),
    );
    form.set("file", new File([imported], "xss.ics", { type: "text/calendar" }));
    const posted = await client.get("/calendar?index", { method: "POST", body: form });
    // Post/Redirect/Get: the report is on the page the import leads to.
    expect(posted.status).toBe(303);
    const report = await client.get(posted.headers.get("location")!);
    expect(report.status).toBe(200);
    const reportPage = inspect(await report.text());
    failures.push(...reportPage.violations.map((violation) => `import report: ${violation}`));
    if (!reportPage.shown.includes(tagOf("impskips", 0))) failures.push("import report: impskips0q not shown");
    for (const event of await prisma.event.findMany({ where: { userId: me.id, uid: { startsWith: "import-" } } })) {
      const index = Number(/import-(\d+)@/.exec(event.uid)![1]);
      expect_(`/calendar/events/${event.id}`, tagOf("imps", index), tagOf("impl", index), tagOf("impd", index));
      expect_("/calendar?view=month&date=2030-01-01", tagOf("imps", index));
    }
    // A subscription: its name, and its feed's events.
    const subscribed = await client.post("/calendar/subscriptions", {
      name: carried("subname", 1),
      url: feedUrl,
      refreshMinutes: "60",
    });
    expect(subscribed.status).toBe(302);
    const subscriptionId = subscribed.headers.get("location")!.split("/").at(-1)!.split("?")[0]!;
    expect_("/calendar/subscriptions", tagOf("subname", 1));
    expect_(`/calendar/subscriptions/${subscriptionId}`, tagOf("subname", 1), tagOf("subskips", 0));
    for (const event of await prisma.event.findMany({ where: { subscriptionId } })) {
      const index = Number(/feed-(\d+)@/.exec(event.uid)![1]);
      expect_(`/calendar/events/${event.id}`, tagOf("subs", index), tagOf("subl", index), tagOf("subd", index));
      expect_("/calendar?view=month&date=2030-01-01", tagOf("subs", index));
    }
    expect(await prisma.event.count({ where: { subscriptionId } })).toBe(CORPUS.length);
    // The person's own system prompt (one, holding every payload) and the instance's assistant memory.
    const prompt = await client.post("/settings/assistant", {
      intent: "save",
      systemPrompt: CORPUS.map((_, index) => carried("sys", index)).join("\n"),
    });
    expect(prompt.status).toBeLessThan(400);
    for (const [index] of CORPUS.entries()) {
      expect_("/settings/assistant", tagOf("sys", index));
      const saved = await client.post("/admin/assistant", {
        intent: "save",
        category: "identity",
        key: carried("amk", index).slice(0, 80),
        value: carried("amv", index),
        importance: "5",
      });
      expect(saved.status, `assistant memory ${index}`).toBeLessThan(400);
      expect_("/admin/assistant", tagOf("amv", index));
    }
    // The session list (the browser it was started from), the conversation's prompt view, the audit log.
    expect_("/settings/sessions", tagOf("ua", 0));
    expect_(`${conversations[0]}/prompt`, tagOf("msg", 0));
    expect_("/admin/audit");
    expect_("/");

    for (const page of expected.keys()) await check(page);
    expect(failures).toEqual([]);
    expect(expected.size).toBeGreaterThan(30);
  }, 60_000);

  it("is inert when it comes back from the address: every query parameter the app reads, on each page", async () => {
    const base = harness.server.url;
    const client = browserClient(base);
    const email = `xss-query-${Date.now().toString(36)}@example.test`;
    expect((await client.post("/signup", { email, password: PASSWORD })).status).toBe(302);
    expect((await client.post("/login", { email, password: PASSWORD })).status).toBe(302);
    const names = formVocabulary().queryNames;
    expect(names).toEqual(expect.arrayContaining(["q", "redirectTo", "date"]));
    const pages = ["/calendar", "/calendar/new", "/memory", "/chat", "/notifications", "/settings/profile"];
    const signedOut = ["/login", "/signup"];
    const failures: string[] = [];
    for (const payload of CORPUS) {
      const query = new URLSearchParams(names.map((name) => [name, payload])).toString();
      for (const [page, asking] of [
        ...pages.map((page) => [page, client] as const),
        ...signedOut.map((page) => [page, browserClient(base)] as const),
      ]) {
        const response = await asking.get(`${page}?${query}`);
        const html = await response.text();
        if (response.status >= 500) failures.push(`${page} ${payload} → ${response.status}`);
        if (!(response.headers.get("content-type") ?? "").startsWith("text/html")) continue;
        for (const violation of inspect(html).violations) failures.push(`${page}?… ${payload}: ${violation}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
