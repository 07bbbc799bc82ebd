/**
 * Fuzzing every route of the compiled server (issue #16): random methods, content types, field names
 * and values — empty, near and over the body limit, NUL, lone surrogates, arrays, numbers, invalid
 * dates, zones and repeat rules — as an admin, a person and a visitor, on every route template with its
 * segments filled by the person's own ids and by random ones. Properties: never a 5xx; PUT, PATCH,
 * DELETE and TRACE → 405 with Allow; a body of the wrong type → 415; over the limit → 413; an error is
 * the app's page or problem+json; and a request that is refused writes nothing.
 *
 * Fixed seed by default; FUZZ_SEED=<n> reproduces another run (the seed is printed on failure).
 */
import fc from "fast-check";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPublicPath } from "~/auth/public-routes";
import { createEvent } from "~/calendar/events.server";
import { regenerateFeedToken } from "~/calendar/feed.server";
import { prisma } from "~/db/db.server";
import type { ChatHarness } from "../support/chat-harness";
import {
  formVocabulary,
  paramsOf,
  routeTemplates,
  signUp,
  startProofServer,
  unhandledErrors,
  type Person,
} from "./support";

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const BODY_LIMIT = 8192;
const BATCH = 16;
// 600 × 16 random requests plus 60 × 16 refused ones: 10,560 cases per run.
const RANDOM_BATCHES = Number(process.env.FUZZ_RANDOM_BATCHES ?? 600);
const REFUSED_BATCHES = Number(process.env.FUZZ_REFUSED_BATCHES ?? 60);
const ALLOW = "GET, HEAD, POST";
const UNSUPPORTED = ["PUT", "PATCH", "DELETE", "TRACE"];

// One keep-alive connection pool for the whole run.
const agent = new Agent({ keepAliveTimeout: 30_000, connections: BATCH });
let harness: ChatHarness;
let base = "";
let templates: string[] = [];
const who: Record<"admin" | "person", Person> = {} as Record<"admin" | "person", Person>;
const realIds: Record<string, string[]> = {
  conversationId: [],
  eventId: [],
  userId: [],
  token: [],
  actionId: [],
  subscriptionId: [],
};
const vocabulary = formVocabulary();
const counts = { requests: 0, byClass: new Map<string, number>() };

beforeAll(async () => {
  templates = await routeTemplates();
  harness = await startProofServer(BODY_LIMIT);
  base = harness.server.url;
  who.admin = await signUp(base, "fuzz-admin");
  who.person = await signUp(base, "fuzz-person");
  // Accounts whose ids the admin's forms may act on (disable, change role) without ending the fuzzers' sessions.
  const bystander = await signUp(base, "fuzz-bystander");
  realIds.userId!.push(bystander.id);
  for (const person of [who.admin, who.person]) {
    for (let index = 0; index < 4; index++) {
      const created = await fetch(`${base}/api/v1/conversations`, {
        method: "POST",
        headers: { cookie: person.cookie, "content-type": "application/json" },
        body: JSON.stringify({ title: `fuzz ${index}` }),
      });
      const { id } = (await created.json()) as { id: string };
      realIds.conversationId!.push(id);
    }
    const series = await createEvent(person.id, {
      title: "Weekly",
      description: "",
      location: "",
      allDay: false,
      startLocal: "2027-03-01T09:00",
      endLocal: "2027-03-01T09:30",
      timeZone: "Europe/Berlin",
      rrule: "FREQ=WEEKLY;COUNT=10",
      reminders: [10],
    });
    realIds.eventId!.push(series.id);
    realIds.token!.push(await regenerateFeedToken(person.id));
    // A card on a reply (what the assistant's calendar tools propose) and a subscribed calendar.
    const conversationId = realIds.conversationId!.at(-1)!;
    const reply = await prisma.message.create({
      data: { conversationId, userId: person.id, role: "assistant", status: "complete", content: "Shall I?" },
    });
    const action = await prisma.calendarAction.create({
      data: { userId: person.id, messageId: reply.id, kind: "create", input: {}, preview: {} },
    });
    realIds.actionId!.push(action.id);
    const subscription = await prisma.calendarSubscription.create({
      data: {
        userId: person.id,
        name: "Holidays",
        url: "https://calendar.example/holidays.ics",
        nextRefreshAt: new Date(Date.now() + 24 * 3600_000),
      },
    });
    realIds.subscriptionId!.push(subscription.id);
  }
  expect(templates.length).toBeGreaterThan(40);
  expect(vocabulary.intents.length).toBeGreaterThan(10);
}, 180_000);

