import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { loadavg } from "node:os";
import type pg from "pg";
import { applyPendingMigrations } from "~/db/migrations.server";
import { browserClient } from "../tests/support/cookie-jar";
import { onServer, serverIsReachable, serverUrl, withDatabase } from "../tests/support/postgres";
import {
  ensureBuild,
  productionNodeArgs,
  productionNodeEnv,
  startServer,
  type ServerProcess,
} from "../tests/support/server-process";

/** A fresh, migrated PostgreSQL database for one benchmark run; dropped by the returned cleanup. */
export async function benchDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!(await serverIsReachable()))
    throw new Error(`Benchmarks need PostgreSQL (${serverUrl}); set TEST_DATABASE_URL.`);
  const database = `ares_bench_${name}_${process.pid}`;
  await onServer((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  await onServer((client) => client.query(`CREATE DATABASE "${database}"`));
  const url = withDatabase(serverUrl, database);
  await applyPendingMigrations(url, false);
  return {
    url,
    drop: () =>
      onServer((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).then(() => undefined),
  };
}

export const BENCH_SESSION_SECRET = "bench-session-secret-0123456789abcdefghij";

/**
 * The compiled server (build-test/server.js: the production build plus the test-only routes), started with
 * `npm start`'s node flags and environment (young-generation cap, heap growth, malloc settings), so the
 * figures are those of the server as it runs in production.
 */
export async function benchServer(env: Record<string, string>): Promise<ServerProcess> {
  await ensureBuild();
  // BENCH_CPU_PROFILE=<dir>: the server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROFILE;
  const nodeArgs = [...productionNodeArgs(), ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : [])];
  return startServer(
    {
      ...productionNodeEnv(),
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      SESSION_SECRET: BENCH_SESSION_SECRET,
      INTERNAL_API_KEY: "bench-internal-api-key-0123456789",
      ARES_SKIP_MIGRATIONS: "true",
      CHAT_MESSAGES_PER_MINUTE: "0",
      CHAT_DAILY_TOKEN_BUDGET: "0",
      ...env,
    },
    90_000,
    nodeArgs,
  );
}

let benchAccounts = 0;

/** A browser-like client signed in to a new account (sign-up never signs in: a second post signs in). */
export async function signedIn(baseUrl: string) {
  const client = browserClient(baseUrl);
  benchAccounts += 1;
  const account = {
    email: `bench-${process.pid}-${benchAccounts}@example.test`,
    password: "correct horse battery staple",
  };
  const signup = await client.post("/signup", account);
  if (signup.status !== 302) throw new Error(`signup failed with ${signup.status}`);
  const login = await client.post("/login", account);
  if (login.status !== 302) throw new Error(`sign-in failed with ${login.status}`);
  return client;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const ms = (value: number) => `${value.toFixed(2)} ms`;

const TICK_MS = 10; // USER_HZ is 100 on Linux

/**
 * A process's CPU time so far (user + system, all its threads), or null where /proc is not there.
 * Far less disturbed than req/s or latency by others' load on a shared machine: compare it before/after.
 */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the command name (in parentheses; it may itself hold ") "): utime is the 12th.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** All cores' CPU time so far from /proc/stat (in ticks): busy (not idle or iowait) and total. */
export function machineCpuTicks(): { busy: number; total: number; cores: number } {
  const lines = fs.readFileSync("/proc/stat", "utf8").split("\n");
  // user nice system idle iowait irq softirq steal (guest and guest_nice are already in user and nice).
  const fields = lines[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total, cores: lines.filter((line) => /^cpu\d+ /.test(line)).length };
}

/** The machine's load averages (1, 5, 15 min), to print beside figures that follow it. */
export const loadAverage = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");

/** A conversation of `messages` completed Markdown messages (user and assistant in turn), seeded in SQL. */
export async function seedConversation(
  db: pg.Client,
  userId: string,
  title: string,
  messages: number,
): Promise<string> {
  const id = randomUUID();
  await db.query(`INSERT INTO "Conversation" (id, "userId", title, "updatedAt") VALUES ($1, $2, $3, now())`, [
    id,
    userId,
    title,
  ]);
  await db.query(
    `INSERT INTO "Message" (id, "conversationId", "userId", role, content, status, "createdAt", "updatedAt")
     SELECT gen_random_uuid()::text, $1, $2,
            (CASE WHEN n % 2 = 0 THEN 'user' ELSE 'assistant' END)::"MessageRole",
            'Message number ' || n || E'. Some **markdown**, a list:\\n- one\\n- two\\n\\n' || repeat('lorem ipsum ', 20),
            'complete', now() - (($3 - n) || ' seconds')::interval, now()
       FROM generate_series(1, $3) AS n`,
    [id, userId, messages],
  );
  return id;
}
