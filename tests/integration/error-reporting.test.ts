/**
 * Error reporting (issue #18), end to end against the stand-in Sentry ingest: the compiled server with
 * SENTRY_DSN set reports an unexpected failure once, with route, request id, opaque user id and release,
 * and nothing a person sent; expected 4xx answers are not reported; without a DSN the SDK is never even
 * loaded. (Background jobs and unhandled rejections: error-reporting-background.test.ts.)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandInSentry, type StandInSentry } from "../../e2e/stand-ins/sentry-server";
import packageJson from "../../package.json";
import { browserClient } from "../support/cookie-jar";
import { databaseEnv } from "../support/ops";
import { ensureBuild, startServer, type ServerProcess } from "../support/server-process";

const root = path.resolve(import.meta.dirname, "../..");
const PASSWORD = "correct horse battery staple";
const EMAIL = "reporter-admin@example.test";
// Text a person might have typed: it must never reach the error tracker.
const POSTED_TEXT = "my private note about the dentist on Friday";
const BEARER = "bearer-token-that-must-stay-home-0123456789";
const COMMIT = "0123456789abcdef0123";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-error-reporting-"));
let sentry: StandInSentry;
let server: ServerProcess;

type ReportedEvent = {
  release?: string;
  environment?: string;
  transaction?: string;
  tags?: Record<string, string>;
  user?: Record<string, unknown>;
  request?: Record<string, unknown>;
  exception?: { values?: Array<{ type?: string; value?: string }> };
};

const events = () => sentry.events() as ReportedEvent[];

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function signedIn(url: string) {
  const client = browserClient(url);
  await client.post("/signup", { email: EMAIL, password: PASSWORD });
  expect((await client.post("/login", { email: EMAIL, password: PASSWORD })).status).toBe(302);
  return client;
}

beforeAll(async () => {
  await ensureBuild();
  sentry = await startStandInSentry();
  server = await startServer({
    NODE_ENV: "production",
    SESSION_SECRET: "error-reporting-test-session-secret-0123456789",
    INTERNAL_API_KEY: "error-reporting-test-internal-key-0123456789",
    SENTRY_DSN: sentry.dsn(),
    SENTRY_ENVIRONMENT: "integration",
    ARES_COMMIT: COMMIT,
    ...databaseEnv(dataDir),
  });
}, 180_000);
afterAll(async () => {
  await server?.stop();
  await sentry?.close();
});

describe("with SENTRY_DSN set", () => {
  it("reports a thrown error in an action once, with route, request id, user id and release, and nothing posted", async () => {
    const client = await signedIn(server.url);
    sentry.reset();
    const response = await client.post(
      "/test-only/fail",
      { note: POSTED_TEXT },
      { headers: { Authorization: `Bearer ${BEARER}` } },
    );
    expect(response.status).toBe(500);
    const requestId = response.headers.get("x-request-id");
    expect(requestId).toBeTruthy();

    await until(() => events().length > 0, 10_000, "the error report");
    // Nothing else is on its way: a second report would have been sent with the first.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(events()).toHaveLength(1);
    const [event] = events();
    expect(event!.exception?.values?.at(-1)).toMatchObject({
      type: "Error",
      value: "Deliberate action failure for the error-reporting test",
    });
    expect(event!.tags).toMatchObject({
      source: "request",
      route: "/test-only/fail",
      request_id: requestId,
      method: "POST",
    });
    expect(event!.transaction).toBe("/test-only/fail");
    expect(event!.release).toBe(`ares@${packageJson.version}+${COMMIT.slice(0, 12)}`);
    expect(event!.environment).toBe("integration");
    // The account's opaque id, nothing else about the person.
    expect(event!.user).toEqual({ id: expect.stringMatching(/^[\w-]{10,}$/) });

    const raw = sentry.envelopes.map((envelope) => envelope.raw).join("\n");
    const sessionCookie = client.jar.header();
    expect(sessionCookie).not.toBe("");
    for (const secret of [
      POSTED_TEXT,
      encodeURIComponent(POSTED_TEXT),
      "dentist",
      BEARER,
      EMAIL,
      ...sessionCookie.split("; ").map((pair) => pair.split("=").slice(1).join("=")),
    ]) {
      expect(raw).not.toContain(secret);
    }
    expect(raw).not.toMatch(/"cookies?"|"authorization"|"data":/i);
  });

  it("does not report a 404 or a validation error, only the fault that follows them", async () => {
    const client = await signedIn(server.url);
    sentry.reset();
    expect((await client.get("/no/such/page")).status).toBe(404);
    const invalid = await browserClient(server.url).post("/login", { email: "not an address", password: "" });
    expect(invalid.status).toBe(400);
    expect((await client.post("/test-only/fail", { note: "x" })).status).toBe(500);
    await until(() => events().length > 0, 10_000, "the error report");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(events().map((event) => event.tags?.route)).toEqual(["/test-only/fail"]);
  });

  it("shows on /admin/system that server errors are reported and browser errors are not", async () => {
    const admin = await signedIn(server.url);
    const page = await admin.get("/admin/system");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/data-testid="error-reporting-server"[^>]*>reported</);
    expect(html).toMatch(/data-testid="error-reporting-browser"[^>]*>off</);
    // No browser DSN: the page hands the browser nothing and the CSP opens no other origin.
    expect(html).not.toContain('name="ares-error-reporting"');
    expect(page.headers.get("content-security-policy")).toMatch(/connect-src 'self'(;|$)/);
  });
});

describe("without a DSN", () => {
  it("never loads the SDK and sends nothing, even when an action fails", async () => {
    const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ares-modules-")), "loaded.txt");
    const quiet = await startServer(
      {
        NODE_ENV: "production",
        SESSION_SECRET: "error-reporting-test-session-secret-0123456789",
        INTERNAL_API_KEY: "error-reporting-test-internal-key-0123456789",
        ARES_MODULE_LOG: logFile,
        // Its own folder when embedded: one PGlite folder serves one process.
        ...databaseEnv(fs.mkdtempSync(path.join(os.tmpdir(), "ares-error-reporting-off-"))),
      },
      90_000,
      ["--import", pathToFileURL(path.join(root, "tests/support/record-module-loads.ts")).href],
    );
    sentry.reset();
    try {
      const admin = await signedIn(quiet.url);
      expect((await admin.post("/test-only/fail", { note: POSTED_TEXT })).status).toBe(500);
      const system = await (await admin.get("/admin/system")).text();
      expect(system).toMatch(/data-testid="error-reporting-server"[^>]*>off</);
      expect(system).toMatch(/data-testid="error-reporting-browser"[^>]*>off</);
      // The failure was handled as before: logged with its request id.
      await until(() => quiet.logs.some((entry) => entry.msg === "unhandled error"), 5_000, "the error log line");
    } finally {
      await quiet.stop();
    }
    const loaded = fs.readFileSync(logFile, "utf8");
    expect(loaded).toContain("/build-test/server/index.js");
    expect(loaded).not.toContain("/node_modules/@sentry/");
    expect(sentry.requestCount()).toBe(0);
  }, 120_000);
});
