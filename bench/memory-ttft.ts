/**
 * Time to first token with a full memory against none, measured in one run: one person with 200 facts,
 * 20 preferences and 1,000 summaries of other conversations (each message matches a tenth of them), one
 * person with nothing, same server, rounds interleaved so both see the same machine load. Also prints
 * the relevant-summaries query plan at 10 and at 10,000 summaries. Target: p50 ratio ≤ 1.2.
 *   npx tsx bench/memory-ttft.ts [rounds=100]
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { memoryColumn } from "~/memory/prompt-memory.server";
import { Prisma } from "~/generated/prisma/client";
import { startStubLlm } from "../e2e/stand-ins/llm-server";
import { benchDatabase, benchServer, ms, percentile, signedIn } from "./support";
import { printBenchSummary } from "./summary";
import { untilFirstToken } from "./ttft";

const rounds = Number(process.argv[2] ?? 100);
const WARMUP = 10;
const TOPICS = ["kyoto", "garden", "cello", "taxes", "running", "recipes", "python", "holiday", "budget", "novel"];

async function fill(db: pg.Client, email: string, facts: number, summaries: number): Promise<string> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM "User" WHERE email = $1`, [email]);
  const userId = rows[0]!.id;
  await db.query(
    `INSERT INTO "MemoryFact" (id, "userId", kind, key, value, "updatedAt")
     SELECT 'f' || g || $1, $1, (ARRAY['identity','professional','personal','context'])[1 + g % 4]::"FactKind",
            'key_' || g, 'value number ' || g || ' about ' || (ARRAY[${TOPICS.map((t) => `'${t}'`).join(",")}])[1 + g % 10], now()
       FROM generate_series(1, $2::int) g`,
    [userId, facts],
  );
  await db.query(
    `INSERT INTO "MemoryPreference" (id, "userId", key, value, "updatedAt")
     SELECT 'p' || g || $1, $1, 'pref_' || g, 'likes option ' || g, now() FROM generate_series(1, 20) g
      WHERE $2::int > 0`,
    [userId, facts],
  );
  if (summaries > 0) {
    await db.query(`INSERT INTO "Conversation" (id, "userId", "updatedAt") VALUES ('bench-other-' || $1, $1, now())`, [
      userId,
    ]);
    await db.query(
      `INSERT INTO "ConversationSummary" (id, "userId", "conversationId", summary, topics, "keyFacts", "searchText",
                                          "fromMessageId", "throughMessageId", "throughMessageAt", "messageCount", "createdAt")
       SELECT 's' || g || $1, $1, 'bench-other-' || $1, t.summary, ARRAY[t.topic], ARRAY['fact ' || g], t.summary || ' ' || t.topic,
              'm' || g, 'm' || g, now(), 4, now() - g * interval '1 minute'
         FROM generate_series(1, $2::int) g,
              LATERAL (SELECT (ARRAY[${TOPICS.map((t) => `'${t}'`).join(",")}])[1 + g % 10] AS topic,
                              'The person and ARES talked at length about ' || (ARRAY[${TOPICS.map((t) => `'${t}'`).join(",")}])[1 + g % 10]
                              || ' and decided on step ' || g || '.' AS summary) t`,
      [userId, summaries],
    );
  }
  await db.query("ANALYZE");
  return userId;
}

async function plan(db: pg.Client, userId: string): Promise<string> {
  const statement = Prisma.sql`SELECT ${memoryColumn(userId, "none", Prisma.sql`${"what should I pack for kyoto and my garden"}::text`)}`;
  const { rows } = await db.query<{ "QUERY PLAN": string }>({
    text: `EXPLAIN (COSTS OFF) ${statement.text}`,
    values: statement.values,
  });
  return rows
    .map((row) => row["QUERY PLAN"])
    .filter((line) => /ConversationSummary|Scan|Sort|Limit/.test(line))
    .join("\n");
}

const stub = await startStubLlm({ name: "openrouter" });
const database = await benchDatabase("memory");
const db = new pg.Client({ connectionString: database.url });
await db.connect();
const server = await benchServer({
  DATABASE_URL: database.url,
  OPENROUTER_API_KEY: "bench",
  OPENROUTER_BASE_URL: `${stub.url}/v1`,
  OPENROUTER_MODEL: "stub/large",
  LLM_PRIMARY_PROVIDER: "openrouter",
});
try {
  const none = await signedIn(server.url);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const loaded = await signedIn(server.url);
  const emails = await db.query<{ email: string }>(`SELECT email FROM "User" ORDER BY "createdAt"`);
  const loadedUser = await fill(
    db,
    emails.rows[1]!.email,
    Number(process.env.BENCH_FACTS ?? 200),
    Number(process.env.BENCH_SUMMARIES ?? 1000),
  );
  await fill(db, emails.rows[0]!.email, 0, 0);

  if (process.env.BENCH_EXPLAIN) {
    const statement = Prisma.sql`SELECT ${memoryColumn(loadedUser, "none", Prisma.sql`${"help me plan my kyoto for next week"}::text`)}`;
    for (let i = 0; i < 3; i++) {
      const { rows } = await db.query<{ "QUERY PLAN": string }>({
        text: `EXPLAIN (ANALYZE) ${statement.text}`,
        values: statement.values,
      });
      console.log(
        rows
          .map((r) => r["QUERY PLAN"])
          .filter((l) => /actual time=[\d.]+\.\.([1-9]\d*\.)|Execution/.test(l))
          .join("\n"),
      );
    }
  }
  const clients = { none, loaded };
  const samples: Record<keyof typeof clients, number[]> = { none: [], loaded: [] };
  for (let round = 0; round < rounds + WARMUP; round++) {
    for (const name of (round % 2 ? ["none", "loaded"] : ["loaded", "none"]) as Array<keyof typeof clients>) {
      const client = clients[name];
      const created = await client.postJson("/api/v1/conversations", {});
      const { id } = (await created.json()) as { id: string };
      const content = `round ${round}: help me plan my ${TOPICS[round % TOPICS.length]} for next week`;
      const started = performance.now();
      const response = await client.postJson(
        `/api/v1/conversations/${id}/messages`,
        { content },
        { accept: "text/event-stream" },
      );
      if (response.status !== 200) throw new Error(`ARES answered ${response.status}: ${await response.text()}`);
      const elapsed = await untilFirstToken(response, started);
      if (round >= WARMUP) samples[name].push(elapsed);
    }
  }
  const sent = JSON.stringify(stub.requests.at(-1)?.body ?? "");
  console.log(`time to first token over ${rounds} streams each (stand-in provider, PostgreSQL)`);
  console.log(
    `  no memory                         p50 ${ms(percentile(samples.none, 50))}   p95 ${ms(percentile(samples.none, 95))}`,
  );
  console.log(
    `  200 facts, 1,000 summaries        p50 ${ms(percentile(samples.loaded, 50))}   p95 ${ms(percentile(samples.loaded, 95))}`,
  );
  console.log(
    `  ratio loaded/none                 p50 ${(percentile(samples.loaded, 50) / percentile(samples.none, 50)).toFixed(2)}   (target ≤ 1.2)`,
  );
  console.log(`  last loaded prompt carried summaries: ${sent.includes("Earlier conversations")}`);
  const memoryRatio = percentile(samples.loaded, 50) / percentile(samples.none, 50);

  console.log("\nrelevant-summaries plan at 1,000 summaries:\n" + (await plan(db, loadedUser)));
  await db.query(
    `DELETE FROM "ConversationSummary" WHERE "userId" = $1 AND id NOT IN (SELECT id FROM "ConversationSummary" WHERE "userId" = $1 LIMIT 10)`,
    [loadedUser],
  );
  await db.query("ANALYZE");
  console.log("relevant-summaries plan at 10 summaries:\n" + (await plan(db, loadedUser)));
  await db.query(`DELETE FROM "ConversationSummary" WHERE "userId" = $1`, [loadedUser]);
  await fill(db, emails.rows[0]!.email, 0, 10_000);
  console.log(
    "relevant-summaries plan at 10,000 summaries (another person's):\n" +
      (await plan(
        db,
        emails.rows[0]!.email === ""
          ? ""
          : (await db.query<{ id: string }>(`SELECT id FROM "User" WHERE email = $1`, [emails.rows[0]!.email])).rows[0]!
              .id,
      )),
  );
  printBenchSummary("memory-ttft", [
    { name: "TTFT p50, full memory / none", value: memoryRatio, unit: "×", target: "≤ 1.2", pass: memoryRatio <= 1.2 },
  ]);
} finally {
  await db.end();
  await server.stop();
  await stub.close();
  await database.drop();
}
