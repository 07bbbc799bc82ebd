import express from "express";
import type { Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { logger } from "~/observability/logger.server";
import { metricsRegistry } from "~/observability/metrics.server";
import { CLIENT_GONE_MESSAGE, CLIENT_WENT_AWAY_MESSAGE, bodyGuard, guardedBody } from "./body-guard.server";
import { answerUnhandledError } from "./outage.server";

// The Telegram webhook's body as the body guard hands it on (it answers with what it got).
let server: Server;
let port: number;

beforeAll(async () => {
  const app = express();
  app.use(bodyGuard(() => 8192));
  app.post("/api/v1/telegram/webhook", (_req, res) => {
    res.type("application/json").send(guardedBody(res)?.bytes.toString() ?? "");
  });
  app.use(answerUnhandledError);
  await new Promise<void>((resolve) => {
    // A port the system picks: test files run side by side.
    server = app.listen(0, "127.0.0.1", resolve);
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const handedOn = async (body: string) => {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/telegram/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  expect(response.status).toBe(200);
  return response.text();
};

describe("a Telegram update holding a NUL or a lone surrogate", () => {
  it("is handed on with U+FFFD in its text values", async () => {
    expect(JSON.parse(await handedOn('{"message":{"text":"a\\u0000b\\ud800c"}}'))).toEqual({
      message: { text: "a\uFFFDb\uFFFDc" },
    });
  });

  it("is handed on with U+FFFD in its keys too (they were handed on unchanged)", async () => {
    const text = await handedOn(
      '{"message":{"x\\u0000y":1,"lone\\udc00":["k\\u0000"]},"ok\\u0000":{"deep\\ud800":true}}',
    );
    expect(text).not.toMatch(/\\u0000|\\ud[89a-f][0-9a-f]{2}/i);
    expect(JSON.parse(text)).toEqual({
      message: { "x\uFFFDy": 1, "lone\uFFFD": ["k\uFFFD"] },
      "ok\uFFFD": { "deep\uFFFD": true },
    });
  });
});

describe("a body's Content-Encoding", () => {
  const sent = (contentEncoding: string) =>
    fetch(`http://127.0.0.1:${port}/api/v1/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": contentEncoding },
      body: '{"message":{"text":"hi"}}',
    });

  it.each(["identity", "Identity", "identity, identity", "identity,,", " , identity"])(
    "%j compresses nothing: the body is handed on",
    async (contentEncoding) => {
      const response = await sent(contentEncoding);
      expect(response.status).toBe(200);
      expect(JSON.parse(await response.text())).toEqual({ message: { text: "hi" } });
    },
  );

  it.each([
    ["GZIP", "gzip"],
    ["identity, gzip", "gzip"],
    ["gzip, identity", "gzip"],
    ["Identity, BR", "br"],
  ])("%j is refused with 415 naming %s, and Accept-Encoding: identity", async (contentEncoding, named) => {
    const response = await sent(contentEncoding);
    expect(response.status).toBe(415);
    expect(response.headers.get("accept-encoding")).toBe("identity");
    const problem = (await response.json()) as { code: string; detail: string };
    expect(problem.code).toBe("unsupported_content_encoding");
    expect(problem.detail).toContain(`Content-Encoding ${named};`);
  });
});

const databaseUnavailableCount = async () => {
  const metric = await metricsRegistry.getSingleMetric("ares_dependency_unavailable_total")?.get();
  return metric?.values.find((value) => value.labels.dependency === "database")?.value ?? 0;
};

describe("a client that goes away in the middle of its body", () => {
  it("is let go quietly: no 'database unavailable' in the log and nothing counted as an outage", async () => {
    const debug = vi.spyOn(logger, "debug");
    const warn = vi.spyOn(logger, "warn");
    const error = vi.spyOn(logger, "error");
    const before = await databaseUnavailableCount();
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.write(
          "POST /api/v1/telegram/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n" +
            '{"message":',
        );
        // Long enough for the server to be reading the body; then the client is gone (a reset).
        setTimeout(() => socket.resetAndDestroy(), 100);
      });
      socket.on("close", () => resolve());
      socket.on("error", reject);
    });
    // The server sees the reset a moment later.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const logged = [...warn.mock.calls, ...error.mock.calls].map((call) => JSON.stringify(call));
    const debugged = debug.mock.calls.map((call) => call[1]);
    debug.mockRestore();
    warn.mockRestore();
    error.mockRestore();
    expect(logged.filter((line) => /database unavailable|unhandled error/.test(line))).toEqual([]);
    expect(await databaseUnavailableCount()).toBe(before);
    // Said as what happened: it went away while its body was read, not before.
    expect(debugged).toContain(CLIENT_WENT_AWAY_MESSAGE);
    expect(debugged).not.toContain(CLIENT_GONE_MESSAGE);
  });
});

describe("a client that is gone before its body is read (while earlier middleware awaited, as the session read does)", () => {
  it("is let go, not left waiting for a body that never comes, and nothing is logged as an error", async () => {
    const app = express();
    let handedOn = false;
    // Until the client is gone: its request is then destroyed, and its 'close' has fired already.
    app.use((req, _res, next) => {
      if (req.destroyed) next();
      else req.once("close", () => setImmediate(next));
    });
    app.use(bodyGuard(() => 8192));
    app.post("/api/v1/telegram/webhook", (_req, res) => {
      handedOn = true;
      res.end();
    });
    app.use(answerUnhandledError);
    const late = await new Promise<Server>((resolve) => {
      const listening: Server = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    const debug = vi.spyOn(logger, "debug");
    const warn = vi.spyOn(logger, "warn");
    const error = vi.spyOn(logger, "error");
    try {
      const before = await databaseUnavailableCount();
      await new Promise<void>((resolve, reject) => {
        const socket = connect((late.address() as AddressInfo).port, "127.0.0.1", () => {
          socket.write(
            "POST /api/v1/telegram/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
              "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
          );
          setTimeout(() => socket.resetAndDestroy(), 100);
        });
        socket.on("close", () => resolve());
        socket.on("error", reject);
      });
      // Let go: said at debug level (the guard's promise settled), and never handed on.
      await vi.waitFor(() => expect(debug.mock.calls.map((call) => call[1])).toContain(CLIENT_GONE_MESSAGE), {
        timeout: 2000,
      });
      expect(handedOn).toBe(false);
      const logged = [...warn.mock.calls, ...error.mock.calls].map((call) => JSON.stringify(call));
      expect(logged.filter((line) => /database unavailable|unhandled error/.test(line))).toEqual([]);
      expect(await databaseUnavailableCount()).toBe(before);
    } finally {
      debug.mockRestore();
      warn.mockRestore();
      error.mockRestore();
      await new Promise<void>((resolve) => late.close(() => resolve()));
    }
  });
});

describe("a post too large for the calendar (which answers such a post itself, with its page)", () => {
  const BOUNDARY = "----gone";
  /** A server whose /calendar says whether it was reached; `gate` runs before the guard (the session read). */
  const calendarServer = async (gate?: express.RequestHandler) => {
    const app = express();
    const reached = { calendar: false };
    if (gate) app.use(gate);
    app.use(bodyGuard(() => 8192));
    app.post("/calendar", (_req, res) => {
      reached.calendar = true;
      res.end(guardedBody(res)?.bytes.toString() ?? "");
    });
    app.use(answerUnhandledError);
    const server = await new Promise<Server>((resolve) => {
      const listening: Server = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    return { server, reached };
  };
  /** Sends a 3 MB import's headers and `start` of its body, then resets after `afterMs`; resolves when closed. */
  const sendAndLeave = (server: Server, start: string, afterMs: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = connect((server.address() as AddressInfo).port, "127.0.0.1", () => {
        socket.write(
          "POST /calendar HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
            `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: 3000000\r\n\r\n${start}`,
        );
        setTimeout(() => socket.resetAndDestroy(), afterMs);
      });
      socket.on("close", () => resolve());
      socket.on("error", reject);
    });
  const debugMessages = (debug: { mock: { calls: unknown[][] } }) => debug.mock.calls.map((call) => call[1]);

  it("has only the fields its import reads handed on, not others sent before the file", async () => {
    const { server } = await calendarServer();
    try {
      const form = new FormData();
      form.append("intent", "import");
      form.append("restoreDeleted", "on");
      form.append("other", "x");
      form.append("file", new Blob(["x".repeat(20_000)], { type: "text/calendar" }), "big.ics");
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/calendar`, {
        method: "POST",
        body: form,
      });
      expect(Object.fromEntries(new URLSearchParams(await response.text()))).toEqual({
        intent: "import",
        restoreDeleted: "on",
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("from a client gone before its body was read is let go at once: the page is not rendered for nobody", async () => {
    // Until the client is gone, as in the test above.
    const { server, reached } = await calendarServer((req, _res, next) => {
      if (req.destroyed) next();
      else req.once("close", () => setImmediate(next));
    });
    const debug = vi.spyOn(logger, "debug");
    try {
      await sendAndLeave(server, "", 100);
      const gone = Date.now();
      await vi.waitFor(() => expect(debugMessages(debug)).toContain(CLIENT_GONE_MESSAGE), { timeout: 3000 });
      // The fields before the file are not waited for (2 s) from a client that cannot send them.
      expect(Date.now() - gone).toBeLessThan(1500);
      // A moment more: the page would be reached after the wait.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(reached.calendar).toBe(false);
    } finally {
      debug.mockRestore();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("from a client that went away while the fields before its file were read is let go too, said as such", async () => {
    const { server, reached } = await calendarServer();
    const debug = vi.spyOn(logger, "debug");
    try {
      // A field and the next part's start: the file not reached when the client goes.
      const start = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="intent"\r\n\r\nimport\r\n--${BOUNDARY}\r\n`;
      await sendAndLeave(server, start, 150);
      await vi.waitFor(() => expect(debugMessages(debug)).toContain(CLIENT_WENT_AWAY_MESSAGE), { timeout: 3000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(reached.calendar).toBe(false);
    } finally {
      debug.mockRestore();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
