import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { databaseEnv, httpRequest } from "../support/ops";
import { startServer, ensureBuild } from "../support/server-process";

beforeAll(async () => {
  await ensureBuild();
}, 120_000);

/** Starts a GET and resolves with the response as soon as its headers (and first chunk) arrive. */
function openStream(url: string): Promise<{ first: string; rest: Promise<string> }> {
  return new Promise((resolve, reject) => {
    // No Accept-Encoding: a compressed stream would be buffered, and the first chunk would not arrive early.
    http
      .get(url, (response) => {
        response.setEncoding("utf8");
        let body = "";
        const rest = new Promise<string>((done, fail) => {
          response.on("end", () => done(body));
          // A connection cut mid-body ends with "close" and no "end".
          response.on("close", () => (response.complete ? done(body) : fail(new Error(`cut after: ${body}`))));
          response.on("error", fail);
        });
        response.once("data", (chunk: string) => {
          body += chunk;
          response.on("data", (more: string) => (body += more));
          resolve({ first: chunk, rest });
        });
      })
      .on("error", reject);
  });
}

describe("graceful shutdown", () => {
  it(
    "lets a slow streamed reply finish after SIGTERM, refuses new connections, then exits 0",
    { timeout: 90_000 },
    async () => {
      const server = await startServer({
        SHUTDOWN_GRACE_MS: "10000",
        ...databaseEnv(fs.mkdtempSync(path.join(os.tmpdir(), "ares-shutdown-"))),
      });
      const stream = await openStream(`${server.url}/test-only/slow?ms=1500`);
      expect(stream.first).toContain("chunk 1");
      const exited = server.stop("SIGTERM");
      await expect.poll(() => server.logs.some((entry) => String(entry.msg).startsWith("shutting down"))).toBe(true);
      await expect(httpRequest(`${server.url}/api/v1/health/live`)).rejects.toThrow(/ECONNREFUSED/);
      expect(await stream.rest).toBe("chunk 1\nchunk 2\nchunk 3\nchunk 4\nchunk 5\ndone\n");
      expect(await exited).toBe(0);
    },
  );

  it("cuts a reply that outlives SHUTDOWN_GRACE_MS and still exits 0", { timeout: 90_000 }, async () => {
    const server = await startServer({
      SHUTDOWN_GRACE_MS: "300",
      ...databaseEnv(fs.mkdtempSync(path.join(os.tmpdir(), "ares-shutdown-"))),
    });
    const stream = await openStream(`${server.url}/test-only/slow?ms=8000`);
    const exited = server.stop("SIGTERM");
    await expect(stream.rest).rejects.toThrow(/aborted|cut after/);
    expect(await exited).toBe(0);
    expect(server.logs.some((entry) => String(entry.msg).includes("did not finish in time"))).toBe(true);
  });
});
