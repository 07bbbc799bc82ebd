/**
 * Time to first token through ARES minus straight to the provider, measured in one run against the
 * stand-in provider (no token delay). Each round sends one streamed message both ways, interleaved so
 * both see the same machine load. Target: ARES adds ≤ 10 ms at p50.
 *   npx tsx bench/chat-ttft.ts [rounds=200]
 */
import { performance } from "node:perf_hooks";
import { startStubLlm } from "../e2e/stand-ins/llm-server";
import { benchDatabase, benchServer, ms, percentile, signedIn } from "./support";
import { printBenchSummary } from "./summary";

const rounds = Number(process.argv[2] ?? 200);
const WARMUP = 10;

/** Milliseconds from `started` until the stream shows its first token. */
async function untilFirst(response: Response, started: number, found: (chunk: string) => boolean): Promise<number> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before the first token: ${seen.slice(0, 300)}`);
    seen += value;
    if (found(seen)) break;
  }
  const firstTokenMs = performance.now() - started;
  // Drain the rest (not timed) so every reply completes before the next round starts.
  for (;;) if ((await reader.read()).done) break;
  return firstTokenMs;
}

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
  const direct: number[] = [];
  const throughAres: number[] = [];
  for (let round = 0; round < rounds + WARMUP; round++) {
    const created = await client.post(
      "/api/v1/conversations",
      {},
      { headers: { "content-type": "application/json" }, body: "{}" },
    );
    const { id } = (await created.json()) as { id: string };
    const content = `benchmark round ${round}`;

    let started = performance.now();
    const upstream = await fetch(`${stub.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer bench" },
      body: JSON.stringify({ model: "stub/small", stream: true, messages: [{ role: "user", content }] }),
    });
    const directMs = await untilFirst(upstream, started, (seen) => seen.includes('"content":"'));

    started = performance.now();
    const viaAres = await client.postJson(
      `/api/v1/conversations/${id}/messages`,
      { content },
      { accept: "text/event-stream" },
    );
    if (viaAres.status !== 200) throw new Error(`ARES answered ${viaAres.status}: ${await viaAres.text()}`);
    const aresMs = await untilFirst(viaAres, started, (seen) => seen.includes("event: token"));

    if (round >= WARMUP) {
      direct.push(directMs);
      throughAres.push(aresMs);
    }
  }
  const overhead = throughAres.map((value, index) => value - direct[index]!);
  console.log(`time to first token over ${rounds} streams (stand-in provider, PostgreSQL)`);
  console.log(`  direct to provider   p50 ${ms(percentile(direct, 50))}   p95 ${ms(percentile(direct, 95))}`);
  console.log(`  through ARES         p50 ${ms(percentile(throughAres, 50))}   p95 ${ms(percentile(throughAres, 95))}`);
  console.log(
    `  ARES overhead        p50 ${ms(percentile(overhead, 50))}   p95 ${ms(percentile(overhead, 95))}   (target p50 ≤ 10 ms)`,
  );
  console.log(`  ratio ARES/direct    p50 ${(percentile(throughAres, 50) / percentile(direct, 50)).toFixed(2)}`);
  const overheadP50 = percentile(overhead, 50);
  printBenchSummary("chat-ttft", [
    { name: "TTFT direct p50", value: percentile(direct, 50), unit: "ms", target: null, pass: null },
    { name: "TTFT through ARES p50", value: percentile(throughAres, 50), unit: "ms", target: null, pass: null },
    { name: "ARES TTFT overhead p50", value: overheadP50, unit: "ms", target: "≤ 10 ms", pass: overheadP50 <= 10 },
    { name: "ARES TTFT overhead p95", value: percentile(overhead, 95), unit: "ms", target: null, pass: null },
  ]);
} finally {
  await server.stop();
  await stub.close();
  await database.drop();
}
