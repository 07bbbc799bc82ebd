/**
 * The Telegram door against the stand-in Bot API, with the built server: linking, replies streamed by
 * editing one message, the linking hint for strangers, webhooks with and without the secret, duplicate
 * updates, 429s, a blocked bot, and one poller among several processes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stubReplyFor } from "../../e2e/stand-ins/llm-server";
import { startStandInTelegram, type StandInTelegram } from "../../e2e/stand-ins/telegram-server";
import { createEvent } from "~/calendar/events.server";
import { Temporal, todayIn } from "~/calendar/time";
import { prisma } from "~/db/db.server";
import { createLinkCode, linkChat, LINK_CODE_TTL_MS } from "~/telegram/linking.server";
import { makeUser } from "../support/accounts";
import { signedInClient, startChatHarness, type ChatHarness } from "../support/chat-harness";
import { closedPort } from "../support/ops";
import { startServer } from "../support/server-process";

const TOKEN = "4242:stand-in-token";

async function linkingCode(client: Awaited<ReturnType<typeof signedInClient>>): Promise<string> {
  const page = await client.post("/settings/telegram", { intent: "code" });
  expect(page.status).toBe(200);
  const code = /\/start (?:<!-- -->)?([A-Z0-9]{10})/.exec(await page.text())?.[1];
  expect(code).toBeDefined();
  return code!;
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The bot's texts in a chat, the newest version of each message. */
const said = (telegram: StandInTelegram, chatId: number) => telegram.messages(chatId).map((message) => message.text);

