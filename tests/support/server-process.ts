import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export type ServerProcess = {
  child: ChildProcess;
  url: string;
  /** Every structured log line the process has written so far. */
  logs: Array<Record<string, unknown>>;
  /** Everything the process has written to stderr so far (a healthy ARES writes nothing there). */
  stderr: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

export type Exited = { code: number | null; stdout: string; stderr: string };

const root = path.resolve(import.meta.dirname, "../..");

// Remix declares NODE_ENV as always present on ProcessEnv; a child may well run without it.
function spawnServer(env: Record<string, string | undefined>): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_PRETTY: "false",
      LOG_LEVEL: "info",
      PORT: "0",
      // Tests sign in and post far faster than a person; the rate-limit tests set their own limits.
      RATE_LIMIT_READ_PER_MINUTE: "0",
      RATE_LIMIT_WRITE_PER_MINUTE: "0",
      RATE_LIMIT_AUTH_PER_15_MINUTES: "0",
      ...env,
    } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs server.ts until it exits on its own (e.g. refuses to start). */
export function runServerToExit(env: Record<string, string | undefined>, timeoutMs = 30_000): Promise<Exited> {
  const child = spawnServer(env);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts server.ts on a free port and resolves once it logs that it is ready. */
export function startServer(env: Record<string, string | undefined>, timeoutMs = 90_000): Promise<ServerProcess> {
  const child = spawnServer(env);
  const logs: Array<Record<string, unknown>> = [];
  let output = "";
  let errors = "";
  let buffered = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server not ready within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      errors += chunk.toString();
    });
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.startsWith("{")) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === "ARES is ready") {
          clearTimeout(timer);
          resolve({
            child,
            url: String(entry.url),
            logs,
            stderr: () => errors,
            stop: (signal = "SIGTERM") => {
              child.kill(signal);
              return exited;
            },
          });
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${output}`));
    });
  });
}

/**
 * Makes sure the production build exists and is current. `npm test` builds before the tests; a lone
 * `vitest run` of one file builds here.
 */
export async function ensureBuild(): Promise<void> {
  const { buildIsStale, runBuild } = await import("~/http/build.server");
  if (buildIsStale(root, path.join(root, "build/server/index.js"))) await runBuild(root);
}