afterAll(async () => {
  await agent.close();
  await harness?.stop();
});

// ---------------------------------------------------------------------------------------------------------------
// Inputs

const BAD_DATES = [
  "2027-02-30",
  "2027-13-01T09:00",
  "2027-03-01T25:61",
  "0000-00-00",
  "-271821-04-19",
  "9999999-01-01",
  "tomorrow",
  "2027-03-01T09:00Z+99",
  // Well formed, but beyond the years the app keeps (each answered 500 somewhere, found by hand).
  "0000-01-01",
  "0050-01-01",
  "1899-12-31",
  "2201-01-01T09:00",
  "9999-12-31",
  "9999-12-31T23:59",
];
const CALENDAR_VIEWS = ["month", "week", "day", "agenda"];
const BAD_ZONES = [
  "Mars/Olympus_Mons",
  "UTC+99",
  "Europe/Berlin\u0000",
  "../../etc/passwd",
  "",
  "Etc/GMT+15",
  "America/New_York",
];
const BAD_RULES = [
  "FREQ=SECONDLY;INTERVAL=0",
  "FREQ=DAILY;COUNT=-1",
  "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31",
  "FREQ=WEEKLY;BYDAY=XX",
  "FREQ=DAILY;UNTIL=notadate",
  "FREQ=MINUTELY;COUNT=99999999",
  "RRULE:FREQ=DAILY",
  "FREQ=MONTHLY;BYSETPOS=400;BYDAY=MO",
  "FREQ=DAILY;INTERVAL=1e9",
  "FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30",
  "FREQ=DAILY;UNTIL=99991231T000000Z",
  "FREQ=YEARLY;COUNT=1000",
];
const NASTY = [
  "\u0000",
  "a\u0000b",
  "\ud800",
  "a\udc00b",
  "\uffff",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "%00",
  "%",
  "../..",
  "null",
  "undefined",
  "[]",
  "{}",
  "true",
];

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.constantFrom("", " ", ...NASTY) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()).map(String) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_DATES, ...BAD_ZONES, ...BAD_RULES) },
  { weight: 2, arbitrary: fc.constantFrom(...vocabulary.intents) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((n) => ["on", "off", "1", "forget everything"][n]!) },
  { weight: 1, arbitrary: fc.nat().map(pickRealId) },
  // Near the limit: one long field, the body around it may or may not cross the limit.
  { weight: 1, arbitrary: fc.integer({ min: BODY_LIMIT - 400, max: BODY_LIMIT - 20 }).map((n) => "x".repeat(n)) },
);
// Addresses stay under Node's 16 KB header limit (431 from Node itself, before the app).
const shortText = text.filter((value) => value.length < 1000);
function pickRealId(index: number): string {
  const all = Object.values(realIds).flat();
  return all.length ? all[index % all.length]! : "x";
}

const fieldName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("intent", ...vocabulary.names) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom("", "a\u0000", "\ud800", "__proto__", "constructor", "x[]", "x[0]") },
);
const fields = fc.array(fc.tuple(fieldName, text), { maxLength: 8 });

type BodyKind = "none" | "form" | "multipart" | "json" | "text" | "broken-multipart" | "odd-type" | "huge";
type Identity = "admin" | "person" | "anonymous";
type Case = {
  identity: Identity;
  method: string;
  template: string;
  segments: Array<{ real: boolean; random: string }>;
  query: Array<[string, string]>;
  body: BodyKind;
  fields: Array<[string, string]>;
  jsonShape: unknown;
};

const METHODS = ["GET", "GET", "HEAD", "POST", "POST", "POST", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"];
const randomSegment = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.constantFrom("x123", "cl000000000000000000000000", "%FF%FE", "..", "%2e%2e", "a%00b", "\ud800", "x".repeat(600)),
);

