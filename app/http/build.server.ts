import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const WATCHED = ["app", "public", "vite.config.ts", "package.json"];

function newestChange(entry: string): number {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry)) newest = Math.max(newest, newestChange(path.join(entry, child)));
  return newest;
}

/** True when there is no production build, or a source file changed after it was made. */
export function buildIsStale(root: string, serverEntry: string): boolean {
  const built = fs.statSync(serverEntry, { throwIfNoEntry: false });
  if (!built) return true;
  return WATCHED.some((entry) => newestChange(path.join(root, entry)) > built.mtimeMs);
}

export function runBuild(root: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const remix = path.join(root, "node_modules/@remix-run/dev/dist/cli.js");
    // The bundle is always a production one, whatever NODE_ENV the caller runs under (tests set "test").
    const env = { ...process.env, NODE_ENV: "production" as const };
    const child = spawn(process.execPath, [remix, "vite:build"], { cwd: root, env, stdio: "inherit" });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`remix vite:build exited with ${code}`))));
  });
}
