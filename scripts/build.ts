/**
 * Builds ARES: the Remix app (`remix vite:build`) and then the process entry, server.ts, compiled by
 * esbuild to `<dir>/server.js` next to the app's bundle (`<dir>/server/index.js`), so production runs
 * plain JavaScript. `--test` builds into build-test/ with the test-only routes (app/routes/test-only.*),
 * which the production build never contains. `--if-stale` does nothing when the build is current.
 *
 * Plain Node 24 runs this file (type stripping): `npm start` calls it before the server, without tsx.
 * It imports nothing from app/.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type BuildTarget = "production" | "test";

const WATCHED = ["app", "public", "server.ts", "vite.config.ts", "package.json"];

export function buildDirectory(root: string, target: BuildTarget): string {
  return path.join(root, target === "test" ? "build-test" : "build");
}

/** The compiled process entry; written last, so it exists only when the whole build finished. */
export function serverEntry(root: string, target: BuildTarget): string {
  return path.join(buildDirectory(root, target), "server.js");
}

function newestChange(entry: string): number {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry)) newest = Math.max(newest, newestChange(path.join(entry, child)));
  return newest;
}

/** True when there is no build, or a source file changed after it was made. */
export function buildIsStale(root: string, target: BuildTarget): boolean {
  const built = fs.statSync(serverEntry(root, target), { throwIfNoEntry: false });
  if (!built) return true;
  return WATCHED.some((entry) => newestChange(path.join(root, entry)) > built.mtimeMs);
}

function run(command: string, args: string[], root: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: "inherit" });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(args[0] ?? command)} exited with ${code}`)),
    );
  });
}

/** Compiles server.ts alone: packages stay imports, and server.ts takes the app from the Remix bundle. */
export async function buildServerEntry(root: string, target: BuildTarget): Promise<void> {
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [path.join(root, "server.ts")],
    outfile: serverEntry(root, target),
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node24",
    logLevel: "warning",
  });
}

export async function runBuild(root: string, target: BuildTarget = "production"): Promise<void> {
  fs.rmSync(serverEntry(root, target), { force: true });
  // The bundle is always a production one, whatever NODE_ENV the caller runs under (tests set "test").
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", ARES_BUILD: target };
  const remix = path.join(root, "node_modules/@remix-run/dev/dist/cli.js");
  await run(process.execPath, [remix, "vite:build", "--logLevel", "warn"], root, env);
  await buildServerEntry(root, target);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const args = new Set(process.argv.slice(2));
  const target: BuildTarget = args.has("--test") ? "test" : "production";
  if (args.has("--entry-only")) {
    await buildServerEntry(root, target);
  } else if (args.has("--if-stale") && process.env.NODE_ENV === "production") {
    // Production serves what was built ahead (the image's build stage); it never builds on start.
    if (!fs.existsSync(serverEntry(root, target))) {
      process.stderr.write("ARES is not built: run `npm run build` first (production never builds on start).\n");
      process.exit(1);
    }
  } else if (!args.has("--if-stale") || buildIsStale(root, target)) {
    if (args.has("--if-stale")) process.stdout.write("Building ARES (first start or sources changed)…\n");
    await runBuild(root, target);
  }
}