describe("Telegram by long polling", { timeout: 60_000 }, () => {
  let telegram: StandInTelegram;
  let harness: ChatHarness;

  beforeAll(async () => {
    telegram = await startStandInTelegram({ token: TOKEN });
    harness = await startChatHarness({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_BASE: telegram.apiBase });
    await waitUntil(() => telegram.isPolling(), 15_000, "the first getUpdates");
  }, 120_000);
  afterAll(async () => {
    await harness?.stop();
    await telegram?.close();
  });

  it("registers the bot's commands", () => {
    expect(telegram.commands().map((command) => command.command)).toEqual(["new", "model", "stop", "today", "help"]);
  });

  it("tells an unlinked chat how to link, and nothing else: no model call, no data", async () => {
    const before = harness.openrouter.requests.length + harness.ollama.requests.length;
    telegram.sendFromUser(1001, "What's on my calendar?");
    await expect.poll(() => said(telegram, 1001).length, { timeout: 30_000 }).toBe(1);
    expect(said(telegram, 1001)[0]).toMatch(/not linked to an account yet[\s\S]*Settings → Telegram/);
    expect(harness.openrouter.requests.length + harness.ollama.requests.length).toBe(before);
    expect(await prisma.telegramLink.count({ where: { chatId: 1001n } })).toBe(0);

    // Told once: writing again (and again) gets nothing more, so strangers cannot use up the bot's rate.
    telegram.sendFromUser(1001, "Hello?");
    telegram.sendFromUser(1001, "Anyone?");
    await expect.poll(() => telegram.pendingUpdates().length, { timeout: 30_000 }).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(said(telegram, 1001)).toHaveLength(1);
  });

  it("answers a chat id that is not a number Telegram uses with a form error, not a 500", async () => {
    const client = await signedInClient(harness.server.url);
    for (const chatId of ["99999999999999999999", "1e5", ""]) {
      expect((await client.post("/settings/telegram", { intent: "unlink", chatId })).status).toBe(400);
    }
  });

  it("links with a code, streams the reply by editing one message, and keeps it in the person's conversation", async () => {
    const client = await signedInClient(harness.server.url);
    const code = await linkingCode(client);
    telegram.sendFromUser(2002, `/start ${code}`, { username: "pat" });
    await expect.poll(() => said(telegram, 2002).at(-1) ?? "", { timeout: 30_000 }).toMatch(/^Linked to /);

    harness.openrouter.configure({ tokenDelayMs: 150 });
    try {
      telegram.sendFromUser(2002, "Tell me about Telegram");
      const expected = stubReplyFor("Tell me about Telegram");
      await expect.poll(() => telegram.messages(2002).at(-1)?.text, { timeout: 30_000 }).toBe(expected);
    } finally {
      harness.openrouter.configure({ tokenDelayMs: 2 });
    }
    const reply = telegram.messages(2002).at(-1)!;
    // A placeholder, partial texts while streaming, then the whole reply: several edits of one message.
    expect(reply.versions.length).toBeGreaterThanOrEqual(3);
    expect(reply.versions[0]).toBe("…");

    const page = await client.get("/settings/telegram");
    const html = await page.text();
    expect(html).toContain("@pat");
    const conversationId = /href="\/chat\/([^"]+)">current conversation/.exec(html)?.[1];
    expect(conversationId).toBeDefined();
    const conversation = await (await client.get(`/chat/${conversationId}`)).text();
    expect(conversation).toContain("Tell me about Telegram");
    expect(conversation).toContain("deterministic reply from the stub model");

    // A code works once.
    telegram.sendFromUser(2003, `/start ${code}`);
    await expect.poll(() => said(telegram, 2003).at(-1) ?? "", { timeout: 30_000 }).toMatch(/not valid any more/);
  });

  it("waits out Telegram's 429 and still completes the reply", async () => {
    const client = await signedInClient(harness.server.url);
    telegram.sendFromUser(3003, `/start ${await linkingCode(client)}`);
    await expect.poll(() => said(telegram, 3003).length, { timeout: 30_000 }).toBe(1);
    telegram.rateLimitNext(1, 1, "sendMessage");
    telegram.sendFromUser(3003, "rate limited please");
    await expect.poll(() => said(telegram, 3003).at(-1), { timeout: 30_000 }).toBe(stubReplyFor("rate limited please"));
    expect(telegram.calls.some((call) => call.status === 429)).toBe(true);
  });

  it("starts a new conversation on /new, and unlinks a chat that blocked the bot", async () => {
    const client = await signedInClient(harness.server.url);
    telegram.sendFromUser(4004, `/start ${await linkingCode(client)}`);
    await expect.poll(() => said(telegram, 4004).length, { timeout: 30_000 }).toBe(1);
    telegram.sendFromUser(4004, "first");
    await expect.poll(() => said(telegram, 4004).at(-1), { timeout: 30_000 }).toBe(stubReplyFor("first"));
    const first = (await prisma.telegramLink.findUniqueOrThrow({ where: { chatId: 4004n } })).conversationId;
    telegram.sendFromUser(4004, "/new");
    await expect.poll(() => said(telegram, 4004).at(-1), { timeout: 30_000 }).toMatch(/New conversation started/);
    telegram.sendFromUser(4004, "second");
    await expect.poll(() => said(telegram, 4004).at(-1), { timeout: 30_000 }).toBe(stubReplyFor("second"));
    const second = (await prisma.telegramLink.findUniqueOrThrow({ where: { chatId: 4004n } })).conversationId;
    expect(second).not.toBe(first);

    telegram.block(4004);
    telegram.sendFromUser(4004, "are you there?");
    await expect
      .poll(async () => (await prisma.telegramLink.findUniqueOrThrow({ where: { chatId: 4004n } })).unlinkReason, {
        timeout: 20_000,
      })
      .toBe("blocked");
    expect(await (await client.get("/settings/telegram")).text()).toMatch(/blocked the bot, so it was unlinked/);
  });

  it("/today lists today's occurrences in the person's zone: a series as today's occurrence, not tomorrow's events", async () => {
    const zone = "Pacific/Auckland";
    const person = await makeUser({ timeZone: zone });
    const { code } = await createLinkCode(person.id);
    telegram.sendFromUser(8008, `/start ${code}`);
    await expect.poll(() => said(telegram, 8008).at(-1) ?? "", { timeout: 30_000 }).toMatch(/^Linked to /);

    const day = todayIn(zone);
    const weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][day.dayOfWeek - 1];
    const base = { description: "", location: "", timeZone: zone, reminders: [] };
    const threeWeeksAgo = day.subtract({ days: 21 });
    await createEvent(person.id, {
      ...base,
      title: "Weekly planning",
      location: "Room 4",
      allDay: false,
      startLocal: `${threeWeeksAgo}T09:00`,
      endLocal: `${threeWeeksAgo}T09:30`,
      rrule: `FREQ=WEEKLY;BYDAY=${weekday}`,
    });
    await createEvent(person.id, {
      ...base,
      title: "Conference",
      allDay: true,
      startLocal: `${day}`,
      endLocal: `${day.add({ days: 1 })}`,
      rrule: null,
    });
    const tomorrow = day.add({ days: 1 });
    await createEvent(person.id, {
      ...base,
      title: "Dentist",
      allDay: false,
      startLocal: `${tomorrow}T08:00`,
      endLocal: `${tomorrow}T08:30`,
      rrule: null,
    });

    telegram.sendFromUser(8008, "/today");
    await expect.poll(() => said(telegram, 8008).at(-1) ?? "", { timeout: 30_000 }).toContain("Weekly planning");
    const answer = said(telegram, 8008).at(-1)!;
    expect(answer).toContain(`(${zone})`);
    expect(answer).toContain(day.toLocaleString("en-GB", { day: "numeric", month: "long" }));
    expect(answer.split("\n").slice(1)).toEqual(["• all day Conference", "• 09:00–09:30 Weekly planning (Room 4)"]);
    expect(answer).not.toContain("Dentist");
    expect(Temporal.PlainDate.compare(todayIn(zone), day)).toBe(0);
  });

  it("shows the code's expiry and when a chat was linked in the person's time zone, as other pages do", async () => {
    const client = await signedInClient(harness.server.url);
    const code = await linkingCode(client);
    telegram.sendFromUser(2102, `/start ${code}`, { username: "kenji" });
    await expect.poll(() => said(telegram, 2102).at(-1) ?? "", { timeout: 30_000 }).toMatch(/^Linked to /);
    const link = await prisma.telegramLink.findUniqueOrThrow({ where: { chatId: 2102n } });
    await prisma.user.update({ where: { id: link.userId }, data: { timeZone: "Asia/Tokyo" } });
    await prisma.telegramLink.update({
      where: { chatId: 2102n },
      data: { linkedAt: new Date("2026-12-04T00:08:57Z") },
    });

    const settings = await (await client.get("/settings/telegram")).text();
    expect(settings).toMatch(/linked (?:<!-- -->)?<time[^>]*>4 Dec 2026, 09:08<\/time>/);
    expect(settings).not.toContain("GMT");

    const withCode = await (await client.post("/settings/telegram", { intent: "code" })).text();
    const [, until, shown] = /works once, until (?:<!-- -->)?<time dateTime="([^"]+)">([^<]*)<\/time>/.exec(withCode)!;
    const tokyo = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Tokyo" });
    expect(shown).toBe(tokyo.format(new Date(until!)));
    expect(withCode).not.toContain("GMT");
  });

  it("refuses an expired code, and a code links the chat to the code's owner only", async () => {
    const owner = await makeUser();
    const other = await makeUser();
    const { code } = await createLinkCode(other.id);
    const later = new Date(Date.now() + LINK_CODE_TTL_MS + 1000);
    expect(await linkChat(code, { chatId: 5005n, username: undefined, displayName: undefined }, later)).toEqual({
      linked: false,
      reason: "invalid_code",
    });
    const fresh = await createLinkCode(other.id);
    expect((await linkChat(fresh.code, { chatId: 5005n, username: undefined, displayName: undefined })).linked).toBe(
      true,
    );
    const link = await prisma.telegramLink.findUniqueOrThrow({ where: { chatId: 5005n } });
    expect(link.userId).toBe(other.id);
    expect(link.userId).not.toBe(owner.id);
  });

  it("a second ARES process on the same database does not poll too: each update is handled once", async () => {
    const second = await startServer({
      DATABASE_URL: process.env.DATABASE_URL!,
      NODE_ENV: "test",
      ARES_SKIP_MIGRATIONS: "true",
      OLLAMA_URL: harness.ollama.url,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_BASE: telegram.apiBase,
    });
    try {
      for (let i = 0; i < 5; i += 1) telegram.sendFromUser(6000 + i, "hello?");
      for (let i = 0; i < 5; i += 1) {
        await expect.poll(() => said(telegram, 6000 + i).length, { timeout: 30_000 }).toBe(1);
      }
      await new Promise((resolve) => setTimeout(resolve, 1500));
      for (let i = 0; i < 5; i += 1) expect(said(telegram, 6000 + i)).toHaveLength(1);
      // Only one long poll runs at a time: a second would have ended the first with 409.
      expect(telegram.calls.filter((call) => call.method === "getUpdates" && call.status === 409)).toEqual([]);
    } finally {
      await second.stop();
    }
  });
});