function caseArbitrary(): fc.Arbitrary<Case> {
  return fc.record({
    identity: fc.constantFrom<Identity>("admin", "person", "person", "anonymous"),
    method: fc.constantFrom(...METHODS),
    template: fc.constantFrom(...templates),
    segments: fc.array(fc.record({ real: fc.boolean(), random: randomSegment }), { minLength: 2, maxLength: 2 }),
    query: fc.array(fc.tuple(fc.constantFrom(...vocabulary.queryNames, "index", "_data"), shortText), { maxLength: 3 }),
    body: fc.constantFrom<BodyKind>(
      "none",
      "form",
      "form",
      "form",
      "multipart",
      "json",
      "text",
      "broken-multipart",
      "odd-type",
      "huge",
    ),
    fields,
    jsonShape: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant("fields")),
  });
}

/** Percent-encodes UTF-16 as a browser would not: NUL and lone surrogates reach the server as raw bytes. */
function encode(value: string): string {
  let out = "";
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join("");
    } else out += encodeURIComponent(char);
  }
  return out;
}

function addressOf(entry: Case): string {
  let index = 0;
  const path = entry.template.replace(/:([A-Za-z]+)\??/g, (_match, name: string) => {
    const segment = entry.segments[index++ % entry.segments.length]!;
    const pool = realIds[name] ?? [];
    if (segment.real && pool.length) return pool[segment.random.length % pool.length]!;
    return /^%|\.\./.test(segment.random) ? segment.random : encode(segment.random);
  });
  const query = entry.query.map(([name, value]) => `${name}=${encode(value)}`).join("&");
  return query ? `${path}?${query}` : path;
}

type Built = { contentType?: string; body?: Uint8Array | string; size: number };

