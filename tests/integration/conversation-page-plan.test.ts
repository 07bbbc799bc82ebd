/**
 * The conversation page's statement reads one page of the thread, whatever the size of the conversation
 * and of everyone else's (docs/decisions/010, phase 11): it joined the messages to the owned conversation
 * only through the CTE, so PostgreSQL did not know which conversation's messages it wanted and read the
 * whole Message table — every person's messages — on every view, then sorted this conversation's. The
 * statement is explained with ANALYZE on this PostgreSQL database after ANALYZE of its tables, as a
 * one-off (custom) plan and as the generic plan a prepared statement settles on (queryRows prepares it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationPageSql, type PagePosition } from "~/chat/conversation-page.server";
import { MESSAGES_PER_PAGE } from "~/chat/messages.server";
import { prisma } from "~/db/db.server";

const me = "page-plan-me";
const other = "page-plan-other";

type PlanNode = {
  "Relation Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  Plans?: PlanNode[];
};

/** A conversation of `count` completed messages (user and assistant in turn), one second apart. */
async function conversationOf(userId: string, id: string, count: number) {
  await prisma.conversation.create({ data: { id, userId, title: `${count} messages` } });
  await prisma.$executeRaw`
    INSERT INTO "Message" (id, "conversationId", "userId", role, content, status, "createdAt", "updatedAt")
    SELECT ${id} || '-m' || n, ${id}, ${userId},
           (CASE WHEN n % 2 = 0 THEN 'user' ELSE 'assistant' END)::"MessageRole",
           'message ' || n, 'complete', now() - (${count}::int - n) * interval '1 second', now()
      FROM generate_series(1, ${count}::int) AS n`;
}

/** Rows the plan read from a table: what its scans returned plus what their filters threw away. */
function rowsRead(node: PlanNode, table: string): number {
  const own =
    node["Relation Name"] === table
      ? ((node["Actual Rows"] ?? 0) +
          (node["Rows Removed by Filter"] ?? 0) +
          (node["Rows Removed by Index Recheck"] ?? 0)) *
        (node["Actual Loops"] ?? 1)
      : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child, table), 0);
}

/** The statement for this page, run under EXPLAIN ANALYZE with the plan a prepared statement would use. */
async function messagesRead(conversationId: string, position: PagePosition, generic: boolean): Promise<number> {
  const statement = conversationPageSql(me, conversationId, position);
  const plan = await prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SET LOCAL plan_cache_mode = ${generic ? "force_generic_plan" : "force_custom_plan"}`);
    const [row] = await tx.$queryRawUnsafe<Array<{ "QUERY PLAN": unknown }>>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`,
      ...statement.values,
    );
    const json = row!["QUERY PLAN"];
    return ((typeof json === "string" ? JSON.parse(json) : json) as Array<{ Plan: PlanNode }>)[0]!.Plan;
  });
  return rowsRead(plan, "Message");
}

beforeAll(async () => {
  for (const userId of [me, other]) {
    await prisma.user.create({ data: { id: userId, email: `${userId}@example.test` } });
  }
  await conversationOf(me, `${me}-short`, 50);
  await conversationOf(me, `${me}-long`, 5_000);
  // Someone else's long conversation on the same instance.
  await conversationOf(other, `${other}-long`, 5_000);
  // What autovacuum does after a bulk change: the planner decides on these statistics.
  await prisma.$executeRawUnsafe(`ANALYZE "Message"`);
  await prisma.$executeRawUnsafe(`ANALYZE "Conversation"`);
}, 60_000);
afterAll(async () => {
  await prisma.user.deleteMany({ where: { id: { in: [me, other] } } });
});

describe("the conversation page's statement", () => {
  const page = MESSAGES_PER_PAGE + 1; // one more than a page: whether there are earlier messages

  it.each([
    ["a one-off plan", false],
    ["the prepared statement's generic plan", true],
  ])("reads one page of messages with %s, at 50 or 5,000 messages and beside others' 5,000", async (_, generic) => {
    expect(await messagesRead(`${me}-short`, null, generic)).toBe(50);
    expect(await messagesRead(`${me}-long`, null, generic)).toBe(page);
    // An earlier page (?before=) and a search hit's page (?through=), from the middle of the thread.
    const middle = await prisma.message.findUniqueOrThrow({ where: { id: `${me}-long-m2500` } });
    const cursor = { createdAt: middle.createdAt, id: middle.id };
    expect(await messagesRead(`${me}-long`, { cursor, through: false }, generic)).toBe(page);
    expect(await messagesRead(`${me}-long`, { cursor, through: true }, generic)).toBe(page);
    // Another person's conversation: nothing of it is read.
    expect(await messagesRead(`${other}-long`, null, generic)).toBe(0);
  });
});
