/**
 * IDOR matrix (issue #16): person B asks for every kind of person A's resource by id — conversations,
 * messages, reply streams, exports, prompt pages, events and their occurrences, the calendar feed,
 * notifications, memories, proposals, summaries, Telegram links, sessions, queued jobs — on every route
 * template of the build and with every method, and in every form field that carries an id (each intent
 * the route's forms post, found in its source), and the admin-only pages (jobs, users) as a non-admin.
 * Each answer is a 404 (403 for admin-only pages; 405 for PUT/PATCH/DELETE/TRACE and 204 for OPTIONS,
 * which the server answers alike for every address before any lookup); a form with A's id in a field
 * is answered exactly as the same form with an id of no one's; no answer contains A's marker strings;
 * and every row of A's is unchanged afterwards (A stays signed in).
 */
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvent } from "~/calendar/events.server";
import { regenerateFeedToken } from "~/calendar/feed.server";
import { prisma } from "~/db/db.server";
import { normaliseMemoryKey } from "~/memory/keys";
import { startStandInTelegram, type StandInTelegram } from "../../e2e/stand-ins/telegram-server";
import { startChatHarness, type ChatHarness } from "../support/chat-harness";
import {
  builtRoutes,
  paramsOf,
  routeForms,
  routeTemplates,
  signUp,
  unhandledErrors,
  type BuiltRoute,
  type Person,
  weeklySeries,
} from "./support";

const TOKEN = "4242:stand-in-token";
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"];
const agent = new Agent({ keepAliveTimeout: 30_000 });
const run = Math.random().toString(36).slice(2, 8);
// Every piece of A's data carries one of these; none may appear in anything B is answered.
const MARK = {
  title: `ZQA-title-${run}`,
  message: `ZQA-message-${run}`,
  event: `ZQA-event-${run}`,
  fact: `ZQA-fact-${run}`,
  preference: `ZQA-preference-${run}`,
  proposal: `ZQA-proposal-${run}`,
  summary: `ZQA-summary-${run}`,
  notification: `ZQA-notification-${run}`,
  telegram: `ZQA-telegram-${run}`,
  action: `ZQA-action-${run}`,
  subscription: `ZQA-subscription-${run}`,
  email: "",
};

let harness: ChatHarness;
let telegram: StandInTelegram;
let base = "";
let templates: string[] = [];
let routes: BuiltRoute[] = [];
const formsById = routeForms();
let a: Person;
let b: Person;
const ids = {
  conversation: "",
  userMessage: "",
  reply: "",
  bConversation: "",
  event: "",
  occurrence: "2027-03-08T09:00",
  fact: "",
  preference: "",
  proposal: "",
  summary: "",
  notification: "",
  chatId: "424242",
  feedToken: "",
  action: "",
  subscription: "",
  session: "",
  job: "",
};

