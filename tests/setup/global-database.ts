/**
 * Vitest global setup: one migrated template database per run on the real PostgreSQL server, which
 * every test file then copies (CREATE DATABASE … TEMPLATE is fast). Without a reachable server, each
 * test file gets its own in-memory PGlite instead (see worker-database.ts).
 */
import type { TestProject } from "vitest/node";
import { runPrismaCliCapturing } from "~/db/prisma-cli.server";
import { onServer, serverIsReachable, serverUrl, withDatabase } from "../support/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    databaseMode: "postgres" | "pglite";
    templateDatabase: string;
    runId: string;
  }
}

export default async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}${process.pid}`;
  project.provide("runId", runId);
  if (!(await serverIsReachable())) {
    process.stderr.write(`[tests] PostgreSQL at ${serverUrl} is not reachable: using the embedded PGlite.\n`);
    project.provide("databaseMode", "pglite");
    project.provide("templateDatabase", "");
    return;
  }
  const template = `ares_test_${runId}_template`;
  await onServer((client) => client.query(`CREATE DATABASE "${template}"`));
  const result = await runPrismaCliCapturing(["migrate", "deploy"], { databaseUrl: withDatabase(serverUrl, template) });
  if (result.code !== 0) throw new Error(`Migrating the test template failed:\n${result.output}`);
  project.provide("databaseMode", "postgres");
  project.provide("templateDatabase", template);

  return async () => {
    await onServer(async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE $1",
        [`ares_test_${runId}_%`],
      );
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
  };
}