function buildBody(entry: Case): Built {
  const pairs = entry.fields;
  switch (entry.body) {
    case "none":
      return { size: 0 };
    case "form": {
      const body = pairs.map(([name, value]) => `${encode(name)}=${encode(value)}`).join("&");
      return { contentType: "application/x-www-form-urlencoded", body, size: Buffer.byteLength(body) };
    }
    case "multipart": {
      const boundary = "fuzzboundary7MA4YWxkTrZu0gW";
      const parts = pairs.map(
        ([name, value], index) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/"/g, "")}"` +
          (index === 2 ? `; filename="x.ics"\r\nContent-Type: text/calendar` : "") +
          `\r\n\r\n${value}\r\n`,
      );
      const body = Buffer.from(`${parts.join("")}--${boundary}--\r\n`);
      return { contentType: `multipart/form-data; boundary=${boundary}`, body, size: body.length };
    }
    case "json": {
      const value =
        entry.jsonShape === "fields" ? Object.fromEntries(pairs.map(([name, item]) => [name, item])) : entry.jsonShape;
      const body = JSON.stringify(value) ?? "null";
      return { contentType: "application/json", body, size: Buffer.byteLength(body) };
    }
    case "text": {
      const body = pairs.map(([name, value]) => `${name}=${value}`).join("\n") || "hello";
      return { contentType: "text/plain", body, size: Buffer.byteLength(body) };
    }
    case "broken-multipart": {
      const body = `--x\r\nContent-Disposition: form-data; name="intent"\r\n\r\n${pairs[0]?.[1] ?? "nonsense"}`;
      return { contentType: "multipart/form-data; boundary=x", body, size: Buffer.byteLength(body) };
    }
    case "odd-type": {
      const types = [
        "application/xml",
        "multipart/form-data",
        "application/x-www-form-urlencoded; charset=utf-16",
        "image/png",
        "application/merge-patch+json",
        ";;",
      ];
      const body = pairs.map(([name, value]) => `${name}=${value}`).join("&") || "a=b";
      return { contentType: types[body.length % types.length], body, size: Buffer.byteLength(body) };
    }
    case "huge": {
      const body = `intent=send&message=${"a".repeat(BODY_LIMIT + 1 + pairs.length * 997)}`;
      return { contentType: "application/x-www-form-urlencoded", body, size: body.length };
    }
  }
}

type Outcome = { entry: Case; address: string; status: number; headers: Headers; body: string };

async function send(entry: Case): Promise<Outcome> {
  const address = addressOf(entry);
  // A form post to /logout ends the session it carries: the fuzzers' own sessions stay signed in.
  const identity = addressOf(entry).startsWith("/logout") ? "anonymous" : entry.identity;
  const headers: Record<string, string> = {};
  if (identity !== "anonymous") headers.cookie = who[identity].cookie;
  const canHaveBody = !["GET", "HEAD"].includes(entry.method);
  const built = canHaveBody ? buildBody(entry) : { size: 0 };
  if (built.contentType) headers["content-type"] = built.contentType;
  // undici's request, not fetch(): fetch refuses to send TRACE at all.
  const response = await request(`${base}${address}`, {
    method: entry.method as "GET",
    headers,
    body: built.body,
    dispatcher: agent,
  }).catch((error: unknown) => {
    throw new Error(`${entry.method} ${address} (${entry.body}) failed: ${String(error)}`);
  });
  const body = await response.body.text();
  const status = response.statusCode;
  counts.requests += 1;
  const group = `${Math.floor(status / 100)}xx`;
  counts.byClass.set(group, (counts.byClass.get(group) ?? 0) + 1);
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(response.headers))
    if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
  return { entry: { ...entry, identity }, address, status, headers: responseHeaders, body };
}

// ---------------------------------------------------------------------------------------------------------------
// Properties

const ERROR_TYPES = { page: /^text\/html/, api: /^application\/problem\+json/ };
const SUCCESS_TYPES =
  /^(text\/html|application\/json|application\/problem\+json|text\/calendar|text\/event-stream|text\/markdown|text\/csv|text\/plain)/;

/** Everything the properties say about one response; returns what was wrong, or nothing. */
function violations(outcome: Outcome): string[] {
  const { entry, address, status, headers } = outcome;
  const wrong: string[] = [];
  const path = address.split("?")[0]!.toLowerCase();
  const api = path.startsWith("/api/");
  // The API's documentation is a page under /api: the body guard answers it as API, its route as a page.
  const errorType = path.startsWith("/api/v1/docs")
    ? /^(text\/html|application\/problem\+json)/
    : api
      ? ERROR_TYPES.api
      : ERROR_TYPES.page;
  const nulInAddress = /%00/i.test(address);
  // Refused as 400 before the body is looked at: `.`/`..` segments, `//`, encoded `.`, `/` or `\`.
  const nonCanonical = /%2e|%2f|%5c|\/\/|(^|\/)\.\.?(\/|$)/i.test(address.split("?")[0]!) && status === 400;
  const anonymousRefused = entry.identity === "anonymous" && !isPublicPath(path) && [302, 303, 401].includes(status);
  const type = headers.get("content-type") ?? "";
  if (status >= 500) wrong.push("server error");
  if (UNSUPPORTED.includes(entry.method)) {
    if (!(status === 405 || (nulInAddress && status === 400))) wrong.push(`expected 405 for ${entry.method}`);
    if (status === 405 && headers.get("allow") !== ALLOW) wrong.push(`Allow: ${headers.get("allow")}`);
  }
  if (entry.method === "OPTIONS" && !nulInAddress && (status !== 204 || headers.get("allow") !== ALLOW))
    wrong.push("OPTIONS should answer 204 with Allow");
  if (entry.method === "POST" && !nulInAddress && !nonCanonical && !anonymousRefused) {
    const built = buildBody(entry);
    const mediaType = built.contentType?.split(";")[0]!.trim();
    const accepted = api
      ? mediaType === "application/json" || /^application\/.+\+json$/.test(mediaType ?? "")
      : mediaType === "application/x-www-form-urlencoded" || mediaType === "multipart/form-data";
    if (built.size > 0 && !accepted && status !== 415) wrong.push(`expected 415 for ${built.contentType}`);
    if (accepted && built.size > BODY_LIMIT && path !== "/calendar" && status !== 413)
      wrong.push(`expected 413 for ${built.size} bytes`);
  }
  if (status >= 400 && entry.method !== "HEAD" && outcome.body !== "") {
    if (!errorType.test(type)) wrong.push(`error as ${type || "no content type"}`);
  } else if (status >= 200 && status < 300 && status !== 204 && !SUCCESS_TYPES.test(type)) {
    wrong.push(`success as ${type || "no content type"}`);
  }
  if (/TypeError|ReferenceError|node_modules|\bat \w+ \(|\/work\//.test(outcome.body)) wrong.push("internals in body");
  return wrong;
}

function describeFailure(outcome: Outcome, wrong: string[]): string {
  const { entry, address, status, headers, body } = outcome;
  return `${wrong.join("; ")}: ${entry.identity} ${entry.method} ${address.slice(0, 200)} body=${entry.body} → ${status} ${headers.get("content-type")} ${body.slice(0, 300)}`;
}

// Rows a refused request must never touch. Sessions are left out: reading a page refreshes its own.
const WATCHED = [
  "User",
  "Password",
  "Conversation",
  "Message",
  "ChatSettings",
  "Event",
  "CalendarFeed",
  "MemoryFact",
  "MemoryPreference",
  "MemoryProposal",
  "ConversationSummary",
  "Notification",
  "NotificationSettings",
  "TelegramLink",
  "TelegramLinkCode",
  "InstanceSettings",
  "AssistantMemory",
  "AuditEvent",
];

/** Count and checksum of every watched table, in one statement. */
async function digest(): Promise<Record<string, string>> {
  const sql = WATCHED.map(
    (table) =>
      `SELECT '${table}' AS name, count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS sum FROM "${table}" t`,
  ).join(" UNION ALL ");
  const rows = await prisma.$queryRawUnsafe<Array<{ name: string; sum: string }>>(sql);
  return Object.fromEntries(rows.map((row) => [row.name, row.sum]));
}

function run<T>(arbitrary: fc.Arbitrary<T[]>, numRuns: number, check: (batch: T[]) => Promise<void>) {
  const started = Date.now();
  const result = fc.check(fc.asyncProperty(arbitrary, check), {
    seed: SEED,
    numRuns,
    endOnFailure: true,
    verbose: 0,
    markInterruptAsFailure: true,
  });
  return result.then((details) => {
    if (details.failed) {
      throw new Error(
        `fuzz failed (reproduce with FUZZ_SEED=${SEED}): ${String(details.errorInstance instanceof Error ? details.errorInstance.message : details.errorInstance)}`,
      );
    }
    return Date.now() - started;
  });
}

describe("fuzzing every route of the built server", () => {
  it("random requests: never a 5xx; 405 with Allow, 415, 413 where due; errors are the app's page or problem+json", async () => {
    const ms = await run(
      fc.array(caseArbitrary(), { minLength: BATCH, maxLength: BATCH }),
      RANDOM_BATCHES,
      async (batch) => {
        const outcomes = await Promise.all(batch.map(send));
        const failures = outcomes.flatMap((outcome) => {
          const wrong = violations(outcome);
          return wrong.length ? [describeFailure(outcome, wrong)] : [];
        });
        if (failures.length) throw new Error(failures.join("\n"));
      },
    );
    process.stdout.write(
      `[fuzz] seed ${SEED}: ${counts.requests} requests in ${ms} ms ${JSON.stringify(Object.fromEntries(counts.byClass))}\n`,
    );
    expect(counts.requests).toBeGreaterThanOrEqual(RANDOM_BATCHES * BATCH);
    // The fuzzers stayed signed in throughout (a random form never ended their sessions).
    for (const person of Object.values(who)) {
      const page = await fetch(`${base}/settings/profile`, { headers: { cookie: person.cookie }, redirect: "manual" });
      expect(page.status, person.email).toBe(200);
    }
    expect(unhandledErrors(harness)).toEqual([]);
  }, 240_000);

  it("every page given a malformed or out-of-range date in each date-like query parameter: never a 5xx", async () => {
    // The random cases above rarely pair the right page, parameter and date: the calendar's day view
    // of 9999-12-31 and the audit log's to=9999-12-31 answered 500 until tried by hand. So every pair.
    const names = [
      ...new Set([...vocabulary.queryNames, "date", "from", "to", "before", "through", "occurrence", "until"]),
    ].filter((name) => /date|from|^to$|before|after|through|occurrence|until|start|end/i.test(name));
    const cases: Case[] = [];
    for (const template of templates.filter((path) => path !== "/logout")) {
      for (const name of names) {
        for (const value of BAD_DATES) {
          const views = template.startsWith("/calendar") && name === "date" ? CALENDAR_VIEWS : [null];
          for (const view of views) {
            cases.push({
              identity: "admin",
              method: "GET",
              template,
              // The admin's own ids (the first of each pool).
              segments: [
                { real: true, random: "" },
                { real: true, random: "" },
              ],
              query: view
                ? [
                    ["view", view],
                    [name, value],
                  ]
                : [[name, value]],
              body: "none",
              fields: [],
              jsonShape: null,
            });
          }
        }
      }
    }
    const failures: string[] = [];
    for (let index = 0; index < cases.length; index += BATCH) {
      for (const outcome of await Promise.all(cases.slice(index, index + BATCH).map(send))) {
        const wrong = violations(outcome);
        if (wrong.length) failures.push(describeFailure(outcome, wrong));
      }
    }
    process.stdout.write(`[fuzz] date sweep: ${cases.length} requests over ${names.join(", ")}\n`);
    expect(failures).toEqual([]);
    expect(cases.length).toBeGreaterThan(1000);
    expect(unhandledErrors(harness)).toEqual([]);
  }, 240_000);

  it("refused requests (wrong method, type, size, NUL, broken multipart, no session) write nothing", async () => {
    const before = counts.requests;
    // Each case is made to be refused one way: the property checks it was, and that nothing changed.
    const refused = fc
      .tuple(caseArbitrary(), fc.integer({ min: 0, max: 5 }), fc.constantFrom(...UNSUPPORTED))
      .map(([entry, kind, method]): Case => {
        const signedIn: Identity = entry.identity === "anonymous" ? "person" : entry.identity;
        const api = entry.template.startsWith("/api/");
        const refusals: Case[] = [
          { ...entry, method },
          {
            ...entry,
            method: "POST",
            identity: signedIn,
            body: api ? "form" : "json",
            fields: [["intent", "x"], ...entry.fields],
          },
          {
            ...entry,
            method: "POST",
            identity: signedIn,
            body: "huge",
            template: entry.template === "/calendar" ? "/memory" : entry.template,
          },
          {
            ...entry,
            method: "POST",
            identity: signedIn,
            body: "form",
            fields: [...entry.fields, ["intent", "a\u0000b"]],
          },
          { ...entry, method: "POST", identity: signedIn, body: "broken-multipart" },
          { ...entry, method: "POST", identity: "anonymous", body: api ? "json" : "form" },
        ];
        return refusals[kind]!;
      })
      // Without a session only pages that require one refuse a post; public pages (sign-in) take it.
      .filter(
        (entry) =>
          entry.identity !== "anonymous" ||
          entry.method !== "POST" ||
          !isPublicPath(entry.template.replace(/:\w+\??/g, "x")),
      );
    const ms = await run(fc.array(refused, { minLength: BATCH, maxLength: BATCH }), REFUSED_BATCHES, async (batch) => {
      const start = await digest();
      const outcomes = await Promise.all(batch.map(send));
      const failures = outcomes.flatMap((outcome) => {
        const wrong = violations(outcome);
        const redirectedToSignIn = outcome.entry.identity === "anonymous" && [302, 303, 401].includes(outcome.status);
        if (outcome.status < 400 && !redirectedToSignIn) wrong.push("was not refused");
        return wrong.length ? [describeFailure(outcome, wrong)] : [];
      });
      if (failures.length) throw new Error(failures.join("\n"));
      const end = await digest();
      const changed = WATCHED.filter((table) => start[table] !== end[table]);
      if (changed.length)
        throw new Error(`refused requests changed ${changed.join(", ")}: ${batch.map(addressOf).join(" ")}`);
    });
    process.stdout.write(`[fuzz] seed ${SEED}: ${counts.requests - before} refused requests in ${ms} ms\n`);
    expect(counts.requests - before).toBeGreaterThanOrEqual(REFUSED_BATCHES * BATCH);
    expect(unhandledErrors(harness)).toEqual([]);
  }, 120_000);
});

// Route templates with segments the fuzz fills with real ids must have a pool of them.
describe("the fuzz covers the route list", () => {
  it("every dynamic segment in the build has real ids to try", () => {
    const names = new Set(templates.flatMap(paramsOf));
    expect([...names].filter((name) => !realIds[name]?.length)).toEqual([]);
  });
});
