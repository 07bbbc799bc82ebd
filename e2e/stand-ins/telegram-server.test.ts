import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseTelegramHtml, startStandInTelegram, type StandInTelegram } from "./telegram-server";

const TOKEN = "123456:test-token";
let telegram: StandInTelegram;

type BotAnswer = {
  ok: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
};

async function call(method: string, parameters: Record<string, unknown> = {}, token = TOKEN): Promise<BotAnswer> {
  const response = await fetch(`${telegram.apiBase}/bot${token}/${method}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(parameters),
  });
  const answer = (await response.json()) as BotAnswer;
  // Telegram's HTTP status always equals error_code.
  expect(response.status).toBe(answer.ok ? 200 : answer.error_code);
  return answer;
}

beforeEach(async () => {
  telegram = await startStandInTelegram({ token: TOKEN });
});
afterEach(() => telegram.close());

describe("stand-in Telegram Bot API", () => {
  it("answers getMe for the right token only, and 404 for unknown methods", async () => {
    expect((await call("getMe")).result).toMatchObject({ is_bot: true, username: "ares_test_bot" });
    expect(await call("getMe", {}, "999:wrong")).toMatchObject({
      ok: false,
      error_code: 401,
      description: "Unauthorized",
    });
    expect((await call("launchRockets")).error_code).toBe(404);
  });

  it("accepts parameters as a form body and as a query string too", async () => {
    const form = await fetch(`${telegram.apiBase}/bot${TOKEN}/sendMessage`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ chat_id: "5", text: "by form" }),
    });
    expect(((await form.json()) as BotAnswer).ok).toBe(true);
    const query = await fetch(`${telegram.apiBase}/bot${TOKEN}/sendMessage?chat_id=5&text=by%20query`);
    expect(((await query.json()) as BotAnswer).ok).toBe(true);
    expect(telegram.messages(5).map((m) => m.text)).toEqual(["by form", "by query"]);
  });

  it("long-polls getUpdates, and an offset confirms what came before it", async () => {
    const polling = call("getUpdates", { timeout: 5 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const first = telegram.sendFromUser(42, "/start abc");
    const got = (await polling).result as Array<{ update_id: number; message: { text: string; entities?: unknown[] } }>;
    expect(got.map((u) => u.update_id)).toEqual([first.update_id]);
    expect(got[0]!.message.entities).toEqual([{ type: "bot_command", offset: 0, length: 6 }]);
    // Not confirmed yet: delivered again.
    expect(((await call("getUpdates")).result as unknown[]).length).toBe(1);
    const second = telegram.sendFromUser(42, "hello");
    const next = (await call("getUpdates", { offset: first.update_id + 1 })).result as Array<{ update_id: number }>;
    expect(next.map((u) => u.update_id)).toEqual([second.update_id]);
    expect(telegram.pendingUpdates().map((u) => u.update_id)).toEqual([second.update_id]);
  });

  it("ends an older long poll with 409 when a second poller starts, as Telegram does", async () => {
    const older = call("getUpdates", { timeout: 5 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const newer = call("getUpdates", { timeout: 1 });
    expect(await older).toMatchObject({ ok: false, error_code: 409 });
    expect((await newer).ok).toBe(true);
  });

  it("sends and edits messages, refusing an unchanged edit, an unknown message and over-long text", async () => {
    const sent = (await call("sendMessage", { chat_id: 7, text: "Thinking…" })).result as { message_id: number };
    expect((await call("editMessageText", { chat_id: 7, message_id: sent.message_id, text: "Hello" })).ok).toBe(true);
    expect(
      (await call("editMessageText", { chat_id: 7, message_id: sent.message_id, text: "Hello" })).description,
    ).toMatch(/message is not modified/);
    expect((await call("editMessageText", { chat_id: 7, message_id: 9999, text: "x" })).description).toBe(
      "Bad Request: message to edit not found",
    );
    expect((await call("sendMessage", { chat_id: 7, text: "x".repeat(4097) })).description).toBe(
      "Bad Request: message is too long",
    );
    expect((await call("sendMessage", { chat_id: 7, text: "x".repeat(4096) })).ok).toBe(true);
    expect(telegram.messages(7)[0]!.versions).toEqual(["Thinking…", "Hello"]);
  });

  it("validates Telegram's HTML subset: balanced, known tags and entities only", async () => {
    expect(parseTelegramHtml('<b>bold</b> <a href="https://x.example">link</a> &lt;tag&gt; &amp; &#33;')).toBe(
      "bold link <tag> & !",
    );
    expect(() => parseTelegramHtml("<b>open")).toThrow(/Can't find end tag corresponding to start tag "b"/);
    expect(() => parseTelegramHtml("<b><i>x</b></i>")).toThrow(/Unmatched end tag "b"/);
    expect(() => parseTelegramHtml("<h1>x</h1>")).toThrow(/Unsupported start tag "h1"/);
    expect(() => parseTelegramHtml("1 < 2")).toThrow(/Unexpected character/);
    expect(() => parseTelegramHtml("AT&T")).toThrow(/entity/);
    const answer = await call("sendMessage", { chat_id: 1, text: "<b>unclosed", parse_mode: "HTML" });
    expect(answer).toMatchObject({ ok: false, error_code: 400 });
    expect(answer.description).toMatch(/^Bad Request: can't parse entities/);
    // The 4,096 limit counts the visible text, not the markup.
    expect((await call("sendMessage", { chat_id: 1, text: `<b>${"x".repeat(4096)}</b>`, parse_mode: "HTML" })).ok).toBe(
      true,
    );
  });

  it("answers 429 with retry_after when told to, then recovers", async () => {
    telegram.rateLimitNext(1, 3, "editMessageText");
    expect((await call("sendMessage", { chat_id: 3, text: "a" })).ok).toBe(true);
    const limited = await call("editMessageText", { chat_id: 3, message_id: 1, text: "b" });
    expect(limited).toMatchObject({
      error_code: 429,
      description: "Too Many Requests: retry after 3",
      parameters: { retry_after: 3 },
    });
    expect((await call("editMessageText", { chat_id: 3, message_id: 1, text: "b" })).ok).toBe(true);
  });

  it("answers 403 for a chat that blocked the bot", async () => {
    telegram.block(11);
    expect(await call("sendMessage", { chat_id: 11, text: "hi" })).toMatchObject({
      error_code: 403,
      description: "Forbidden: bot was blocked by the user",
    });
  });

  it("registers commands and refuses invalid ones", async () => {
    expect(
      (await call("setMyCommands", { commands: [{ command: "new", description: "Start a new conversation" }] })).ok,
    ).toBe(true);
    expect(telegram.commands()).toEqual([{ command: "new", description: "Start a new conversation" }]);
    expect((await call("setMyCommands", { commands: [{ command: "New!", description: "x" }] })).error_code).toBe(400);
  });

  it("delivers updates to the webhook with its secret, retries until accepted, and refuses getUpdates meanwhile", async () => {
    const received: Array<{ secret: string | undefined; updateId: number }> = [];
    let refuseFirst = true;
    const receiver = createServer((req: IncomingMessage, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        const secret = req.headers["x-telegram-bot-api-secret-token"] as string | undefined;
        received.push({ secret, updateId: (JSON.parse(body) as { update_id: number }).update_id });
        res.statusCode = refuseFirst ? 500 : 200;
        refuseFirst = false;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/telegram`;
    try {
      expect((await call("setWebhook", { url, secret_token: "s3cret_token" })).ok).toBe(true);
      expect((await call("getUpdates")).error_code).toBe(409);
      const update = telegram.sendFromUser(9, "hi");
      await expect.poll(() => telegram.pendingUpdates().length, { timeout: 3000 }).toBe(0);
      // Refused once with a 500, then redelivered: the same update_id twice.
      expect(received).toEqual([
        { secret: "s3cret_token", updateId: update.update_id },
        { secret: "s3cret_token", updateId: update.update_id },
      ]);
      expect(await telegram.deliverToWebhook(update, { secretToken: null })).toBe(200);
      expect(received.at(-1)!.secret).toBeUndefined();
      expect((await call("deleteWebhook")).ok).toBe(true);
      expect((await call("getUpdates")).ok).toBe(true);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
