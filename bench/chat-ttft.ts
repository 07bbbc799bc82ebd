/**
 * Time to first token through ARES minus straight to the provider, measured in one run against the
 * stand-in provider (no token delay). Each round sends one streamed message both ways, interleaved so
 * both see the same machine load. Targets (issue #17): ARES adds ≤ 5 ms at p50 and ≤ 10 ms at p95.
 * bench/throughput.ts prints the same figure beside the throughput and burst figures.
 *   npx tsx bench/chat-ttft.ts [rounds=200]
 */
import { startStubLlm } from "../e2e/stand-ins/llm-server";
import { benchDatabase, benchServer, signedIn } from "./support";
import { measureTtft, printTtft } from "./ttft";

const rounds = Number(process.argv[2] ?? 200);

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
  printTtft(await measureTtft(client, stub, rounds));
} finally {
  await server.stop();
  await stub.close();
  await database.drop();
}
