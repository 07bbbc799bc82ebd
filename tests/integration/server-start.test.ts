import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pgliteExtensions } from "~/db/embedded.server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onServer, serverIsReachable, serverUrl, withDatabase } from "../support/postgres";
import { startStubLlm, stubReplyFor } from "../../e2e/stand-ins/llm-server";
import { readEvents, signedInClient } from "../support/chat-harness";
import { runServerToExit, startServer, ensureBuild } from "../support/server-process";

const root = path.resolve(import.meta.dirname, "../..");
const productionSecrets = {
  SESSION_SECRET: "server-start-test-session-secret-0123456789",
  INTERNAL_API_KEY: "server-start-test-internal-key-0123456789",
};

beforeAll(async () => {
  // The start-up tests serve the production build; `npm test` builds first, a lone run builds here.
  await ensureBuild();
}, 120_000);

describe("starting ARES", () => {
  it("refuses production without its secrets, naming each one, and exits non-zero", async () => {
    const result = await runServerToExit({ NODE_ENV: "production", DATABASE_URL: serverUrl });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("SESSION_SECRET is required in production");
    expect(result.stderr).toContain("INTERNAL_API_KEY is required in production");
  });

  it("refuses production with only one of them, naming the other", async () => {
    const result = await runServerToExit({ NODE_ENV: "production", SESSION_SECRET: productionSecrets.SESSION_SECRET });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("INTERNAL_API_KEY");
    expect(result.stderr).not.toContain("SESSION_SECRET is required");
  });

  it(
    "on the embedded default keeps data across restarts and does not re-run applied migrations",
    { timeout: 120_000 },
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-start-"));
      const llm = await startStubLlm({ name: "openrouter" });
      const first = await startServer({
        ARES_DATA_DIR: dataDir,
        OPENROUTER_API_KEY: "test",
        OPENROUTER_BASE_URL: `${llm.url}/v1`,
      });
      expect((await fetch(`${first.url}/api/v1/health/live`)).status).toBe(200);
      const home = await fetch(first.url);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain("ARES");
      expect(first.logs.some((entry) => entry.msg === "applied database migrations")).toBe(true);

      // The whole product works on the embedded database: sign up, then chat (twice, so statements
      // prepared on its single connection are reused).
      const client = await signedInClient(first.url);
      const { id } = (await (await client.postJson("/api/v1/conversations", {})).json()) as { id: string };
      for (const content of ["hello from the embedded database", "and once more"]) {
        const events = await readEvents(
          await client.postJson(`/api/v1/conversations/${id}/messages`, { content }, { accept: "text/event-stream" }),
        );
        expect(events.at(-1)).toEqual({ event: "done", data: { status: "complete" } });
      }
      const listed = (await (await client.get(`/api/v1/conversations/${id}/messages`)).json()) as {
        messages: Array<{ role: string; content: string }>;
      };
      expect(listed.messages.map((message) => message.role)).toEqual(["user", "assistant", "user", "assistant"]);
      expect(listed.messages[3]!.content).toBe(stubReplyFor("and once more"));
      expect(await first.stop()).toBe(0);
      await llm.close();
      expect(fs.existsSync(path.join(dataDir, "ares.lock"))).toBe(false);

      // Write a row straight into the data folder while ARES is stopped, then check that it survives.
      const direct = await PGlite.create(path.join(dataDir, "pglite"), { extensions: pgliteExtensions });
      await direct.query(`INSERT INTO "User" (id, email, "updatedAt") VALUES ('u1', 'kept@example.test', now())`);
      await direct.close();

      const second = await startServer({ ARES_DATA_DIR: dataDir });
      expect(second.logs.some((entry) => entry.msg === "applied database migrations")).toBe(false);
      expect((await fetch(`${second.url}/api/v1/health/live`)).status).toBe(200);
      expect(await second.stop()).toBe(0);

      const check = await PGlite.create(path.join(dataDir, "pglite"), { extensions: pgliteExtensions });
      const users = await check.query<{ email: string }>(`SELECT email FROM "User"`);
      const migrations = await check.query<{ count: number }>(`SELECT count(*)::int AS count FROM _prisma_migrations`);
      await check.close();
      expect(users.rows).toContainEqual({ email: "kept@example.test" });
      expect(users.rows).toHaveLength(2);
      expect(migrations.rows[0]!.count).toBe(
        fs.readdirSync(path.join(root, "prisma/migrations")).filter((n) => /^\d/.test(n)).length,
      );
    },
  );

  it("refuses to open an embedded data folder that another ARES is using", { timeout: 60_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-busy-"));
    const first = await startServer({ ARES_DATA_DIR: dataDir });
    try {
      const second = await runServerToExit({ ARES_DATA_DIR: dataDir });
      expect(second.code).not.toBe(0);
      expect(second.stderr).toContain("already in use");
    } finally {
      await first.stop();
    }
  });
});

const postgresAvailable = await serverIsReachable();

describe.runIf(postgresAvailable)("starting ARES on PostgreSQL", () => {
  const database = `ares_start_${process.pid}_${Date.now().toString(36)}`;
  beforeAll(() => onServer((client) => client.query(`CREATE DATABASE "${database}"`)));
  afterAll(() => onServer((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)));

  it("migrates the database named by DATABASE_URL and serves, in production mode", { timeout: 60_000 }, async () => {
    const server = await startServer({
      NODE_ENV: "production",
      DATABASE_URL: withDatabase(serverUrl, database),
      HOST: "127.0.0.1",
      ...productionSecrets,
    });
    try {
      expect(server.logs.some((entry) => entry.msg === "applied database migrations")).toBe(true);
      const live = await fetch(`${server.url}/api/v1/health/live`);
      expect(await live.json()).toEqual({ status: "ok" });
      const tables = await onServer(
        (client) => client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`),
        withDatabase(serverUrl, database),
      );
      expect(tables.rows[0]!.n).toBeGreaterThan(0);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
