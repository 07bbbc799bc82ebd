/**
 * The built server for one test file, on that file's own database, and people who sign up and sign in
 * over HTTP as a browser would. Sign-up never signs in (it answers the same for a taken address), so a
 * second post signs in.
 */
import { afterAll, beforeAll, expect } from "vitest";
import { browserClient } from "./cookie-jar";
import { ensureBuild, startServer, type ServerProcess } from "./server-process";

export const PASSWORD = "correct horse battery staple";
export type Client = ReturnType<typeof browserClient>;

/**
 * Starts the built server (test mode, the file's database with its migrations already applied, plus
 * `env`) before this file's tests and stops it after them. Read `url` once the tests run.
 */
export function serverForThisFile(env: Record<string, string | undefined> = {}): {
  readonly url: string;
  readonly process: ServerProcess;
} {
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    await ensureBuild();
    server = await startServer({
      DATABASE_URL: process.env.DATABASE_URL,
      NODE_ENV: "test",
      ARES_SKIP_MIGRATIONS: "true",
      ...env,
    });
  }, 180_000);
  afterAll(() => server?.stop());
  const started = (): ServerProcess => {
    if (!server) throw new Error("the server starts in beforeAll: read it inside a test");
    return server;
  };
  return {
    get url() {
      return started().url;
    },
    get process() {
      return started();
    },
  };
}

/** A browser-like client of a new account, signed in. `fields` go with the sign-up form (a name, say). */
export async function signedUp(baseUrl: string, email: string, fields: Record<string, string> = {}): Promise<Client> {
  const client = browserClient(baseUrl);
  expect((await client.post("/signup", { email, password: PASSWORD, ...fields })).status).toBe(302);
  expect((await client.post("/login", { email, password: PASSWORD })).status).toBe(302);
  return client;
}
