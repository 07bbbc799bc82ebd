import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { startStubLlm } from "../../e2e/stand-ins/llm-server";
import { buildIsStale, runBuild } from "../../scripts/build";
import { browserClient } from "../support/cookie-jar";
import { databaseEnv, httpRequest } from "../support/ops";
import { startServer, ensureBuild, startWithNpm, type ServerProcess } from "../support/server-process";

const root = path.resolve(import.meta.dirname, "../..");

beforeAll(async () => {
  await ensureBuild();
  // `npm start` serves the production build (and would build it first when stale).
  if (buildIsStale(root, "production")) await runBuild(root, "production");
}, 240_000);

/**
 * Sends `first` on a raw keep-alive connection and, once its response has begun, hands over a
 * function that sends `second` on the SAME connection (a request arriving after SIGTERM on a
 * connection that was open before it) and resolves with everything the server wrote until it closed.
 */
async function keepAliveConnection(
  url: string,
  first: string,
): Promise<{ thenSend: (second: string) => Promise<string> }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let received = "";
  const closed = new Promise<string>((resolve) => socket.on("close", () => resolve(received)));
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
      if (received.includes("chunk 1")) resolve();
    });
    socket.write(first);
  });
  return { thenSend: (second) => (socket.write(second), closed) };
}

const request = (method: string, target: string, host: string, body = "") =>
  `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
  `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

/** Signs up, starts a reply that streams a token every `delayMs`, and resolves at its first token. */
async function streamingReply(server: ServerProcess, delayMs: number): Promise<Promise<string>> {
  const client = browserClient(server.url);
  const signup = await client.post("/signup", {
    email: "shutdown@example.test",
    password: "correct horse battery staple",
  });
  expect(signup.status).toBe(302);
  // Sign-up never signs in (it answers the same for taken addresses): sign in as a person would.
  const login = await client.post("/login", {
    email: "shutdown@example.test",
    password: "correct horse battery staple",
  });
  expect(login.status).toBe(302);
  const created = await client.postJson("/api/v1/conversations", {});
  const { id } = (await created.json()) as { id: string };
  const response = await client.postJson(
    `/api/v1/conversations/${id}/messages`,
    { content: `[[stub:delay=${delayMs}]] tell me a story` },
    { accept: "text/event-stream" },
  );
  expect(response.status).toBe(200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("event: token")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the reply ended before its first token: ${seen}`);
    seen += value;
  }
  return (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return seen;
      seen += value;
    }
  })();
}

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

  it.each(["SIGTERM", "SIGINT"] as const)(
    "`npm start` stopped by %s to its whole process group finishes the reply being streamed, logs stopped, exits 0",
    { timeout: 240_000 },
    async (signal) => {
      const stub = await startStubLlm({ name: "ollama" });
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-npm-start-"));
      // Local mode, as in a terminal: no NODE_ENV, the embedded database, no secrets.
      const server = await startWithNpm({ ARES_DATA_DIR: dataDir, OLLAMA_URL: stub.url, OLLAMA_MODEL: "stub/large" });
      try {
        const rest = await streamingReply(server, 150);
        const exited = server.stop(signal);
        const stream = await rest;
        expect(stream).toContain("event: done");
        expect(stream).toContain('"status":"complete"');
        expect(await exited).toBe(0);
        expect(server.logs.at(-1)?.msg).toBe("stopped");
        expect(server.output()).not.toMatch(/TransformError|Error \[|ERR!/);
      } finally {
        await stub.close();
      }
    },
  );
});

describe("draining after SIGTERM", () => {
  it(
    "answers readiness 503 at once and refuses new writes on open keep-alive connections with Retry-After",
    {
      timeout: 90_000,
    },
    async () => {
      const server = await startServer({
        SHUTDOWN_GRACE_MS: "10000",
        ...databaseEnv(fs.mkdtempSync(path.join(os.tmpdir(), "ares-drain-"))),
      });
      const host = new URL(server.url).host;
      // Two connections, each busy with a slow reply when SIGTERM arrives (idle ones are closed at once).
      const forReadiness = await keepAliveConnection(server.url, request("GET", "/test-only/slow?ms=1500", host));
      const forWrite = await keepAliveConnection(server.url, request("GET", "/test-only/slow?ms=1500", host));
      const exited = server.stop("SIGTERM");
      await expect.poll(() => server.logs.some((entry) => String(entry.msg).startsWith("shutting down"))).toBe(true);

      const [readiness, write] = await Promise.all([
        forReadiness.thenSend(request("GET", "/api/v1/health/ready", host)),
        forWrite.thenSend(request("POST", "/api/v1/conversations", host, "{}")),
      ]);
      // The reply in flight finished; the request sent after it was answered 503 and the connection closed.
      for (const received of [readiness, write]) {
        expect(received).toContain("done\n");
        const second = received.slice(received.lastIndexOf("HTTP/1.1 "));
        expect(second).toMatch(/^HTTP\/1\.1 503 /);
        expect(second).toMatch(/\r\nConnection: close\r\n/i);
      }
      expect(readiness.slice(readiness.lastIndexOf("HTTP/1.1 "))).toContain('"status":"not_ready"');
      const refused = write.slice(write.lastIndexOf("HTTP/1.1 "));
      expect(refused).toMatch(/\r\nRetry-After: 5\r\n/i);
      expect(refused).toContain('"code":"shutting_down"');
      expect(await exited).toBe(0);
    },
  );
});
