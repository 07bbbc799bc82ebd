import { spawn, type StdioOptions } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);

// `prisma generate` only needs the variable to resolve, not a reachable server; without it the
// 6.19 CLI falls back to downloading a native engine and fails with a misleading ENOTFOUND.
const UNUSED_DATABASE_URL = "postgresql://unused@127.0.0.1:1/unused";

type RunOptions = {
  databaseUrl?: string;
  stdio?: StdioOptions;
};

type PrismaCliResult = { code: number; output: string };

/** Runs the Prisma CLI offline and resolves with its exit code (and output when it is captured). */
export function runPrismaCli(args: string[], options: RunOptions = {}): Promise<number> {
  return runPrismaCliCapturing(args, options).then((result) => result.code);
}

export function runPrismaCliCapturing(args: string[], options: RunOptions = {}): Promise<PrismaCliResult> {
  const cli = require.resolve("prisma/build/index.js");
  const preload = path.join(projectRoot, "prisma/unref-timers.cjs");
  const env = {
    ...process.env,
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    DATABASE_URL: options.databaseUrl ?? process.env.DATABASE_URL ?? UNUSED_DATABASE_URL,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--require", preload, cli, ...args], {
      cwd: projectRoot,
      env,
      stdio: options.stdio ?? ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}
