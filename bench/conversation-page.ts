/**
 * p95 time to render a conversation page with 50 vs 5,000 messages, measured in one run (requests
 * interleaved). Long histories are paginated, so the ratio should stay near 1. Target: ≤ 1.3.
 * Then the SQL statements of one whole page request at each size (target ≤ 3, issue #17): the compiled
 * app is run in this process for that, so that every statement its pool sends is counted.
 *   npx tsx bench/conversation-page.ts [requests=200]
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { serveBuildInThisProcess } from "../tests/support/in-process-app";
import { countQueries } from "../tests/support/query-counter";
import {
  benchDatabase,
  benchServer,
  BENCH_SESSION_SECRET,
  ms,
  percentile,
  seedConversation,
  signedIn,
} from "./support";
import { printBenchSummary } from "./summary";

/** The statements of one GET of each page, sent to the compiled app running in this process. */
async function statementsPerPage(databaseUrl: string, cookie: string, paths: string[]): Promise<number[]> {
  const { baseUrl: base, close } = await serveBuildInThisProcess({
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: BENCH_SESSION_SECRET,
  });
  try {
    const counts: number[] = [];
    for (const pagePath of paths) {
      // Once untimed: the pool's connections are opened outside the count.
      await (await fetch(base + pagePath, { headers: { cookie } })).text();
      const { result: status, statements } = await countQueries(async () => {
        const response = await fetch(base + pagePath, { headers: { cookie } });
        await response.text();
        return response.status;
      });
      if (status !== 200) throw new Error(`${pagePath} answered ${status} in this process`);
      counts.push(statements.length);
    }
    return counts;
  } finally {
    await close();
  }
}

const requests = Number(process.argv[2] ?? 200);
const WARMUP = 10;

const database = await benchDatabase("page");
const server = await benchServer({ DATABASE_URL: database.url, OLLAMA_URL: "http://127.0.0.1:9" });
try {
  const client = await signedIn(server.url);
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM "User" LIMIT 1`);
  const userId = rows[0]!.id;
  const small = await seedConversation(db, userId, "fifty", 50);
  const large = await seedConversation(db, userId, "five thousand", 5_000);
  await db.query("ANALYZE");
  await db.end();

  const timings: Record<string, number[]> = { small: [], large: [] };
  for (let round = 0; round < requests + WARMUP; round++) {
    for (const [label, id] of [
      ["small", small],
      ["large", large],
    ] as const) {
      const started = performance.now();
      const response = await client.get(`/chat/${id}`);
      await response.text();
      if (response.status !== 200) throw new Error(`/chat/${id} answered ${response.status}`);
      if (round >= WARMUP) timings[label]!.push(performance.now() - started);
    }
  }
  const p95Small = percentile(timings.small!, 95);
  const p95Large = percentile(timings.large!, 95);
  console.log(`conversation page over ${requests} requests each (PostgreSQL, production build)`);
  console.log(`  50 messages      p50 ${ms(percentile(timings.small!, 50))}   p95 ${ms(p95Small)}`);
  console.log(`  5,000 messages   p50 ${ms(percentile(timings.large!, 50))}   p95 ${ms(p95Large)}`);
  console.log(`  p95 ratio 5,000/50: ${(p95Large / p95Small).toFixed(2)}   (target ≤ 1.3)`);
  const [statementsSmall, statementsLarge] = await statementsPerPage(database.url, client.jar.header(), [
    `/chat/${small}`,
    `/chat/${large}`,
  ]);
  console.log(
    `  SQL statements per page request: ${statementsSmall} at 50, ${statementsLarge} at 5,000   (target ≤ 3)`,
  );
  printBenchSummary("conversation-page", [
    { name: "conversation page p95, 50 messages", value: p95Small, unit: "ms", target: null, pass: null },
    { name: "conversation page p95, 5,000 messages", value: p95Large, unit: "ms", target: null, pass: null },
    {
      name: "conversation page p95 ratio 5,000/50",
      value: p95Large / p95Small,
      unit: "×",
      target: "≤ 1.3",
      pass: p95Large / p95Small <= 1.3,
    },
    {
      name: "conversation page SQL statements (50 and 5,000 messages)",
      value: Math.max(statementsSmall!, statementsLarge!),
      unit: "statements",
      target: "≤ 3",
      pass: Math.max(statementsSmall!, statementsLarge!) <= 3,
    },
  ]);
} finally {
  await server.stop();
  await database.drop();
}
