/**
 * IDOR matrix (issue #16): person B asks for every kind of person A's resource by id — conversations,
 * messages, reply streams, exports, prompt pages, events and their occurrences, the calendar feed,
 * notifications, memories, proposals, summaries, Telegram links — on every route template of the build
 * and with every method, and the admin-only pages (jobs, users) as a non-admin. Each answer is a 404
 * (403 for admin-only pages; 405 for PUT/PATCH/DELETE/TRACE and 204 for OPTIONS, which the server
 * answers alike for every address before any lookup), no answer contains A's marker strings, and A's
 * data is unchanged afterwards.
 */
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEvent } from "~/calendar/events.server";
import { regenerateFeedToken } from "~/calendar/feed.server";
import { prisma } from "~/db/db.server";
import { startStandInTelegram, type StandInTelegram } from "../../e2e/stand-ins/telegram-server";
import { startChatHarness, type ChatHarness } from "../support/chat-harness";
import { paramsOf, routeTemplates, signUp, unhandledErrors, type Person } from "./support";

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
};

beforeAll(async () => {
  templates = await routeTemplates();
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
  // The stand-in repeats the prompt back, so A's reply holds A's words as well.
  ids.event = (
    await createEvent(a.id, {
      title: MARK.event,
      description: MARK.event,
      location: "",
      allDay: false,
      startLocal: "2027-03-01T09:00",
      endLocal: "2027-03-01T09:30",
      timeZone: "Europe/Berlin",
      rrule: "FREQ=WEEKLY;COUNT=10",
      reminders: [10],
    })
  ).id;
  ids.feedToken = await regenerateFeedToken(a.id);
  ids.fact = (
    await prisma.memoryFact.create({ data: { userId: a.id, kind: "personal", key: MARK.fact, value: MARK.fact } })
  ).id;
  ids.preference = (
    await prisma.memoryPreference.create({ data: { userId: a.id, key: MARK.preference, value: MARK.preference } })
  ).id;
  ids.proposal = (
    await prisma.memoryProposal.create({
      data: {
        userId: a.id,
        conversationId: ids.conversation,
        type: "fact",
        kind: "context",
        key: MARK.proposal,
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
}, 180_000);

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

/** Forms B might post at a route with A's ids in the address: every intent the conversation page takes. */
const CONVERSATION_FORMS: Array<Record<string, string>> = [
  { intent: "send", message: "hi" },
  { intent: "stop", messageId: "" },
  { intent: "retry" },
  { intent: "regenerate" },
  { intent: "edit", message: "changed" },
  { intent: "edit", message: "changed", messageId: "" },
  { intent: "version", messageId: "" },
  { intent: "rename", title: "taken over" },
  { intent: "pin" },
  { intent: "delete" },
  { intent: "memory-off" },
  { intent: "model", model: "stub/large" },
];
const EVENT_FORMS: Array<Record<string, string>> = [
  { intent: "save", title: "taken over", startLocal: "2027-03-01T10:00", endLocal: "2027-03-01T11:00" },
  { intent: "delete", scope: "all" },
  { scope: "this", occurrence: "2027-03-08T09:00" },
];

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
            const forms =
              method !== "POST"
                ? [undefined]
                : template.startsWith("/chat")
                  ? CONVERSATION_FORMS.map((form) => ("messageId" in form ? { ...form, messageId: ids.reply } : form))
                  : template.includes(":eventId")
                    ? EVENT_FORMS
                    : template.startsWith("/api/")
                      ? [{ content: "hi" }]
                      : [{ intent: "anything" }];
            for (const form of forms) {
              const answer = await asB(method, `${path}${query}`, form);
              asked += 1;
              // A route without an action answers POST 405 whatever the id: nothing is looked up.
              const allowed = method === "POST" && answer.status === 405 ? [405] : expected(template, method);
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

  it("A's ids in B's forms and queries: memories, proposals, notifications, Telegram links, messages in B's conversation", async () => {
    const cases: Array<{ path: string; form?: Record<string, string>; status: number[] }> = [
      ...["edit-fact", "delete-fact", "accept", "reject"].map((intent) => ({
        path: "/memory",
        form: { intent, id: intent.includes("fact") ? ids.fact : ids.proposal, kind: "personal", key: "k", value: "v" },
        status: [404],
      })),
      { path: "/memory", form: { intent: "accept-edited", id: ids.proposal, key: "k", value: "v" }, status: [404] },
      ...["edit-preference", "delete-preference"].map((intent) => ({
        path: "/memory",
        form: { intent, id: ids.preference, key: "k", value: "v" },
        status: [404],
      })),
      ...["read", "open"].map((intent) => ({
        path: "/notifications",
        form: { intent, id: ids.notification },
        status: [404],
      })),
      { path: "/settings/telegram", form: { intent: "unlink", chatId: ids.chatId }, status: [404] },
      // Dismissing a notice about a blocked chat is idempotent: another person's chat is simply not found to dismiss.
      { path: "/settings/telegram", form: { intent: "dismiss", chatId: ids.chatId }, status: [302, 303, 404] },
      // Stopping A's reply from B's own conversation: nothing to stop, back to B's conversation.
      { path: `/chat/${ids.bConversation}`, form: { intent: "stop", messageId: ids.reply }, status: [302, 303, 404] },
      // Choosing A's reply as a version in B's own conversation: no such version there.
      { path: `/chat/${ids.bConversation}`, form: { intent: "version", messageId: ids.reply }, status: [409] },
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
      { path: "/admin/jobs", form: { intent: "retry", queue: "reminders", jobId: ids.event }, status: [403] },
      { path: "/admin/users?index", form: { intent: "disable", userId: a.id }, status: [403] },
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
    expect(unhandledErrors(harness)).toEqual([]);
  });
});
