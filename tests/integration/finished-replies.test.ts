/**
 * A finished reply's last write stores its text and outcome, the prompt it was sent with and its usage
 * in one statement; replies that finish together share statements, and one refused reply does not take
 * the others down with it.
 */
import pg from "pg";
import { expect, it } from "vitest";
import { storeFinishedReply, type FinishedReply } from "~/chat/finished-replies.server";
import { heartbeatSql } from "~/chat/reply-maintenance.server";
import { storedReplyHtml } from "~/chat/reply-html.server";
import { prisma } from "~/db/db.server";
import { queryRows } from "~/db/sql.server";
import { countQueries } from "../support/query-counter";
import { makeUser } from "../support/accounts";

async function streamingReplies(userId: string, count: number): Promise<string[]> {
  const conversation = await prisma.conversation.create({ data: { userId, title: "finishing" } });
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const reply = await prisma.message.create({
      data: { conversationId: conversation.id, userId, role: "assistant", status: "streaming" },
    });
    ids.push(reply.id);
  }
  return ids;
}

function finished(messageId: string, userId: string, content: string, tokens = 10): FinishedReply {
  return {
    messageId,
    userId,
    content,
    ...storedReplyHtml(content),
    status: "complete",
    provider: "openrouter",
    model: "stub/small",
    fallbackFrom: null,
    promptTokens: tokens,
    completionTokens: tokens * 2,
    cost: 0.001,
    latencyMs: 42,
    prompt: {
      sections: [{ name: "message", title: "Your new message", text: content, items: 1, dropped: 0 }],
      memories: [],
    },
    usage: {
      provider: "openrouter",
      model: "stub/small",
      counts: { promptTokens: tokens, completionTokens: tokens * 2, cost: 0.001 },
    },
  };
}

it("replies that finish together are each stored with their own text, outcome and prompt, in a few statements", async () => {
  const user = await makeUser();
  const ids = await streamingReplies(user.id, 20);
  const { result, statements } = await countQueries(() =>
    Promise.all(ids.map((id, index) => storeFinishedReply(finished(id, user.id, `reply **${index}**`)))),
  );
  expect(result).toEqual(ids.map(() => true));
  // The first is written at once; the others, which finished while it was in flight, together.
  expect(statements.length).toBeLessThanOrEqual(2);

  const stored = await prisma.message.findMany({ where: { id: { in: ids } }, include: { prompt: true } });
  for (const [index, id] of ids.entries()) {
    const reply = stored.find((message) => message.id === id)!;
    expect(reply).toMatchObject({
      content: `reply **${index}**`,
      html: `<p>reply <strong>${index}</strong></p>\n`,
      status: "complete",
      provider: "openrouter",
      model: "stub/small",
      promptTokens: 10,
      completionTokens: 20,
      latencyMs: 42,
    });
    expect(reply.prompt?.sections).toEqual([
      { name: "message", title: "Your new message", text: `reply **${index}**`, items: 1, dropped: 0 },
    ]);
  }
  // One usage row per person, day, provider and model, whatever the batching: 20 replies of 30 tokens.
  const usage = await prisma.usageDaily.findMany({ where: { userId: user.id } });
  expect(usage).toHaveLength(1);
  expect(usage[0]).toMatchObject({ requests: 20, promptTokens: 200, completionTokens: 400 });
  expect(usage[0]!.cost).toBeCloseTo(0.02);
  // The same counts in the quarter hour's slot (UTC), which /settings/usage sums into the person's days
  // (a batch written across a quarter hour's turn splits between two slots: summed, they are the day's).
  const slots = await prisma.usageSlot.findMany({ where: { userId: user.id } });
  expect(slots.every((slot) => slot.slotStart.getTime() % (15 * 60_000) === 0)).toBe(true);
  const summed = slots.reduce(
    (sum, slot) => ({
      requests: sum.requests + slot.requests,
      promptTokens: sum.promptTokens + slot.promptTokens,
      completionTokens: sum.completionTokens + slot.completionTokens,
    }),
    { requests: 0, promptTokens: 0, completionTokens: 0 },
  );
  expect(summed).toEqual({ requests: 20, promptTokens: 200, completionTokens: 400 });
});

