/**
 * Relevant summaries (issue #14): chosen by a full-text match against the new message, recency as the
 * tie-break, at most K — with the same query plan at 10 or 10,000 summaries of mine. The statement is
 * the send path's own (memoryColumn), explained on this PostgreSQL database after ANALYZE, as the
 * planner sees it in production.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { Prisma } from "~/generated/prisma/client";
import { memoryColumn, type StoredPromptMemory } from "~/memory/prompt-memory.server";

const TOPICS = ["kyoto", "garden", "cello", "taxes", "running", "recipes", "python", "holiday", "budget", "novel"];
const MESSAGE = "what should I pack for kyoto and my garden";
const INDEX = "ConversationSummary_owner_search_idx";

const me = "plan-me";
const other = "plan-other";

/** Summaries g = from..through of `userId`, each about one topic in turn; higher g is older. */
async function addSummaries(userId: string, from: number, through: number) {
  await prisma.$executeRaw`
    INSERT INTO "ConversationSummary" (id, "userId", "conversationId", summary, topics, "keyFacts", "searchText",
                                       "fromMessageId", "throughMessageId", "throughMessageAt", "messageCount",
                                       "createdAt")
    SELECT ${userId} || '-s' || g, ${userId}, ${userId} || '-old', t.summary, ARRAY[t.topic], ARRAY['step ' || g],
           t.summary || ' ' || t.topic, 'm' || g, 'm' || g, now(), 4, now() - g * interval '1 minute'
      FROM generate_series(${from}::int, ${through}::int) g,
           LATERAL (SELECT (${TOPICS}::text[])[1 + g % 10] AS topic,
                           'We talked about ' || (${TOPICS}::text[])[1 + g % 10] || ' and settled step ' || g || '.'
                             AS summary) t`;
  // What autovacuum does after a bulk change: the planner decides on these statistics.
  await prisma.$executeRawUnsafe(`ANALYZE "ConversationSummary"`);
}

const statement = () => Prisma.sql`SELECT ${memoryColumn(me, `${me}-now`, Prisma.sql`${MESSAGE}::text`)}`;

type PlanNode = {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Parent Relationship"?: string;
  Plans?: PlanNode[];
};

/** The plan's shape: every node's type and the table or index it reads, without costs or row counts. */
function shape(node: PlanNode, depth = 0): string[] {
  const target = node["Index Name"] ?? node["Relation Name"];
  return [
    `${"  ".repeat(depth)}${node["Node Type"]}${target ? ` on ${target}` : ""}`,
    ...(node.Plans ?? []).flatMap((child) => shape(child, depth + 1)),
  ];
}

async function plan(): Promise<string[]> {
  const explained = statement();
  const [row] = await prisma.$queryRawUnsafe<Array<{ "QUERY PLAN": unknown }>>(
    `EXPLAIN (FORMAT JSON) ${explained.text}`,
    ...explained.values,
  );
  const json = row!["QUERY PLAN"];
  const [root] = (typeof json === "string" ? JSON.parse(json) : json) as Array<{ Plan: PlanNode }>;
  return shape(root!.Plan);
}

async function chosen(): Promise<StoredPromptMemory["summaries"]> {
  const [row] = await prisma.$queryRaw<Array<{ memory: StoredPromptMemory }>>(statement());
  return row!.memory.summaries;
}

beforeAll(async () => {
  for (const userId of [me, other]) {
    await prisma.user.create({ data: { id: userId, email: `${userId}@example.test` } });
    await prisma.conversation.createMany({
      data: [
        { id: `${userId}-old`, userId },
        { id: `${userId}-now`, userId },
      ],
    });
  }
  // Someone else on the same instance: PostgreSQL reads a table of a few pages, or one that is nearly all
  // one person's matches, whole, as that is then cheaper than any index (docs/decisions/008).
  await addSummaries(other, 1, 1_000);
});
afterAll(async () => {
  await prisma.user.deleteMany({ where: { id: { in: [me, other] } } });
});

describe("relevant summaries", () => {
  it("use the same plan — one search of the owner-and-words index — at 10 and at 10,000 of my summaries", async () => {
    await addSummaries(me, 1, 10);
    const atTen = await plan();
    const best = await chosen();

    await addSummaries(me, 11, 10_000);
    const atTenThousand = await plan();

    expect(atTenThousand).toEqual(atTen);
    const summaryScans = atTen.filter((line) => line.includes("ConversationSummary"));
    expect(summaryScans.map((line) => line.trim())).toEqual([
      "Bitmap Heap Scan on ConversationSummary",
      `Bitmap Index Scan on ${INDEX}`,
    ]);

    // What it chooses: my matching summaries only, equal matches newest first, at most K (3 by default).
    // Kyoto and garden are topics 0 and 1 of ten: g = 1 (garden), 10 (kyoto), 11, 20, 21, ...
    expect(best.map((summary) => summary.id)).toEqual([`${me}-s1`, `${me}-s10`]);
    expect((await chosen()).map((summary) => summary.id)).toEqual([`${me}-s1`, `${me}-s10`, `${me}-s11`]);
  }, 60_000);

  it("turns the message into a search once per statement, not once per matching summary", async () => {
    // The plan a prepared statement settles on (the send statement is prepared once per connection): the
    // message is a parameter there, so whatever derives the search from it is computed at run time.
    const explained = statement();
    const generic = await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL plan_cache_mode = force_generic_plan`);
      await tx.$executeRawUnsafe(`PREPARE summaries_generic AS ${explained.text}`);
      const args = explained.values.map((value) => `'${String(value).replace(/'/g, "''")}'`).join(", ");
      const [row] = await tx.$queryRawUnsafe<Array<{ "QUERY PLAN": unknown }>>(
        `EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE summaries_generic(${args})`,
      );
      await tx.$executeRawUnsafe(`DEALLOCATE summaries_generic`);
      const json = row!["QUERY PLAN"];
      return ((typeof json === "string" ? JSON.parse(json) : json) as Array<{ Plan: PlanNode }>)[0]!.Plan;
    });
    // The nodes that run once per matching summary: the scan of ConversationSummary and the sort and limit
    // above it, without the once-only parts (InitPlans) they refer to.
    const perRow = (node: PlanNode): PlanNode[] => [
      node,
      ...(node.Plans ?? []).filter((child) => child["Parent Relationship"] !== "InitPlan").flatMap(perRow),
    ];
    const find = (node: PlanNode): PlanNode | undefined =>
      node["Node Type"] === "Limit" && JSON.stringify(node).includes('"ConversationSummary"')
        ? node
        : (node.Plans ?? []).map(find).find(Boolean);
    const summariesLimit = find(generic);
    expect(summariesLimit).toBeDefined();
    const perSummary = perRow(summariesLimit!).map(({ Plans: _children, ...own }) => JSON.stringify(own));
    expect(perSummary.join("\n")).toContain("ts_rank");
    expect(perSummary.join("\n")).not.toContain("plainto_tsquery");
  }, 60_000);
});
