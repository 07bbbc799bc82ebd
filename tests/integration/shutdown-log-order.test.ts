/**
 * "stopped" is the last line a stopping ARES logs, after every line before it — also when the machine
 * is loaded (a shutdown test once saw "job worker stopped" after "stopped": pino's asynchronous stdout
 * wrote the buffered "stopped" at exit ahead of a line still queued in libuv's thread pool).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

function runChild(): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "tests/support/log-order-child.ts"], {
      cwd: root,
      env: { ...process.env, UV_THREADPOOL_SIZE: "1", LOG_LEVEL: "info", LOG_PRETTY: "false", LOG_FILE: "" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout }));
  });
}

describe("the shutdown's last line", () => {
  it("is stopped, after every line logged before it, with libuv's thread pool busy", { timeout: 60_000 }, async () => {
    for (let run = 0; run < 3; run++) {
      const { code, stdout } = await runChild();
      expect(code).toBe(0);
      const messages = stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toEqual(["started", "job worker stopped", "stopped"]);
    }
  });
});