it("a reply whose conversation was deleted meanwhile is not stored, but the tokens it used are counted", async () => {
  const user = await makeUser();
  const [gone, kept] = (await streamingReplies(user.id, 2)) as [string, string];
  await prisma.message.delete({ where: { id: gone } });
  const outcomes = await Promise.all([
    storeFinishedReply(finished(gone, user.id, "nobody reads this", 5)),
    storeFinishedReply(finished(kept, user.id, "still here", 5)),
  ]);
  expect(outcomes).toEqual([false, true]);
  expect(await prisma.replyPrompt.findUnique({ where: { messageId: gone } })).toBeNull();
  expect(await prisma.usageDaily.findFirst({ where: { userId: user.id } })).toMatchObject({
    requests: 2,
    promptTokens: 10,
  });
  // /settings/usage counts it too: it reads the slots, not the replies.
  const slots = await prisma.usageSlot.findMany({ where: { userId: user.id } });
  expect(slots.reduce((sum, slot) => sum + slot.requests, 0)).toBe(2);
});

it("usage that would pass 2^31 tokens stops at the largest int; the reply is stored with the others", async () => {
  const heavy = await makeUser();
  const light = await makeUser();
  const max = 2 ** 31 - 1;
  // Today's rows of the heavy user, day and quarter hour, a few tokens short of the largest int.
  await prisma.$executeRaw`
    INSERT INTO "UsageDaily" ("userId", day, provider, model, requests, "promptTokens", "completionTokens", cost)
    VALUES (${heavy.id}, (now() AT TIME ZONE 'UTC')::date, 'openrouter', 'stub/small', 1, ${max - 5}, ${max - 5}, 0)`;
  await prisma.$executeRaw`
    INSERT INTO "UsageSlot" ("userId", "slotStart", provider, model, requests, "promptTokens", "completionTokens", cost)
    VALUES (${heavy.id}, date_trunc('hour', now() AT TIME ZONE 'UTC')
              + floor(extract(minute FROM now() AT TIME ZONE 'UTC') / 15) * interval '15 minutes',
            'openrouter', 'stub/small', 1, ${max - 5}, ${max - 5}, 0)`;
  const [heavyReply] = await streamingReplies(heavy.id, 1);
  const [lightReply] = await streamingReplies(light.id, 1);
  const outcomes = await Promise.allSettled([
    storeFinishedReply(finished(heavyReply!, heavy.id, "heavy", 10)),
    storeFinishedReply(finished(lightReply!, light.id, "light", 10)),
  ]);
  expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "fulfilled"]);
  const stored = await prisma.message.findMany({ where: { id: { in: [heavyReply!, lightReply!] } } });
  expect(stored.map((reply) => reply.status)).toEqual(["complete", "complete"]);
  expect(await prisma.usageDaily.findFirst({ where: { userId: heavy.id } })).toMatchObject({
    promptTokens: max,
    completionTokens: max,
  });
  expect(await prisma.usageSlot.findFirst({ where: { userId: heavy.id } })).toMatchObject({
    promptTokens: max,
    completionTokens: max,
  });
  expect(await prisma.usageDaily.findFirst({ where: { userId: light.id } })).toMatchObject({ promptTokens: 10 });
});

it("a reply whose provider reports more than 2^31 tokens is stored, its counts at the largest int", async () => {
  const user = await makeUser();
  const max = 2 ** 31 - 1;
  const [reply] = await streamingReplies(user.id, 1);
  // 3e9 prompt and 6e9 completion tokens, for the reply and its usage alike.
  expect(await storeFinishedReply(finished(reply!, user.id, "enormous", 3e9))).toBe(true);
  expect(await prisma.message.findUnique({ where: { id: reply! } })).toMatchObject({
    content: "enormous",
    status: "complete",
    promptTokens: max,
    completionTokens: max,
  });
  expect(await prisma.usageDaily.findFirst({ where: { userId: user.id } })).toMatchObject({
    requests: 1,
    promptTokens: max,
    completionTokens: max,
  });
});

