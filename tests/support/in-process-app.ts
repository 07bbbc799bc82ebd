/**
 * The compiled test build's HTTP app run inside this process (not as a child), so that a counter patched
 * into node-postgres here sees every statement a request sends. Statements are counted by
 * tests/support/query-counter.ts; tests/integration/conversation-page-queries.test.ts and
 * bench/conversation-page.ts use it.
 */
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import type { ServerRuntime } from "~/http/runtime.server";
import { ensureBuild } from "./server-process";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * Serves the test build on a free port of 127.0.0.1. `env` is added to this process's environment before
 * the build is loaded (it reads its configuration then); quiet logs, no rate limits and no migrations
 * (the database has them) are set whatever `env` says otherwise.
 */
export async function serveBuildInThisProcess(
  env: Record<string, string> = {},
): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  await ensureBuild();
  Object.assign(process.env, env, {
    LOG_LEVEL: "error",
    RATE_LIMIT_READ_PER_MINUTE: "0",
    RATE_LIMIT_WRITE_PER_MINUTE: "0",
    RATE_LIMIT_AUTH_PER_15_MINUTES: "0",
    ARES_SKIP_MIGRATIONS: "true",
  });
  const build = (await import(pathToFileURL(path.join(root, "build-test/server/index.js")).href)) as ServerBuild & {
    entry: { module: { serverRuntime: ServerRuntime } };
  };
  const runtime = build.entry.module.serverRuntime;
  const app = runtime.createHttpApp({
    config: runtime.config(),
    build,
    clientDir: path.join(root, "build-test/client"),
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await runtime.closeDb();
    },
  };
}
