/**
 * SIGTERM with the bot polling and a reply being written: the poller stops taking updates at once, so
 * a message sent while the process drains is left with Telegram for the next process, not started
 * here and cut (or left `streaming`) when the process exits.
 */
import pg from "pg";
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

/** The time of the last log line that is `message`, or `message` followed by ": …". */
function logTime(message: string): number {
  const entry = harness.server.logs.findLast(
    (line) => line.msg === message || String(line.msg).startsWith(`${message}:`),
  );
  return Number(entry?.time);
}

/** How many sessions wait on the lock `holder` holds while claiming a Telegram update (asked outside the
 * lock's transaction, whose view of pg_stat_activity would not change). */
async function claimsWaiting(holder: number): Promise<number> {
  const rows = await prisma.$queryRaw<Array<{ n: number }>>`
    SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE ${holder}::int = ANY(pg_blocking_pids(pid)) AND query LIKE '%INSERT INTO "TelegramUpdate"%'`;
  return rows[0]!.n;
}

async function backendPid(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  return rows[0]!.pid;
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

    const exited = harness.server.stop("SIGTERM");
    await waitUntil(
      () => harness.server.logs.some((entry) => String(entry.msg).startsWith("shutting down")),
      "the drain",
    );
    const late = telegram.sendFromUser(556, "sent while ARES stops");
    expect(await exited).toBe(0);
    // Within the grace period (1.5 s) and the closing steps: the poller's retry pause (5 s) is not waited
    // out. Measured by the server's own log times, so a loaded machine's slow start or exit does not count.
    expect(logTime("stopped") - logTime("shutting down")).toBeLessThan(6_000);

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

it(
  "SIGTERM while an update of a fetched batch is handled: the rest of the batch is left with Telegram, not claimed or started",
  { timeout: 90_000 },
  async () => {
    // A new server, polling. The first test's is stopped (if this test runs alone, now): polling on, it
    // would keep the poller's lock and answer these updates itself.
    await harness.stop();
    harness = await startChatHarness({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_BASE: telegram.apiBase,
      SHUTDOWN_GRACE_MS: "1500",
    });
    await waitUntil(() => telegram.isPolling(), "the first getUpdates");
    await linkedChat(557);
    const first = new pg.Client({ connectionString: process.env.DATABASE_URL });
    const second = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await Promise.all([first.connect(), second.connect()]);
    const [firstPid, secondPid] = await Promise.all([backendPid(first), backendPid(second)]);
    try {
      // An update stalled on its claim while two more are queued: once it ends, the next getUpdates
      // brings both in one batch.
      await first.query(`BEGIN; LOCK TABLE "TelegramUpdate" IN EXCLUSIVE MODE`);
      telegram.sendFromUser(557, "/help");
      await expect.poll(() => claimsWaiting(firstPid), { timeout: 20_000 }).toBe(1);
      const batched = telegram.sendFromUser(557, "first of the batch");
      const rest = telegram.sendFromUser(557, "second of the batch");
      // Queued behind the stalled claim, so the lock is held again before the batch's first claim.
      const relocked = second.query(`BEGIN; LOCK TABLE "TelegramUpdate" IN EXCLUSIVE MODE`);
      await first.query("COMMIT");
      await relocked;
      // The batch's first claim waits on this lock: the poller is inside that update's handling, and
      // the check before the next update is all that keeps it from claiming the rest after SIGTERM.
      await expect.poll(() => claimsWaiting(secondPid), { timeout: 20_000 }).toBe(1);

      const exited = harness.server.stop("SIGTERM");
      await waitUntil(
        () => harness.server.logs.some((entry) => String(entry.msg).startsWith("shutting down")),
        "the drain",
      );
      await second.query("COMMIT");
      expect(await exited).toBe(0);

      expect(await prisma.telegramUpdate.count({ where: { updateId: BigInt(rest.update_id) } })).toBe(0);
      expect(await prisma.message.count({ where: { content: "second of the batch" } })).toBe(0);
      expect(telegram.pendingUpdates().map((update) => update.update_id)).toEqual(
        expect.arrayContaining([batched.update_id, rest.update_id]),
      );
      expect(await prisma.message.count({ where: { status: "streaming" } })).toBe(0);
    } finally {
      await first.query("ROLLBACK").catch(() => undefined);
      await second.query("ROLLBACK").catch(() => undefined);
      await Promise.all([first.end(), second.end()]);
    }
  },
);