beforeAll(async () => {
  templates = await routeTemplates();
  routes = await builtRoutes();
  telegram = await startStandInTelegram({ token: TOKEN });
  harness = await startChatHarness({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_BASE: telegram.apiBase });
  base = harness.server.url;
  // The first account is the instance's admin: A and B are ordinary people.
  await signUp(base, "idor-admin");
  a = await signUp(base, "idor-a");
  b = await signUp(base, "idor-b");
  MARK.email = a.email;

  const json = (person: Person, path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { cookie: person.cookie, "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then((response) => response.json() as Promise<Record<string, string>>);
  ids.conversation = (await json(a, "/api/v1/conversations", { title: MARK.title })).id!;
  ids.bConversation = (await json(b, "/api/v1/conversations", { title: "B's own" })).id!;
  const sent = await json(a, `/api/v1/conversations/${ids.conversation}/messages`, { content: MARK.message });
  ids.userMessage = sent.userMessageId!;
  ids.reply = sent.assistantMessageId!;
  for (
    let waited = 0;
    (await prisma.message.findUnique({ where: { id: ids.reply } }))?.status !== "complete";
    waited += 100
  ) {
    if (waited > 30_000) throw new Error("A's reply did not complete");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // The stand-in repeats the prompt back, so A's reply holds A's words as well. Memory keys are stored in
  // their one form, as every write path stores them: the start-up key backfill would otherwise rewrite them.
  ids.event = (await createEvent(a.id, weeklySeries({ title: MARK.event, description: MARK.event }))).id;
  ids.feedToken = await regenerateFeedToken(a.id);
  ids.fact = (
    await prisma.memoryFact.create({
      data: { userId: a.id, kind: "personal", key: normaliseMemoryKey(MARK.fact), value: MARK.fact },
    })
  ).id;
  ids.preference = (
    await prisma.memoryPreference.create({
      data: { userId: a.id, key: normaliseMemoryKey(MARK.preference), value: MARK.preference },
    })
  ).id;
  ids.proposal = (
    await prisma.memoryProposal.create({
      data: {
        userId: a.id,
        conversationId: ids.conversation,
        type: "fact",
        kind: "context",
        key: normaliseMemoryKey(MARK.proposal),
        value: MARK.proposal,
        confidence: 0.5,
        importance: 5,
      },
    })
  ).id;
  ids.summary = (
    await prisma.conversationSummary.create({
      data: {
        userId: a.id,
        conversationId: ids.conversation,
        summary: MARK.summary,
        topics: [MARK.summary],
        keyFacts: [],
        searchText: MARK.summary,
        fromMessageId: ids.userMessage,
        throughMessageId: ids.reply,
        throughMessageAt: new Date(),
        messageCount: 2,
      },
    })
  ).id;
  ids.notification = (
    await prisma.notification.create({
      data: {
        userId: a.id,
        kind: "reminder",
        title: MARK.notification,
        body: MARK.notification,
        link: `/calendar/events/${ids.event}`,
        dedupKey: `idor-${run}`,
      },
    })
  ).id;
  await prisma.telegramLink.create({
    data: { chatId: BigInt(ids.chatId), userId: a.id, conversationId: ids.conversation, displayName: MARK.telegram },
  });
  // A change the assistant proposed on A's reply (a card), and a calendar A subscribes to.
  ids.action = (
    await prisma.calendarAction.create({
      data: {
        userId: a.id,
        messageId: ids.reply,
        kind: "create",
        input: { title: MARK.action },
        preview: { title: MARK.action },
      },
    })
  ).id;
  ids.subscription = (
    await prisma.calendarSubscription.create({
      data: {
        userId: a.id,
        name: MARK.subscription,
        url: "https://calendar.example/feed.ics",
        nextRefreshAt: new Date(Date.now() + 24 * 3600_000),
      },
    })
  ).id;
  ids.session = (await prisma.session.findFirstOrThrow({ where: { userId: a.id, revokedAt: null } })).id;
  // A reminder of A's event waiting in the queue, as the minute's scan queues one (due in a year: no worker
  // takes it during the run). Its queue exists once the server has started its jobs.
  const [job] = await prisma.$queryRaw<Array<{ id: string }>>`
    INSERT INTO pgboss.job (name, data, start_after)
    VALUES ('calendar.reminder', ${JSON.stringify({
      userId: a.id,
      eventId: ids.event,
      start: "2028-03-01T08:00:00Z",
      offsetMinutes: 10,
      dedupKey: `reminder:${ids.event}:2028-03-01T08:00:00Z:10`,
    })}::jsonb, now() + interval '365 days')
    RETURNING id::text`;
  ids.job = job!.id;
  before = await digestOf(a.id);
}, 180_000);

let before = "";

/**
 * Every row of A's, in one checksum: A's account and sessions, each table with a userId, and A's queued
 * job. The tables are found in the schema, so a new one is watched without being listed here.
 */
async function digestOf(userId: string): Promise<string> {
  const tables = await prisma.$queryRaw<Array<{ table: string }>>`
    SELECT table_name::text AS table FROM information_schema.columns
    WHERE table_schema = current_schema() AND column_name = 'userId' ORDER BY table_name`;
  const parts = [
    `SELECT 'User' AS name, md5(string_agg(t::text, '|')) AS sum FROM "User" t WHERE t.id = $1`,
    ...tables.map(
      ({ table }) =>
        // Without a session's lastSeenAt: A's own requests touch it once a minute (a slow run is no write of B's).
        `SELECT '${table}', count(*)::text || ':' || coalesce(md5(string_agg((to_jsonb(t) - 'lastSeenAt')::text, '|' ORDER BY (to_jsonb(t) - 'lastSeenAt')::text)), '') FROM "${table}" t WHERE t."userId" = $1`,
    ),
    `SELECT 'job', md5(string_agg(t::text, '|')) FROM pgboss.job t WHERE t.id::text = $2`,
  ];
  const rows = await prisma.$queryRawUnsafe<Array<{ name: string; sum: string }>>(
    parts.join(" UNION ALL "),
    userId,
    ids.job,
  );
  return rows.map((row) => `${row.name}=${row.sum}`).join("\n");
}

afterAll(async () => {
  await agent.close();
  await harness?.stop();
  await telegram?.close();
});

type Answer = { status: number; allow?: string; type: string; body: string };

async function asB(method: string, path: string, form?: Record<string, string>): Promise<Answer> {
  // The API takes JSON, pages take forms: each is sent what it reads, so the refusal is about the id.
  const api = path.startsWith("/api/");
  const response = await request(`${base}${path}`, {
    method: method as "GET",
    headers: {
      cookie: b.cookie,
      ...(form ? { "content-type": api ? "application/json" : "application/x-www-form-urlencoded" } : {}),
    },
    body: !form ? undefined : api ? JSON.stringify(form) : new URLSearchParams(form).toString(),
    dispatcher: agent,
  });
  const header = (name: string) => {
    const value = response.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  return {
    status: response.statusCode,
    allow: header("allow"),
    type: header("content-type") ?? "",
    body: await response.body.text(),
  };
}

const leaks = (answer: Answer) => Object.values(MARK).filter((mark) => mark && answer.body.includes(mark));

/** Each dynamic segment filled with A's own id of that kind (the feed's: A's user id and stored hash). */
function fillings(name: string): string[] {
  const byName: Record<string, string[]> = {
    conversationId: [ids.conversation],
    eventId: [ids.event],
    userId: [a.id],
    token: [a.id, ids.feedToken.slice(0, -2), ids.conversation],
    actionId: [ids.action],
    subscriptionId: [ids.subscription],
  };
  return byName[name] ?? [];
}

/** Query strings naming A's objects that each template's loader reads. */
function queriesFor(template: string): string[] {
  if (template.endsWith("/stream")) return [`?message=${ids.reply}`, `?message=${ids.userMessage}`];
  if (template.endsWith("/prompt")) return [`?reply=${ids.reply}`, ""];
  if (template.endsWith("/export"))
    return ["?format=json", "?format=md", `?format=md&message=${ids.reply}`, `?format=md&message=${ids.userMessage}`];
  if (template.includes(":eventId")) return [`?occurrence=${ids.occurrence}`, ""];
  if (template.includes("/messages")) return ["", `?before=${ids.reply}`];
  return [""];
}

/** The route a template's requests reach: the one with an action where a layout shares its address. */
function routeOf(template: string): BuiltRoute | undefined {
  const candidates = routes.filter((route) => route.template === template);
  return candidates.find((route) => route.action) ?? candidates.at(-1);
}

/** Values for the fields that carry no id: plausible, so a refusal is about the id. */
const PLAIN: Record<string, string> = {
  message: "hi",
  content: "hi",
  title: "taken over",
  model: "stub/large",
  kind: "personal",
  key: "k",
  value: "v",
  queue: "calendar.reminder",
  role: "admin",
  scope: "all",
  occurrence: "2027-03-08T09:00",
};

/** A's ids of the kind a form field names: `id` is any of A's memories, proposals and notifications. */
function idsFor(field: string): string[] {
  const byField: Record<string, string[]> = {
    id: [ids.fact, ids.preference, ids.proposal, ids.notification],
    messageId: [ids.reply, ids.userMessage],
    assistantMessageId: [ids.reply],
    userMessageId: [ids.userMessage],
    jobId: [ids.job],
    sessionId: [ids.session],
    chatId: [ids.chatId],
    userId: [a.id],
    conversationId: [ids.conversation],
    eventId: [ids.event],
    actionId: [ids.action],
    subscriptionId: [ids.subscription],
  };
  return byField[field] ?? [];
}

/** The form fields of a route that carry an id (`id`, `messageId`, `jobId` …), as its forms name them. */
function idFields(routeId: string): string[] {
  return (formsById.get(routeId)?.names ?? []).filter((name) => /^id$|Id$/.test(name) && idsFor(name).length);
}

/** One form per intent the route takes, every field it names filled: id fields with `idOf(field)`. */
function formsOf(routeId: string, idOf: (field: string) => string): Array<Record<string, string>> {
  const form = formsById.get(routeId) ?? { names: [], intents: [] };
  const fields = Object.fromEntries(
    form.names.flatMap((name): Array<[string, string]> =>
      name === "intent" ? [] : idsFor(name).length ? [[name, idOf(name)]] : name in PLAIN ? [[name, PLAIN[name]!]] : [],
    ),
  );
  return form.intents.map((intent) => ({ ...fields, intent }));
}

const EVENT_FORMS: Array<Record<string, string>> = [
  { intent: "save", title: "taken over", startLocal: "2027-03-01T10:00", endLocal: "2027-03-01T11:00" },
  { intent: "delete", scope: "all" },
  { scope: "this", occurrence: "2027-03-08T09:00" },
];

/** An id of no one's: what B is answered for A's id must be what B is answered for this one. */
const NOWHERE = "cl0000000000000000nowhere";

/** An id of no one's in the shape of the field's own (a chat id is a number, a message's a UUID). */
function nowhere(field: string): string {
  if (field === "chatId") return "999999999";
  if (/messageId$|^jobId$/i.test(field)) return "00000000-0000-4000-8000-000000000000";
  return NOWHERE;
}

async function asBJson(path: string, body: unknown): Promise<Record<string, string>> {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { cookie: b.cookie, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, string>;
}

/** Methods other than POST on a form's page: B's own page, or the server's answer for every address. */
function formExpected(template: string, method: string): number[] {
  if (["PUT", "PATCH", "DELETE", "TRACE"].includes(method)) return [405];
  if (method === "OPTIONS") return [204];
  if (template.startsWith("/admin")) return [403];
  return [200];
}

function expected(template: string, method: string): number[] {
  if (["PUT", "PATCH", "DELETE", "TRACE"].includes(method)) return [405];
  if (method === "OPTIONS") return [204];
  if (template.startsWith("/admin")) return [403];
  return [404];
}

describe("person B never reaches person A's resources", () => {
  it("every route template with an id, every method, A's ids: 404 (admin pages 403) and none of A's data", async () => {
    const withIds = templates.filter((template) => paramsOf(template).length > 0);
    expect(withIds.length).toBeGreaterThanOrEqual(8);
    const wrong: string[] = [];
    let asked = 0;
    for (const template of withIds) {
      const names = paramsOf(template);
      expect(
        names.filter((name) => !fillings(name).length),
        template,
      ).toEqual([]);
      const paths = names.reduce<string[]>(
        (partial, name) =>
          partial.flatMap((path) =>
            fillings(name).map((id) => path.replace(new RegExp(`:${name}\\??`), encodeURIComponent(id))),
          ),
        [template],
      );
      for (const path of paths)
        for (const query of queriesFor(template))
          for (const method of METHODS) {
            const route = routeOf(template);
            const intents = route ? formsOf(route.id, (field) => idsFor(field)[0]!) : [];
            const forms =
              method !== "POST"
                ? [undefined]
                : intents.length
                  ? intents
                  : template.includes(":eventId")
                    ? EVENT_FORMS
                    : template.startsWith("/api/")
                      ? [{ content: "hi" }]
                      : [{ intent: "anything" }];
            for (const form of forms) {
              const answer = await asB(method, `${path}${query}`, form);
              asked += 1;
              // A route without an action answers POST 405 whatever the id: nothing is looked up.
              let allowed = method === "POST" && answer.status === 405 ? [405] : expected(template, method);
              if (method === "POST" && answer.status === 400) {
                // An intent the action does not take (the page's neighbours' forms share its schema module)
                // is refused before any lookup: so it must be at an address naming no one's objects too.
                const control = await asB(method, `${template.replace(/:\w+\??/g, NOWHERE)}${query}`, form);
                asked += 1;
                if (control.status === 400) allowed = [400];
              }
              const leaked = leaks(answer);
              if (!allowed.includes(answer.status) || leaked.length)
                wrong.push(
                  `${method} ${path}${query} ${JSON.stringify(form ?? "")} → ${answer.status} ${leaked.join(",")}`,
                );
              if (answer.status === 405 && !answer.allow) wrong.push(`${method} ${path}: 405 without Allow`);
            }
          }
    }
    process.stdout.write(`[idor] ${asked} requests over ${withIds.length} templates with ids\n`);
    expect(wrong).toEqual([]);
  }, 120_000);

  it("every route whose forms carry an id, every method, each intent × each of A's ids of that kind", async () => {
    // Memories, proposals, notifications, Telegram links, sessions, jobs, users, messages: no address names
    // them, the form does. B posts each intent the route takes with A's id in each id field it names (the
    // address filled with B's own ids), and asks with every other method too.
    // The API's inputs carry no id in the body (its field names found are those of its answers).
    const withIdFields = routes.filter(
      (route) =>
        route.action &&
        !route.template.startsWith("/api/") &&
        idFields(route.id).length &&
        paramsOf(route.template).every((name) => name === "conversationId"),
    );
    const wrong: string[] = [];
    const statuses = new Map<string, Set<number>>();
    const requests: Array<{
      route: BuiltRoute;
      field: string;
      id: string;
      method: string;
      form?: Record<string, string>;
    }> = [];
    for (const route of withIdFields)
      for (const field of idFields(route.id))
        for (const id of idsFor(field))
          for (const method of METHODS)
            for (const form of method === "POST"
              ? formsOf(route.id, (name) => (name === field ? id : (idsFor(name)[0] ?? "")))
              : [undefined])
              requests.push({ route, field, id, method, form });
    let asked = 0;
    // A post to B's conversation is made at a new one of B's, so the one before (a reply B started, B
    // deleting it) changes nothing for the next.
    const conversationFor = async (method: string) => {
      if (method !== "POST") return ids.bConversation;
      asked += 1;
      return (await asBJson("/api/v1/conversations", { title: "B's" })).id!;
    };
    for (const { route, field, id, method, form } of requests) {
      const address = async () =>
        route.template.replace(":conversationId", await conversationFor(method)) +
        (method === "POST" ? "" : `?${field}=${encodeURIComponent(id)}`);
      const answer = await asB(method, await address(), form);
      asked += 1;
      let allowed = formExpected(route.template, method);
      if (method === "POST" && !route.template.startsWith("/admin")) {
        // A's id is answered as an id that names nothing would be: a form that looks it up refuses (404,
        // or the route's own refusal), one that reads another field does what B's own form does.
        const control = await asB(method, await address(), { ...form, [field]: nowhere(field) });
        asked += 1;
        allowed = [control.status];
      }
      const leaked = leaks(answer);
      const key = `${method} ${route.template} ${form?.intent ?? ""} ${field}`;
      statuses.set(key, new Set([...(statuses.get(key) ?? []), answer.status]));
      if (!allowed.includes(answer.status) || leaked.length)
        wrong.push(
          `${method} ${route.template} ?${field}=${id} ${JSON.stringify(form ?? "")} → ${answer.status} (expected ${allowed.join("/")}) ${leaked.join(",")}`,
        );
      if (answer.status === 405 && !answer.allow) wrong.push(`${method} ${route.template}: 405 without Allow`);
    }
    process.stdout.write(`[idor] ${asked} requests over ${withIdFields.length} routes whose forms carry ids\n`);
    expect(wrong).toEqual([]);
    // The forms named here are among them (the vocabulary found their id fields).
    expect(withIdFields.map((route) => route.template)).toEqual(
      expect.arrayContaining([
        "/memory",
        "/notifications",
        "/settings/telegram",
        "/settings/sessions",
        "/admin/jobs",
        "/admin/users",
        "/chat/:conversationId",
      ]),
    );
    expect([...statuses.keys()]).toEqual(
      expect.arrayContaining([
        "POST /chat/:conversationId unpin messageId",
        "POST /chat/:conversationId memory-on messageId",
        "POST /settings/sessions revoke sessionId",
        "POST /admin/jobs cancel jobId",
      ]),
    );
    // The forms that look an id up refuse A's as they refuse one of no one's: not found.
    const refusedAs = (key: string) => [...(statuses.get(key) ?? [])];
    for (const key of [
      "POST /memory edit-fact id",
      "POST /memory delete-fact id",
      "POST /memory edit-preference id",
      "POST /memory delete-preference id",
      "POST /memory accept id",
      "POST /memory accept-edited id",
      "POST /memory reject id",
      "POST /notifications read id",
      "POST /notifications open id",
      "POST /settings/telegram unlink chatId",
    ])
      expect(refusedAs(key), key).toContain(404);
    expect(refusedAs("POST /settings/sessions revoke sessionId"), "revoke").toEqual([400]);
    for (const intent of ["retry", "cancel"]) expect(refusedAs(`POST /admin/jobs ${intent} jobId`)).toEqual([403]);
    // A is still signed in: B's revoking A's session id did not end it.
    const page = await fetch(`${base}/settings/profile`, { headers: { cookie: a.cookie }, redirect: "manual" });
    expect(page.status).toBe(200);
    await page.text();
  }, 120_000);

  it("A's ids in B's queries: messages in B's conversation, B's own pages, lists and downloads", async () => {
    const cases: Array<{ path: string; form?: Record<string, string>; status: number[] }> = [
      { path: `/chat/${ids.bConversation}/stream?message=${ids.reply}`, status: [404] },
      // A's reply's source (its Copy button's address) asked for through B's own conversation.
      { path: `/chat/${ids.bConversation}/export?format=md&message=${ids.reply}`, status: [404] },
      { path: `/chat/${ids.bConversation}/prompt?reply=${ids.reply}`, status: [200, 404] },
      { path: `/api/v1/conversations/${ids.bConversation}/messages?before=${ids.reply}`, status: [200, 400, 404] },
      // B's own pages, asked about A's objects: B's page, without A's data.
      { path: `/memory?edit=${ids.fact}`, status: [200, 404] },
      { path: `/memory?review=${ids.proposal}`, status: [200, 404] },
      { path: `/notifications?before=${ids.notification}`, status: [200] },
      // Everything B can list or download: nothing of A's.
      ...[
        "/chat",
        "/calendar",
        "/calendar?view=agenda",
        "/calendar/export.ics",
        "/notifications/unread",
        "/settings/data/export",
        "/settings/telegram",
        "/memory",
        "/api/v1/conversations",
        "/settings/usage",
      ].map((path) => ({ path, status: [200] })),
      // The feed is reached only by its token: never by A's id or the stored hash.
      { path: `/calendar/feed/${a.id}.ics`, status: [404] },
      { path: `/calendar/feed/${ids.feedToken.toUpperCase()}.ics`, status: [404] },
      // Admin-only pages, with every kind of A's id.
      ...[
        "/admin/jobs",
        `/admin/users/${a.id}`,
        "/admin/users",
        "/admin/audit",
        "/admin/audit.csv",
        "/admin/system",
        "/admin/assistant",
      ].map((path) => ({ path, status: [403] })),
    ];
    const wrong: string[] = [];
    for (const { path, form, status } of cases) {
      const answer = await asB(form ? "POST" : "GET", path, form);
      const leaked = leaks(answer);
      if (!status.includes(answer.status) || leaked.length)
        wrong.push(
          `${form ? "POST" : "GET"} ${path} ${JSON.stringify(form ?? "")} → ${answer.status} ${leaked.join(",")}`,
        );
    }
    // Searching for A's words: the page shows what B typed, but finds none of A's conversations.
    for (const words of [MARK.message, MARK.summary, MARK.title]) {
      const answer = await asB("GET", `/chat?q=${words}`);
      const found = [ids.conversation, ...Object.values(MARK)].filter(
        (mark) => mark !== words && answer.body.includes(mark),
      );
      if (answer.status !== 200 || found.length)
        wrong.push(`GET /chat?q=${words} → ${answer.status} ${found.join(",")}`);
    }
    // SQL and tsquery metacharacters in every search B can make: each finds none of A's rows.
    const injections = ["' OR 1=1 --", "%' OR '1'='1", "') OR ('a'='a", "*:* | !x", "\\' OR 1=1; --", "%", "_"];
    for (const search of ["/chat?q=", "/memory?q=", "/calendar?q=", "/notifications?before="])
      for (const injection of injections) {
        const path = `${search}${encodeURIComponent(injection)}`;
        const answer = await asB("GET", path);
        const leaked = leaks(answer);
        if (answer.status >= 500 || leaked.length) wrong.push(`GET ${path} → ${answer.status} ${leaked.join(",")}`);
      }
    expect(wrong).toEqual([]);
    // The feed does answer its own token (so the 404s above are not a broken feed).
    const feed = await fetch(`${base}/calendar/feed/${ids.feedToken}.ics`);
    expect(await feed.text()).toContain(MARK.event);
  }, 60_000);

  it("A's data is exactly as A left it, and the server logged no error", async () => {
    const conversation = await prisma.conversation.findUniqueOrThrow({ where: { id: ids.conversation } });
    expect(conversation).toMatchObject({ title: MARK.title, pinned: false, memoryEnabled: true, userId: a.id });
    expect(await prisma.message.count({ where: { conversationId: ids.conversation } })).toBe(2);
    const reply = await prisma.message.findUniqueOrThrow({ where: { id: ids.reply } });
    expect(reply).toMatchObject({ stopRequestedAt: null, selected: true, versionGroupId: null });
    const event = await prisma.event.findUniqueOrThrow({ where: { id: ids.event } });
    expect(event).toMatchObject({ title: MARK.event, exdates: [], startLocal: "2027-03-01T09:00" });
    expect(await prisma.event.count({ where: { userId: a.id } })).toBe(1);
    expect(await prisma.memoryFact.findUniqueOrThrow({ where: { id: ids.fact } })).toMatchObject({ value: MARK.fact });
    expect(await prisma.memoryPreference.findUnique({ where: { id: ids.preference } })).not.toBeNull();
    expect((await prisma.memoryProposal.findUniqueOrThrow({ where: { id: ids.proposal } })).status).toBe("proposed");
    expect(await prisma.conversationSummary.findUnique({ where: { id: ids.summary } })).not.toBeNull();
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: ids.notification } })).readAt).toBeNull();
    const link = await prisma.telegramLink.findUniqueOrThrow({ where: { chatId: BigInt(ids.chatId) } });
    expect(link).toMatchObject({ userId: a.id, unlinkedAt: null });
    expect((await prisma.user.findUniqueOrThrow({ where: { id: a.id } })).disabledAt ?? null).toBeNull();
    expect((await prisma.session.findUniqueOrThrow({ where: { id: ids.session } })).revokedAt).toBeNull();
    const [job] = await prisma.$queryRaw<Array<{ state: string }>>`
      SELECT state::text FROM pgboss.job WHERE id::text = ${ids.job}`;
    expect(job?.state).toBe("created");
    // And every other row of A's: not one changed.
    expect(await digestOf(a.id)).toBe(before);
    expect(unhandledErrors(harness)).toEqual([]);
  });
});
