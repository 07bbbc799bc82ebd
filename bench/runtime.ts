/**
 * The production server's footprint, measured in one run: cold start to ready, idle RSS, and peak RSS
 * while 200 replies stream at once (the stand-in provider sends a token every 400 ms).
 * Targets: idle ≤ 200 MB, ≤ 300 MB with 200 streams. The server runs as `npm start` runs it: the
 * node flags of package.json's start script, then build/server.js.
 *   npx tsx bench/runtime.ts [streams=200]
 * Another checkout (e.g. an older commit, to compare) with its own start command:
 *   npx tsx bench/runtime.ts 200 --root /tmp/ares-old --entry="--import tsx server.ts"
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { startStubLlm } from "../e2e/stand-ins/llm-server";
import { buildIsStale, runBuild } from "../scripts/build";
import { productionNodeArgs } from "../tests/support/server-process";
import { benchDatabase, signedIn } from "./support";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { root: { type: "string" }, entry: { type: "string" } },
});
const streams = Number(positionals[0] ?? 200);
const ownRoot = path.resolve(import.meta.dirname, "..");
const root = path.resolve(values.root ?? ownRoot);
const TOKEN_DELAY_MS = 400;
const entry = values.entry ?? [...productionNodeArgs(root), "build/server.js"].join(" ");

function rssMegabytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function waitUntilReady(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/api/v1/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("the server was not ready within 60 s");
}

if (root === ownRoot && buildIsStale(root, "production")) await runBuild(root, "production");

const stub = await startStubLlm({ name: "openrouter", behaviour: { tokenDelayMs: TOKEN_DELAY_MS } });
const database = await benchDatabase("runtime");
const port = 3990 + (process.pid % 9);
const url = `http://127.0.0.1:${port}`;
const started = performance.now();
const child = spawn(process.execPath, entry.split(" "), {
  cwd: root,
  stdio: ["ignore", "ignore", "inherit"],
  env: {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "warn",
    LOG_PRETTY: "false",
    DATABASE_URL: database.url,
    SESSION_SECRET: "bench-session-secret-0123456789abcdefghij",
    INTERNAL_API_KEY: "bench-internal-api-key-0123456789",
    OPENROUTER_API_KEY: "bench",
    OPENROUTER_BASE_URL: `${stub.url}/v1`,
    OPENROUTER_MODEL: "stub/small",
    LLM_PRIMARY_PROVIDER: "openrouter",
    CHAT_MESSAGES_PER_MINUTE: "0",
    CHAT_DAILY_TOKEN_BUDGET: "0",
    RATE_LIMIT_READ_PER_MINUTE: "0",
    RATE_LIMIT_WRITE_PER_MINUTE: "0",
    RATE_LIMIT_AUTH_PER_15_MINUTES: "0",
  },
});
const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
try {
  await waitUntilReady(url, Date.now() + 60_000);
  const coldStartMs = performance.now() - started;
  const client = await signedIn(url);
  // Idle: after a sign-up and one page (the routes a person touches first are loaded), then a pause.
  await client.get("/chat").then((response) => response.text());
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const idleMb = rssMegabytes(child.pid!);

  const ids: string[] = [];
  for (let index = 0; index < streams; index++) {
    const created = await client.postJson("/api/v1/conversations", {});
    ids.push(((await created.json()) as { id: string }).id);
  }
  let peakMb = rssMegabytes(child.pid!);
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, rssMegabytes(child.pid!))), 100);
  let firstTokens = 0;
  const replies = ids.map(async (id, index) => {
    const response = await client.postJson(
      `/api/v1/conversations/${id}/messages`,
      { content: `stream ${index}: tell me something long` },
      { accept: "text/event-stream" },
    );
    if (response.status !== 200) throw new Error(`ARES answered ${response.status}: ${await response.text()}`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    let counted = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
      if (!counted && seen.includes("event: token")) {
        counted = true;
        firstTokens += 1;
      }
    }
    if (!seen.includes("event: done")) throw new Error(`stream ${index} ended without done`);
  });
  await Promise.all(replies);
  clearInterval(sampler);
  if (firstTokens !== streams) throw new Error(`only ${firstTokens} of ${streams} streams saw a token`);

  console.log(`ARES runtime footprint (${values.root ? `${root}: ` : ""}node ${entry})`);
  console.log(`  cold start to ready      ${coldStartMs.toFixed(0)} ms`);
  console.log(`  idle RSS                 ${idleMb.toFixed(1)} MB   (target ≤ 200 MB)`);
  console.log(`  peak RSS, ${streams} streams    ${peakMb.toFixed(1)} MB   (target ≤ 300 MB)`);
} finally {
  child.kill("SIGTERM");
  await exited;
  await stub.close();
  await database.drop();
}
