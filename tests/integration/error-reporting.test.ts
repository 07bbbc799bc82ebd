/**
 * Error reporting (issue #18), end to end against the stand-in Sentry ingest: the compiled server with
 * SENTRY_DSN set reports an unexpected failure once, with route template, request id, opaque user id
 * and release, and nothing a person sent nor any credential an address holds (the Telegram bot token,
 * a calendar feed token); expected 4xx answers are not reported; outgoing calls carry no tracing headers;
 * traces (when on) are scrubbed the same way and no release-health sessions are sent; without a DSN the
 * SDK is never even loaded. (Background jobs and unhandled rejections: error-reporting-background.test.ts.)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandInSentry, type Envelope, type StandInSentry } from "../../e2e/stand-ins/sentry-server";
import { startStandInTelegram, type StandInTelegram } from "../../e2e/stand-ins/telegram-server";
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
// Credentials that live in addresses: the Bot API's path (`/bot<token>/getMe`) and a feed-like route's.
const TELEGRAM_TOKEN = "4242:telegram-token-that-must-stay-home";
const PATH_SECRET = "path-secret-that-must-stay-home-0123456789";
const TRACING_HEADERS = ["sentry-trace", "baggage", "traceparent"];

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-error-reporting-"));
let sentry: StandInSentry;
let telegram: StandInTelegram;
let server: ServerProcess;

type ReportedEvent = {
  level?: string;
  release?: string;
  environment?: string;
  transaction?: string;
  tags?: Record<string, string>;
  user?: Record<string, unknown>;
  request?: Record<string, unknown>;
  exception?: { values?: Array<{ type?: string; value?: string }> };
};

const events = () => sentry.events() as ReportedEvent[];
const rawEnvelopes = (envelopes: Envelope[] = sentry.envelopes) => envelopes.map((envelope) => envelope.raw).join("\n");

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
  telegram = await startStandInTelegram({ token: TELEGRAM_TOKEN });
  server = await startServer({
    NODE_ENV: "production",
    SESSION_SECRET: "error-reporting-test-session-secret-0123456789",
    INTERNAL_API_KEY: "error-reporting-test-internal-key-0123456789",
    SENTRY_DSN: sentry.dsn(),
    SENTRY_ENVIRONMENT: "integration",
    ARES_COMMIT: COMMIT,
    // The bot long-polls the stand-in Bot API: every call's address holds the token.
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_API_BASE: telegram.apiBase,
    ...databaseEnv(dataDir),
  });
}, 180_000);
afterAll(async () => {
  await server?.stop();
  await telegram?.close();
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

  it("never sends the Telegram bot's token, which every Bot API address holds", async () => {
    await until(() => telegram.isPolling(), 15_000, "the bot's first getUpdates");
    const client = await signedIn(server.url);
    sentry.reset();
    expect((await client.post("/test-only/fail", { note: "x" })).status).toBe(500);
    await until(() => events().length > 0, 10_000, "the error report");
    // The bot called the Bot API before the failure (getMe, setMyCommands, getUpdates…): nothing of
    // those addresses rides along, not as breadcrumbs nor anywhere else.
    expect(telegram.calls.map((call) => call.method)).toContain("getMe");
    const raw = rawEnvelopes();
    expect(raw).not.toContain(TELEGRAM_TOKEN);
    expect(raw).not.toContain(TELEGRAM_TOKEN.split(":")[1]);
  });

  it("adds no tracing headers to calls to other services", () => {
    expect(telegram.calls.length).toBeGreaterThan(0);
    for (const call of telegram.calls) {
      for (const header of TRACING_HEADERS)
        expect(call.headers, `${call.method}: ${header}`).not.toHaveProperty(header);
    }
  });

  it("names a failing request by its route template, never its address, for loaders and unhandled rejections alike", async () => {
    const client = await signedIn(server.url);
    sentry.reset();
    expect((await client.get(`/test-only/secret/${PATH_SECRET}`)).status).toBe(500);
    expect((await client.get(`/test-only/secret/${PATH_SECRET}-2?reject`)).status).toBe(200);
    await until(() => events().length >= 2, 10_000, "both reports");
    const bySource = (source: string) => events().find((event) => event.tags?.source === source);
    expect(bySource("request")).toMatchObject({
      transaction: "/test-only/secret/:token",
      request: { url: "/test-only/secret/:token", method: "GET" },
      tags: { route: "/test-only/secret/:token" },
    });
    // Nobody tagged the rejection with a route: the address the SDK recorded is turned into its template.
    expect(bySource("unhandled_rejection")?.request).toEqual({ url: "/test-only/secret/:token", method: "GET" });
    expect(rawEnvelopes()).not.toContain(PATH_SECRET);
  });

  it("neither reports nor logs as an error a `?_data` request, which Remix flags and then answers", async () => {
    const client = await signedIn(server.url);
    sentry.reset();
    const legacy = await browserClient(server.url).get("/login?_data=x");
    expect(legacy.status).toBeLessThan(500);
    const requestId = legacy.headers.get("x-request-id");
    // A fault after it is reported, so the absence of a report for the first request means something.
    expect((await client.post("/test-only/fail", { note: "x" })).status).toBe(500);
    await until(() => events().length > 0, 10_000, "the error report");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(events().map((event) => event.tags?.route)).toEqual(["/test-only/fail"]);
    const errorLines = server.logs.filter(
      (entry) =>
        (entry.requestId === requestId || (entry.req as { id?: string } | undefined)?.id === requestId) &&
        Number(entry.level) >= 50,
    );
    expect(errorLines).toEqual([]);
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

describe("with tracing on (SENTRY_TRACES_SAMPLE_RATE=1)", () => {
  // Its own project on the same stand-in, so its envelopes are told apart.
  const project = "2";
  let items: Envelope["items"] = [];
  let raw = "";

  beforeAll(async () => {
    const traced = await startServer({
      NODE_ENV: "production",
      SESSION_SECRET: "error-reporting-test-session-secret-0123456789",
      INTERNAL_API_KEY: "error-reporting-test-internal-key-0123456789",
      SENTRY_DSN: sentry.dsn(project),
      SENTRY_TRACES_SAMPLE_RATE: "1",
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_BASE: telegram.apiBase,
      ...databaseEnv(fs.mkdtempSync(path.join(os.tmpdir(), "ares-error-reporting-traced-"))),
    });
    try {
      const client = await signedIn(traced.url);
      expect((await client.get(`/test-only/secret/${PATH_SECRET}`)).status).toBe(500);
      expect((await client.get("/no/such/page")).status).toBe(404);
    } finally {
      // Stopping flushes whatever the SDK still holds: spans, and any release-health session aggregate.
      await traced.stop();
    }
    const envelopes = sentry.envelopes.filter((envelope) => envelope.projectId === project);
    items = envelopes.flatMap((envelope) => envelope.items);
    raw = rawEnvelopes(envelopes);
  }, 120_000);

  it("sends spans named by route template (requests) and origin (calls out), with no address or token", () => {
    const spans = items
      .filter((item) => item.type === "span")
      .flatMap(
        (item) => (item.payload as { items: Array<{ name: string; attributes: Record<string, unknown> }> }).items,
      );
    const names = spans.map((span) => span.name);
    // The incoming request by template, the Bot API calls (made at start-up) by origin alone.
    expect(names).toContain("GET /test-only/secret/:token");
    expect(names).toContain(`POST ${telegram.apiBase}`);
    expect(spans.find((span) => span.name === "GET /test-only/secret/:token")?.attributes["http.route"]).toEqual({
      value: "/test-only/secret/:token",
      type: "string",
    });
    expect(raw).not.toContain(PATH_SECRET);
    expect(raw).not.toContain(TELEGRAM_TOKEN.split(":")[1]);
    expect(raw).not.toContain("/no/such/page");
    expect(raw).not.toMatch(/"url\.(full|path)"|"user_agent\.original"|"client\.address"/);
  });

  it("sends no release-health sessions, however many requests were served", () => {
    expect(items.length).toBeGreaterThan(0);
    expect(items.map((item) => item.type)).not.toContain("sessions");
    expect(items.map((item) => item.type)).not.toContain("session");
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
        // Every other error-reporting setting, and a blank DSN (a .env line left empty): still off.
        SENTRY_DSN: "",
        SENTRY_ENVIRONMENT: "integration",
        SENTRY_TRACES_SAMPLE_RATE: "1",
        // Its own folder when embedded: one PGlite folder serves one process.
        ...databaseEnv(fs.mkdtempSync(path.join(os.tmpdir(), "ares-error-reporting-off-"))),
      },
      90_000,
      ["--import", pathToFileURL(path.join(root, "tests/support/record-module-loads.ts")).href],
    );
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
    // Only the SDK could send a report; the server never loaded any of it. (The server is not told the
    // stand-in's address either, so a request count there would prove nothing.)
    const loaded = fs.readFileSync(logFile, "utf8");
    expect(loaded).toContain("/build-test/server/index.js");
    expect(loaded).toContain("/node_modules/@remix-run/");
    expect(loaded).not.toContain("/node_modules/@sentry/");
  }, 120_000);
});
