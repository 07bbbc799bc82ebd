/**
 * The production server as `npm start` runs it (package.json's environment and node flags, then build/server.js), with
 * a stand-in model provider, for the footprint benchmarks (runtime.ts, memory.ts, load.ts): its RSS is
 * read from /proc, so it must be this process's own child.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { startStubLlm, type StubLlm } from "../e2e/stand-ins/llm-server";
import { buildIsStale, runBuild } from "../scripts/build";
import { productionNodeArgs, productionNodeEnv } from "../tests/support/server-process";
import { benchDatabase } from "./support";
import { aresShowsText } from "./ttft";

const ownRoot = path.resolve(import.meta.dirname, "..");

export type ProductionServer = {
  url: string;
  child: ChildProcess;
  stub: StubLlm;
  databaseUrl: string;
  coldStartMs: number;
  rssMb: () => number;
  stop: () => Promise<void>;
};

export function rssMegabytes(pid: number): number {
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

export async function startProductionServer(options: {
  name: string;
  port: number;
  tokenDelayMs: number;
  root?: string;
  /** The node arguments; default: package.json's start flags and build/server.js (with its environment). */
  entry?: string;
  env?: Record<string, string>;
}): Promise<ProductionServer> {
  const root = path.resolve(options.root ?? ownRoot);
  const entry = options.entry ?? [...productionNodeArgs(root), "build/server.js"].join(" ");
  // npm start's own environment (glibc malloc settings): read by the process as it starts, before any JS.
  const startEnv = options.entry ? {} : productionNodeEnv(root);
  if (root === ownRoot && buildIsStale(root, "production")) await runBuild(root, "production");
  const stub = await startStubLlm({ name: "openrouter", behaviour: { tokenDelayMs: options.tokenDelayMs } });
  const database = await benchDatabase(options.name);
  const url = `http://127.0.0.1:${options.port}`;
  const started = performance.now();
  const child = spawn(process.execPath, entry.split(" "), {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...startEnv,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(options.port),
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
      ...options.env,
    },
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const stop = async () => {
    child.kill("SIGTERM");
    await exited;
    await stub.close();
    await database.drop();
  };
  try {
    await waitUntilReady(url, Date.now() + 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    child,
    stub,
    databaseUrl: database.url,
    coldStartMs: performance.now() - started,
    rssMb: () => rssMegabytes(child.pid!),
    stop,
  };
}

type Client = {
  postJson: (path: string, value: unknown, headers?: Record<string, string>) => Promise<Response>;
};

/**
 * `count` replies streaming at once (each in a conversation of its own, read to `done` over SSE);
 * `peak` samples the server's RSS every 100 ms meanwhile. Throws unless every stream saw a token and `done`
 * (with `tolerateRefusals`, a send ARES answers with an error is returned in `refused` instead).
 */
export async function concurrentStreams(
  client: Client,
  count: number,
  rssMb: () => number,
  options: { tolerateRefusals?: boolean } = {},
): Promise<{ peakMb: number; ms: number; refused: string[] }> {
  const refused: string[] = [];
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const created = await client.postJson("/api/v1/conversations", {});
    ids.push(((await created.json()) as { id: string }).id);
  }
  let peakMb = rssMb();
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, rssMb())), 100);
  const started = performance.now();
  let firstTokens = 0;
  try {
    await Promise.all(
      ids.map(async (id, index) => {
        const response = await client.postJson(
          `/api/v1/conversations/${id}/messages`,
          { content: `stream ${index}: tell me something long` },
          { accept: "text/event-stream" },
        );
        if (response.status !== 200) {
          const answer = `${response.status} ${(await response.text()).slice(0, 200)}`;
          // A refused send is a figure of its own (memory.ts reports it); it never streams.
          if (options.tolerateRefusals) return void refused.push(answer);
          throw new Error(`ARES answered ${answer}`);
        }
        const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
        let seen = "";
        let counted = false;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          seen += value;
          if (!counted && aresShowsText(seen)) {
            counted = true;
            firstTokens += 1;
          }
        }
        if (!seen.includes("event: done")) throw new Error(`stream ${index} ended without done`);
      }),
    );
  } finally {
    clearInterval(sampler);
  }
  if (firstTokens !== count - refused.length) throw new Error(`only ${firstTokens} of ${count} streams saw a token`);
  return { peakMb: Math.max(peakMb, rssMb()), ms: performance.now() - started, refused };
}
