/**
 * Time to first token through ARES minus straight to the provider, measured in one run against the
 * stand-in provider (no token delay). Each round sends one streamed message both ways, interleaved so
 * both see the same machine load. Targets (issue #17): ARES adds ≤ 5 ms at p50 and ≤ 10 ms at p95.
 * bench/throughput.ts prints the same figure beside the throughput and burst figures.
 *   npx tsx bench/chat-ttft.ts [rounds=200] [--after-reading]
 * --after-reading: each send comes as from a person who read the last reply for two minutes (the
 * session last seen then), so the once-a-minute record of the session's use falls on every send.
 */
import pg from "pg";
import { startStubLlm } from "../e2e/stand-ins/llm-server";
import { benchDatabase, benchServer, percentile, processCpuMs, signedIn } from "./support";
import { printBenchSummary } from "./summary";
import { measureTtft, printTtft } from "./ttft";

const rounds = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 200);
const afterReading = process.argv.includes("--after-reading");

const stub = await startStubLlm({ name: "openrouter" });
const database = await benchDatabase("ttft");
const server = await benchServer({
  DATABASE_URL: database.url,
  OPENROUTER_API_KEY: "bench",
  OPENROUTER_BASE_URL: `${stub.url}/v1`,
  OPENROUTER_MODEL: "stub/small",
  LLM_PRIMARY_PROVIDER: "openrouter",
});
try {
  const client = await signedIn(server.url);
  const cpuBefore = processCpuMs(server.child.pid);
  const db = afterReading ? new pg.Client({ connectionString: database.url }) : undefined;
  await db?.connect();
  const result = await measureTtft(client, stub, rounds, async () => {
    await db?.query(`UPDATE "Session" SET "lastSeenAt" = (now() AT TIME ZONE 'UTC') - interval '2 minutes'`);
  }).finally(() => db?.end());
  if (afterReading) console.log("  each send after two minutes' reading (the session last seen 2 minutes before)");
  const cpuAfter = processCpuMs(server.child.pid);
  printTtft(result);
  // Far less disturbed by others' load than the latencies: compare it before/after a change.
  if (cpuBefore !== null && cpuAfter !== null)
    console.log(
      `  server CPU           ${((cpuAfter - cpuBefore) / result.rounds).toFixed(2)} ms per round (new conversation + send)`,
    );
  const overheadP50 = percentile(result.overhead, 50);
  const overheadP95 = percentile(result.overhead, 95);
  printBenchSummary(afterReading ? "chat-ttft --after-reading" : "chat-ttft", [
    { name: "TTFT direct p50", value: percentile(result.direct, 50), unit: "ms", target: null, pass: null },
    { name: "ARES TTFT overhead p50", value: overheadP50, unit: "ms", target: "≤ 5 ms", pass: overheadP50 <= 5 },
    { name: "ARES TTFT overhead p95", value: overheadP95, unit: "ms", target: "≤ 10 ms", pass: overheadP95 <= 10 },
  ]);
} finally {
  await server.stop();
  await stub.close();
  await database.drop();
}
