/**
 * SIGTERM with the bot polling and a reply being written: the poller stops taking updates at once, so
 * a message sent while the process drains is left with Telegram for the next process, not started
 * here and cut (or left `streaming`) when the process exits.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startStandInTelegram, type StandInTelegram } from "../../e2e/stand-ins/telegram-server";
import { prisma } from "~/db/db.server";
import { signedInClient, startChatHarness, type ChatHarness } from "../support/chat-harness";

const TOKEN = "4242:stand-in-token";
let telegram: StandInTelegram;
let harness: ChatHarness;

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function linkedChat(chatId: number): Promise<void> {
  const client = await signedInClient(harness.server.url);
  const page = await client.post("/settings/telegram", { intent: "code" });
  const code = /\/start (?:<!-- -->)?([A-Z0-9]{10})/.exec(await page.text())?.[1];
  telegram.sendFromUser(chatId, `/start ${code}`);
  await waitUntil(() => telegram.messages(chatId).some((message) => message.text.startsWith("Linked")), "the link");
}

beforeAll(async () => {
  telegram = await startStandInTelegram({ token: TOKEN });
  harness = await startChatHarness({
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_BASE: telegram.apiBase,
    SHUTDOWN_GRACE_MS: "1500",
  });
  await waitUntil(() => telegram.isPolling(), "the first getUpdates");
}, 120_000);
afterAll(async () => {
  await telegram?.close();
  await Promise.all([harness.openrouter.close(), harness.ollama.close()]);
});

it(
  "a message sent while the process drains is left with Telegram; the reply in progress is kept as aborted; it exits in its grace period",
  { timeout: 60_000 },
  async () => {
    await linkedChat(555);
    await linkedChat(556);
    telegram.sendFromUser(555, "[[stub:delay=300]] tell me a long story about the sea");
    await waitUntil(() => (telegram.messages(555).at(-1)?.text ?? "").startsWith("You said"), "the reply to start");

    const stopping = Date.now();
    const exited = harness.server.stop("SIGTERM");
    await waitUntil(
      () => harness.server.logs.some((entry) => String(entry.msg).startsWith("shutting down")),
      "the drain",
    );
    const late = telegram.sendFromUser(556, "sent while ARES stops");
    expect(await exited).toBe(0);
    // Within the grace period (1.5 s) and the closing steps: the poller's retry pause (5 s) is not waited out.
    expect(Date.now() - stopping).toBeLessThan(4_000);

    expect(await prisma.message.count({ where: { content: "sent while ARES stops" } })).toBe(0);
    expect(telegram.pendingUpdates().map((update) => update.update_id)).toContain(late.update_id);
    expect(await prisma.message.count({ where: { status: "streaming" } })).toBe(0);
    const reply = await prisma.message.findFirstOrThrow({
      where: { role: "assistant", conversation: { telegramChats: { some: { chatId: 555 } } } },
    });
    expect(reply.status).toBe("aborted");
    expect(reply.content).toMatch(/^You said: "tell me/);
  },
);