it("a reply whose provider reports odd token counts (missing, negative, a fraction) is stored with whole counts from 0", async () => {
  const user = await makeUser();
  const [missing, negative, fraction] = await streamingReplies(user.id, 3);
  expect(await storeFinishedReply(finished(missing!, user.id, "no usage in one round", Number.NaN))).toBe(true);
  expect(await storeFinishedReply(finished(negative!, user.id, "negative", -5))).toBe(true);
  expect(await storeFinishedReply(finished(fraction!, user.id, "a fraction", 12.4))).toBe(true);
  const stored = await prisma.message.findMany({
    where: { id: { in: [missing!, negative!, fraction!] } },
    select: { content: true, status: true, promptTokens: true, completionTokens: true },
    orderBy: { content: "asc" },
  });
  expect(stored).toEqual([
    { content: "a fraction", status: "complete", promptTokens: 12, completionTokens: 25 },
    { content: "negative", status: "complete", promptTokens: 0, completionTokens: 0 },
    { content: "no usage in one round", status: "complete", promptTokens: 0, completionTokens: 0 },
  ]);
  // Nothing taken off the day's usage by a negative count.
  expect(await prisma.usageDaily.findFirst({ where: { userId: user.id } })).toMatchObject({
    requests: 3,
    promptTokens: 12,
    completionTokens: 25,
  });
});

it("a reply the database refuses fails alone; the replies finishing with it are stored", async () => {
  const user = await makeUser();
  const ids = await streamingReplies(user.id, 4);
  await prisma.$executeRawUnsafe(`
    CREATE FUNCTION refuse_finished_reply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.content = 'refuse me' THEN RAISE EXCEPTION 'refused by the test'; END IF;
      RETURN NEW;
    END $$`);
  await prisma.$executeRawUnsafe(
    `CREATE TRIGGER refuse_finished_reply BEFORE UPDATE ON "Message" FOR EACH ROW EXECUTE FUNCTION refuse_finished_reply()`,
  );
  try {
    const outcomes = await Promise.allSettled(
      ids.map((id, index) => storeFinishedReply(finished(id, user.id, index === 2 ? "refuse me" : `fine ${index}`))),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    const stored = await prisma.message.findMany({ where: { id: { in: ids } }, orderBy: { createdAt: "asc" } });
    expect(stored.map((reply) => reply.status)).toEqual(["complete", "complete", "streaming", "complete"]);
  } finally {
    await prisma.$executeRawUnsafe(`DROP TRIGGER refuse_finished_reply ON "Message"`);
    await prisma.$executeRawUnsafe(`DROP FUNCTION refuse_finished_reply()`);
  }
});

it("the heartbeat waits for no reply another write holds, so it cannot deadlock with replies being finished", async () => {
  const user = await makeUser();
  const [held, free] = (await streamingReplies(user.id, 2)) as [string, string];
  const longAgo = new Date(Date.now() - 60_000);
  await prisma.$executeRaw`UPDATE "Message" SET "updatedAt" = ${longAgo} WHERE id IN (${held}, ${free})`;
  // Another connection holds one reply's row, as the statement finishing a batch of replies does.
  const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await other.connect();
  try {
    await other.query("BEGIN");
    await other.query(`SELECT 1 FROM "Message" WHERE id = $1 FOR UPDATE`, [held]);
    const beat = queryRows(heartbeatSql([held, free])).then(() => "done" as const);
    const waited = new Promise<"waited">((resolve) => setTimeout(() => resolve("waited"), 5_000));
    expect(await Promise.race([beat, waited])).toBe("done");
    const stamps = await prisma.message.findMany({ where: { id: { in: [held, free] } } });
    // The free reply is marked alive; the held one is left to the write holding it, which stamps it itself.
    expect(stamps.find((reply) => reply.id === free)!.updatedAt.getTime()).toBeGreaterThan(longAgo.getTime());
    expect(stamps.find((reply) => reply.id === held)!.updatedAt.getTime()).toBe(longAgo.getTime());
  } finally {
    await other.query("ROLLBACK");
    await other.end();
  }
});