describe("Telegram by webhook", { timeout: 60_000 }, () => {
  let telegram: StandInTelegram;
  let harness: ChatHarness;

  beforeAll(async () => {
    telegram = await startStandInTelegram({ token: TOKEN });
    const port = await closedPort();
    harness = await startChatHarness({
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_BASE: telegram.apiBase,
    });
    const webhookUrl = `http://127.0.0.1:${port}/api/v1/telegram/webhook`;
    await waitUntil(() => telegram.webhook()?.url === webhookUrl, 15_000, "setWebhook");
  }, 120_000);
  afterAll(async () => {
    await harness?.stop();
    await telegram?.close();
  });

  it("refuses a webhook call without the right secret and stores nothing", async () => {
    const update = {
      update_id: 91,
      message: { message_id: 1, date: 0, chat: { id: 7007, type: "private" as const }, text: "hi" },
    };
    expect(await telegram.deliverToWebhook(update, { secretToken: null })).toBe(401);
    expect(await telegram.deliverToWebhook(update, { secretToken: "wrong-secret" })).toBe(401);
    expect(await prisma.telegramUpdate.count({ where: { botId: 4242n, updateId: 91n } })).toBe(0);
    expect(said(telegram, 7007)).toEqual([]);
  });

  it("refuses a caller without the secret with 401 before looking at the body: its type, encoding and size tell a stranger nothing", async () => {
    const url = `${harness.server.url}/api/v1/telegram/webhook`;
    const bodies: Array<{ headers: Record<string, string>; body: string }> = [
      { headers: { "content-type": "text/plain" }, body: "hello" },
      { headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: "{}" },
      { headers: { "content-type": "application/json; charset=latin1" }, body: "{}" },
      { headers: { "content-type": "application/json" }, body: JSON.stringify({ pad: "x".repeat(1_200_000) }) },
    ];
    for (const { headers, body } of bodies)
      for (const secret of [undefined, "wrong-secret"]) {
        const response = await fetch(url, {
          method: "POST",
          headers: { ...headers, ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}) },
          body,
        });
        expect(response.status, `${JSON.stringify(headers)} ${secret ?? "no secret"}`).toBe(401);
        expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
        expect(await response.json()).toMatchObject({ code: "unauthorized" });
      }
    // With the right secret, the body's type is what is wrong, and Telegram (or whoever holds it) is told so.
    const typed = await fetch(url, {
      method: "POST",
      headers: { "content-type": "text/plain", "x-telegram-bot-api-secret-token": telegram.webhook()!.secretToken! },
      body: "hello",
    });
    expect(typed.status).toBe(415);
    expect(await typed.json()).toMatchObject({ code: "unsupported_media_type" });
  });

  it("answers a linked chat through the webhook, once per update_id even when Telegram delivers it twice", async () => {
    const client = await signedInClient(harness.server.url);
    telegram.sendFromUser(8008, `/start ${await linkingCode(client)}`);
    await expect.poll(() => said(telegram, 8008).length, { timeout: 30_000 }).toBe(1);
    const update = telegram.sendFromUser(8008, "hello by webhook");
    await expect.poll(() => said(telegram, 8008).at(-1), { timeout: 30_000 }).toBe(stubReplyFor("hello by webhook"));
    expect(await telegram.deliverToWebhook(update)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(said(telegram, 8008)).toHaveLength(2);
    expect(await prisma.message.count({ where: { content: "hello by webhook" } })).toBe(1);
  });

  it("answers 503 with Retry-After (never 200) while an update is being handled elsewhere, and takes over a stale claim", async () => {
    const client = await signedInClient(harness.server.url);
    telegram.sendFromUser(8012, `/start ${await linkingCode(client)}`);
    await expect.poll(() => said(telegram, 8012).length, { timeout: 30_000 }).toBe(1);
    const update = {
      update_id: 900_012,
      message: { message_id: 2, date: 0, chat: { id: 8012, type: "private" as const }, text: "/help" },
    };
    // Another webhook process took it a moment ago (and is at it, or went away with it).
    await prisma.$executeRaw`
      INSERT INTO "TelegramUpdate" ("botId", "updateId", "pendingSince") VALUES (4242, 900012, now() AT TIME ZONE 'UTC')`;
    const webhook = telegram.webhook()!;
    const response = await fetch(webhook.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": webhook.secretToken! },
      body: JSON.stringify(update),
    });
    // A 200 would tell Telegram it is done, and lose it should that process never finish.
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toMatch(/^[1-9]\d*$/);
    expect(said(telegram, 8012)).toHaveLength(1);
    // Minutes later, its claim stale: Telegram's next try is handled here.
    await prisma.$executeRaw`
      UPDATE "TelegramUpdate" SET "pendingSince" = now() - interval '10 minutes'
      WHERE "botId" = 4242 AND "updateId" = 900012`;
    expect(await telegram.deliverToWebhook(update)).toBe(200);
    expect(said(telegram, 8012)).toHaveLength(2);
    expect(await telegram.deliverToWebhook(update)).toBe(200);
    expect(said(telegram, 8012)).toHaveLength(2);
  });

  it("answers a message holding a NUL (made U+FFFD) with 200 and a reply: a 400 made Telegram redeliver it for good", async () => {
    const client = await signedInClient(harness.server.url);
    telegram.sendFromUser(8010, `/start ${await linkingCode(client)}`);
    await expect.poll(() => said(telegram, 8010).length, { timeout: 30_000 }).toBe(1);
    const update = telegram.sendFromUser(8010, "nul\u0000by webhook");
    await expect.poll(() => said(telegram, 8010).at(-1), { timeout: 30_000 }).toBe(stubReplyFor("nul\uFFFDby webhook"));
    // Telegram's own retry of it (or any delivery): 200, and handled once.
    expect(await telegram.deliverToWebhook(update)).toBe(200);
    expect(await prisma.message.count({ where: { content: "nul\uFFFDby webhook" } })).toBe(1);
    // Without the right secret it is still refused, NUL or not, and nothing is stored.
    const stranger = { ...update, update_id: update.update_id + 1000 };
    expect(await telegram.deliverToWebhook(stranger, { secretToken: "wrong-secret" })).toBe(401);
    expect(await telegram.deliverToWebhook(stranger, { secretToken: null })).toBe(401);
    expect(await prisma.telegramUpdate.count({ where: { botId: 4242n, updateId: BigInt(stranger.update_id) } })).toBe(
      0,
    );
  });
});
