/**
 * Chat search on a long-used account: a word is looked up in the full-text GIN index, not by reading
 * and parsing every message of mine (the query came from a CTE, so the planner could not see it and read
 * all 20,000: 160–550 ms), and snippets are made for the page of hits only, not for every match. The
 * statement is the page's own (searchSql), explained after ANALYZE in both plans PostgreSQL may use for it:
 * the custom plan of its first executions and the generic plan of a prepared statement.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { searchConversations, searchSql } from "~/chat/conversations.server";
import { pool, prisma } from "~/db/db.server";

const me = "search-plan-me";
const other = "search-plan-other";
const MESSAGES = 20_000;

type PlanNode = { "Node Type": string; "Index Name"?: string; Output?: string[]; Plans?: PlanNode[] };

function nodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodes)];
}

/** The plan of the search for `text`, as a generic (prepared) or custom plan. */
async function plan(text: string, mode: "force_generic_plan" | "force_custom_plan"): Promise<PlanNode> {
  const client = await pool().connect();
  try {
    await client.query(`SET plan_cache_mode = ${mode}`);
    const statement = searchSql(me, text, 30);
    await client.query(`PREPARE search_plan AS ${statement.text}`);
    const literals = statement.values.map((value) =>
      typeof value === "string" ? `'${value.replaceAll("'", "''")}'` : String(value),
    );
    const result = await client.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(
      `EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE search_plan(${literals.join(", ")})`,
    );
    await client.query("DEALLOCATE search_plan");
    return result.rows[0]!["QUERY PLAN"][0]!.Plan;
  } finally {
    await client.query("RESET plan_cache_mode");
    client.release();
  }
}

beforeAll(async () => {
  for (const userId of [me, other]) {
    await prisma.user.create({ data: { id: userId, email: `${userId}@example.test` } });
    await prisma.conversation.create({ data: { id: `${userId}-c`, userId, title: "Notes" } });
    await prisma.$executeRaw`
      INSERT INTO "Message" (id, "userId", "conversationId", role, content, status, "createdAt", "updatedAt")
      SELECT ${userId} || '-m' || g, ${userId}, ${userId} || '-c', 'user',
             'note number ' || g || ' about ' || md5(g::text), 'complete',
             now() - g * interval '1 second', now()
        FROM generate_series(1, ${MESSAGES}::int) g`;
  }
  await prisma.$executeRawUnsafe(`ANALYZE "Message"`);
}, 60_000);
afterAll(() => prisma.$executeRaw`DELETE FROM "User" WHERE id IN (${me}, ${other})`);

describe("chat search at 20,000 messages of mine", () => {
  it.each(["force_custom_plan", "force_generic_plan"] as const)(
    "looks a word up in the GIN index and makes snippets for the page of hits only (%s)",
    async (mode) => {
      // A word in none of them is found in the index; one in every message (the custom plan knows it)
      // may be read from my own rows instead.
      // A term found as written ("node.js", "C++") is looked up in the index by its first letters.
      for (const rareWord of ["nothing-like-this", "node.js", "C++"]) {
        const rare = nodes(await plan(rareWord, mode));
        expect(rare.map((node) => node["Index Name"])).toContain("Message_content_fts_idx");
      }
      for (const word of ["nothing-like-this", "note"]) {
        const all = nodes(await plan(word, mode));
        const limit = all.find((node) => node["Node Type"] === "Limit")!;
        const belowLimit = nodes(limit).slice(1);
        expect(belowLimit.flatMap((node) => node.Output ?? []).join(" ")).not.toContain("ts_headline");
      }
    },
  );

  it("finds the newest 30 of mine for a word every message has, each with its snippet", async () => {
    const hits = await searchConversations(me, "note");
    expect(hits).toHaveLength(30);
    expect(hits.map((hit) => hit.messageId)).toEqual(Array.from({ length: 30 }, (_, i) => `${me}-m${i + 1}`));
    expect(hits[0]!.snippet).toMatch(/^\uE000note\uE001 number 1 about /);
  });
});
