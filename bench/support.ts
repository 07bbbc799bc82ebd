import { applyPendingMigrations } from "~/db/migrations.server";
import { browserClient } from "../tests/support/cookie-jar";
import { onServer, serverIsReachable, serverUrl, withDatabase } from "../tests/support/postgres";
import { ensureBuild, productionNodeArgs, startServer, type ServerProcess } from "../tests/support/server-process";

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

/**
 * The compiled server (`node build-test/server.js`: the production build plus the test-only routes),
 * run with the node flags of `npm start`.
 */
export async function benchServer(env: Record<string, string>): Promise<ServerProcess> {
  await ensureBuild();
  return startServer(
    {
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      SESSION_SECRET: "bench-session-secret-0123456789abcdefghij",
      INTERNAL_API_KEY: "bench-internal-api-key-0123456789",
      ARES_SKIP_MIGRATIONS: "true",
      CHAT_MESSAGES_PER_MINUTE: "0",
      CHAT_DAILY_TOKEN_BUDGET: "0",
      ...env,
    },
    90_000,
    productionNodeArgs(),
  );
}

export async function signedIn(baseUrl: string) {
  const client = browserClient(baseUrl);
  const email = `bench-${Date.now()}@example.test`;
  const password = "correct horse battery staple";
  const signup = await client.post("/signup", { email, password });
  if (signup.status !== 302) throw new Error(`signup failed with ${signup.status}`);
  // Sign-up never signs in (it answers the same for taken addresses): sign in as a person would.
  const login = await client.post("/login", { email, password });
  if (login.status !== 302) throw new Error(`sign-in after sign-up failed with ${login.status}`);
  return client;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const ms = (value: number) => `${value.toFixed(2)} ms`;
