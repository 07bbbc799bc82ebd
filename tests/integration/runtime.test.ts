/**
 * The production runtime: plain JavaScript, one module graph, and no test-only route in the build
 * that ships. The test build (build-test/) is the same plus app/routes/test-only.*.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildIsStale, runBuild, serverEntry } from "../../scripts/build";
import { databaseEnv } from "../support/ops";
import { ensureBuild, productionNodeArgs, productionNodeEnv, startServer } from "../support/server-process";

const root = path.resolve(import.meta.dirname, "../..");
const TEST_ONLY_ROUTE = /"routes\/test-only\.[a-z]+"/;

beforeAll(async () => {
  if (buildIsStale(root, "production")) await runBuild(root, "production");
  await ensureBuild();
}, 240_000);

describe("the production build", () => {
  it("has no test-only route, which the test build has", () => {
    const bundle = (target: "production" | "test") =>
      fs.readFileSync(path.join(path.dirname(serverEntry(root, target)), "server/index.js"), "utf8");
    expect(bundle("test")).toMatch(TEST_ONLY_ROUTE);
    expect(bundle("production")).not.toMatch(TEST_ONLY_ROUTE);
    expect(
      fs.existsSync(path.join(root, "build/client/assets")) && fs.readdirSync(path.join(root, "build/client/assets")),
    ).not.toEqual(expect.arrayContaining([expect.stringMatching(/^test-only/)]));
  });

  it("imports only packages that are production dependencies: the image prunes devDependencies", () => {
    const bundle = fs.readFileSync(path.join(path.dirname(serverEntry(root, "production")), "server/index.js"), "utf8");
    const packageOf = (specifier: string) =>
      specifier
        .split("/")
        .slice(0, specifier.startsWith("@") ? 2 : 1)
        .join("/");
    const imported = new Set(
      [...bundle.matchAll(/(?:\bfrom |\bimport\()"([^".][^"]*)"/g)]
        .map((match) => match[1]!)
        .filter((specifier) => !specifier.startsWith("node:"))
        .map(packageOf),
    );
    const { dependencies } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(imported).toContain("@remix-run/node");
    expect([...imported].filter((name) => !(name in dependencies))).toEqual([]);
  });

  it("compiles server.ts alone: the entry imports packages and takes the app from the Remix bundle", () => {
    const entry = fs.readFileSync(serverEntry(root, "production"), "utf8");
    const imports = [...entry.matchAll(/^import .* from "([^"]+)";$/gm)].map((match) => match[1]);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.every((specifier) => specifier?.startsWith("node:"))).toBe(true);
    expect(entry).toContain('"server/index.js"');
    // No app module was compiled into it: the configuration schema and the Prisma client live in the bundle only.
    expect(entry).not.toMatch(/PrismaClient|SESSION_SECRET|createHttpApp\(options/);
  });
});

describe("the production start", () => {
  it("runs the server with the same node flags and malloc settings from the image as from npm start", () => {
    const dockerfile = fs.readFileSync(path.join(root, "Dockerfile"), "utf8");
    const command = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    expect(command).toEqual(["node", ...productionNodeArgs(), "build/server.js"]);
    expect(productionNodeArgs()).toEqual(
      expect.arrayContaining(["--max-semi-space-size=8", "--heap-growing-percent=30"]),
    );
    // The runtime stage's ENV lines (after its FROM), as `NAME=value` pairs.
    const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    const imageEnv = Object.fromEntries(
      [...runtimeStage.matchAll(/^ENV (.+)$/gm)].flatMap((line) =>
        line[1]!.split(/\s+/).map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
      ),
    );
    expect(productionNodeEnv()).toEqual({ MALLOC_ARENA_MAX: "2", MALLOC_TRIM_THRESHOLD_: "131072" });
    expect(imageEnv).toMatchObject(productionNodeEnv());
  });
});

describe("the production process", () => {
  it("evaluates each app module once: all app code comes from one bundle, no TypeScript, no tsx", async () => {
    const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ares-modules-")), "loaded.txt");
    const server = await startServer(
      {
        NODE_ENV: "production",
        SESSION_SECRET: "runtime-test-session-secret-0123456789abcdef",
        INTERNAL_API_KEY: "runtime-test-internal-key-0123456789",
        ARES_MODULE_LOG: logFile,
        ...databaseEnv(fs.mkdtempSync(path.join(os.tmpdir(), "ares-runtime-"))),
      },
      90_000,
      ["--import", pathToFileURL(path.join(root, "tests/support/record-module-loads.ts")).href],
    );
    try {
      // A page and an API call: the routes, the session lookup, Prisma and the pool have all run.
      expect((await fetch(`${server.url}/login`)).status).toBe(200);
      expect((await fetch(`${server.url}/api/v1/health/ready`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const loaded = fs.readFileSync(logFile, "utf8").trim().split("\n");
    const ownFiles = loaded
      .filter((url) => url.startsWith(pathToFileURL(root).href) && !url.includes("/node_modules/"))
      .map((url) => path.relative(root, new URL(url).pathname));
    expect(ownFiles.sort()).toEqual(["build-test/server.js", "build-test/server/index.js"]);
    // (The recorder itself is loaded before its hook exists, so it is not listed.)
    expect(loaded.filter((url) => /\.tsx?$/.test(url) || url.includes("/node_modules/tsx/"))).toEqual([]);
    // One Prisma runtime (one WASM query compiler) and one node-postgres.
    const once = (pattern: RegExp) => loaded.filter((url) => pattern.test(url)).length;
    expect(once(/\/node_modules\/@prisma\/client\/runtime\/client\.(m?js|cjs)$/)).toBe(1);
    expect(once(/\/node_modules\/pg\/lib\/index\.js$/)).toBe(1);
  }, 120_000);
});
