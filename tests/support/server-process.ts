import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import lockfile from "proper-lockfile";
import { buildIsStale, runBuild, serverEntry } from "../../scripts/build";

export type ServerProcess = {
  child: ChildProcess;
  url: string;
  /** Every structured log line the process has written so far. */
  logs: Array<Record<string, unknown>>;
  /** Everything written to stdout and stderr so far. */
  output: () => string;
  /** Everything the process has written to stderr so far (a healthy ARES writes nothing there). */
  stderr: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

export type Exited = { code: number | null; stdout: string; stderr: string };

const root = path.resolve(import.meta.dirname, "../..");

/**
 * The environment and node flags `npm start` (package.json) runs the server with — glibc's malloc
 * settings and the V8 heap settings production uses — so that benchmarks measure the process as it runs
 * in production. The start script is `exec [env NAME=value …] node [flags] build/server.js`.
 */
function productionStart(checkout: string): { env: Record<string, string>; nodeArgs: string[] } {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(checkout, "package.json"), "utf8")) as {
    scripts: { start: string };
  };
  const match = /^exec (?:env ((?:[A-Z_]+=\S+ )+))?node\s*(.*?)\s*build\/server\.js$/.exec(scripts.start);
  if (!match) {
    throw new Error(
      `package.json's start is not "exec [env NAME=value …] node [flags] build/server.js": ${scripts.start}`,
    );
  }
  const env = Object.fromEntries(
    (match[1] ?? "")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((assignment) => [
        assignment.slice(0, assignment.indexOf("=")),
        assignment.slice(assignment.indexOf("=") + 1),
      ]),
  );
  return { env, nodeArgs: match[2] ? match[2].split(/\s+/) : [] };
}

export function productionNodeArgs(checkout = root): string[] {
  return productionStart(checkout).nodeArgs;
}

export function productionNodeEnv(checkout = root): Record<string, string> {
  return productionStart(checkout).env;
}

function baseEnv(): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_PRETTY: "false",
    LOG_LEVEL: "info",
    PORT: "0",
    // Tests sign in and post far faster than a person; the rate-limit tests set their own limits.
    RATE_LIMIT_READ_PER_MINUTE: "0",
    RATE_LIMIT_WRITE_PER_MINUTE: "0",
    RATE_LIMIT_AUTH_PER_15_MINUTES: "0",
  };
}

// Remix declares NODE_ENV as always present on ProcessEnv; a child may well run without it.
function spawnServer(env: Record<string, string | undefined>, nodeArgs: string[] = []): ChildProcess {
  // The compiled entry, run as production runs it (plain node); the test build also has app/routes/test-only.*.
  return spawn(process.execPath, [...nodeArgs, serverEntry(root, "test")], {
    cwd: root,
    env: { ...baseEnv(), ...env } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs the server until it exits on its own (e.g. refuses to start). */
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

/** Starts the server on a free port and resolves once it logs that it is ready. */
export function startServer(
  env: Record<string, string | undefined>,
  timeoutMs = 90_000,
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  return untilReady(spawnServer(env, nodeArgs), timeoutMs, (child, signal) => child.kill(signal));
}

/**
 * `npm start` as a person runs it in a terminal: its own process group (npm, then node), which
 * `stop` signals as a whole, as a terminal's Ctrl-C, systemd or a process manager does.
 */
export function startWithNpm(env: Record<string, string | undefined>, timeoutMs = 180_000): Promise<ServerProcess> {
  const child = spawn("npm", ["start"], {
    cwd: root,
    detached: true,
    env: { ...baseEnv(), ...env } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return untilReady(child, timeoutMs, (started, signal) => process.kill(-started.pid!, signal));
}

function untilReady(
  child: ChildProcess,
  timeoutMs: number,
  signal: (child: ChildProcess, signal: NodeJS.Signals) => void,
): Promise<ServerProcess> {
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
            output: () => output,
            stderr: () => errors,
            stop: (name = "SIGTERM") => {
              signal(child, name);
              // A shutdown that hangs is a bug to see, not a test that waits forever: after 30 s the
              // process is killed and its last log lines are shown.
              const hung = setTimeout(() => {
                const tail = logs.slice(-15).map((entry) => JSON.stringify(entry));
                process.stderr.write(
                  `server did not exit within 30 s of ${name}; last log lines:\n${tail.join("\n")}\n`,
                );
                child.kill("SIGKILL");
              }, 30_000);
              return exited.finally(() => clearTimeout(hung));
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
 * Makes sure the test build (build-test/: the production build plus the test-only routes) exists and
 * is current. `npm test` builds before the tests; a lone `vitest run` of one file builds here.
 */
export async function ensureBuild(): Promise<void> {
  if (!buildIsStale(root, "test")) return;
  // Vitest runs test files in several processes at once: two that both found the build stale built it
  // over each other, and a server started from the half-written one failed. The first builds; the
  // others wait for it, then find the build current.
  const release = await lockfile.lock(root, {
    lockfilePath: path.join(root, "build-test.lock"),
    stale: 30_000,
    retries: { retries: 600, minTimeout: 250, maxTimeout: 1_000 },
    // A refresh that came late (a busy machine) must not end the test process; the build goes on.
    onCompromised: (error) => process.emitWarning(`build-test lock: ${error.message}`),
  });
  try {
    if (buildIsStale(root, "test")) await runBuild(root, "test");
  } finally {
    await release();
  }
}
