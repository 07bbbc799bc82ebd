/**
 * Issue #16's "secrets absent from logs and /metrics" and "cookie flags", against the production build
 * as it runs in production (NODE_ENV=production, every secret configured, a log file, a database URL
 * with a password): a sign-in, a failed sign-in, a chat message and a memory write must leave none of
 * the secrets in the server's output, its log file or the /metrics body; and every cookie the server
 * sets is HttpOnly, SameSite=Lax and Secure.
 */
import { createHmac } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { startStubLlm, type StubLlm } from "../../e2e/stand-ins/llm-server";
import { readEvents, lastMessageId } from "../support/chat-harness";
import { browserClient } from "../support/cookie-jar";
import { ensureBuild, startServer, type ServerProcess } from "../support/server-process";

const SECRETS = {
  SESSION_SECRET: "secrets-test-session-secret-4f9aQ7zK2mX8vB1nC6",
  INTERNAL_API_KEY: "secrets-test-internal-key-7Hq2Lp9Wd4Rt",
  METRICS_TOKEN: "secrets-test-metrics-token-3Jx8Nc5Vb1Gz",
  OPENROUTER_API_KEY: "sk-or-secrets-test-9Kd2Pq7Lm4Xw",
  TELEGRAM_BOT_TOKEN: "123456789:secrets-test-telegram-Tq8Zr3Yv",
  AUTH0_CLIENT_SECRET: "secrets-test-auth0-client-secret-6Fh1Wn",
};
/** PostgreSQL's test server trusts local connections: the password is sent by nobody, but it is configured. */
const DB_PASSWORD = "secrets-test-db-password-2Bv7Xk";
const PASSWORD = "secrets-test-personal-password-8Rw3";
const WRONG_PASSWORD = "secrets-test-wrong-password-5Mz1";
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-secrets-"));
let server: ServerProcess;
let llm: StubLlm;

function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = DB_PASSWORD;
  return parsed.toString();
}

beforeAll(async () => {
  await ensureBuild();
  // The stand-in refuses a request without the key: the key really is sent, so it is in the process to leak.
  llm = await startStubLlm({
    name: "openrouter",
    behaviour: { tokenDelayMs: 1, requireApiKey: SECRETS.OPENROUTER_API_KEY },
  });
  server = await startServer({
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    ARES_SKIP_MIGRATIONS: "true",
    DATABASE_URL: withPassword(process.env.DATABASE_URL!),
    ...SECRETS,
    OPENROUTER_BASE_URL: `${llm.url}/v1`,
    OPENROUTER_MODEL: "stub/small",
    LLM_PRIMARY_PROVIDER: "openrouter",
    // Nothing listens there: the bot is configured, never reached.
    TELEGRAM_API_BASE: "http://127.0.0.1:9",
    AUTH0_DOMAIN: "ares-secrets.example.test",
    AUTH0_CLIENT_ID: "secrets-test-client",
    ALLOWED_HOSTS: "127.0.0.1",
    LOG_LEVEL: "debug",
    LOG_FILE: path.join(logDir, "ares.log"),
  });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await llm?.close();
});

/** Every Set-Cookie of a response, by cookie name, with its attributes in lower case. */
function cookiesOf(response: Response): Map<string, { value: string; attributes: string[] }> {
  return new Map(
    response.headers.getSetCookie().map((header) => {
      const [pair, ...attributes] = header.split(";").map((part) => part.trim());
      const index = pair!.indexOf("=");
      return [
        pair!.slice(0, index),
        { value: pair!.slice(index + 1), attributes: attributes.map((a) => a.toLowerCase()) },
      ];
    }),
  );
}

/** What a cookie lacks of HttpOnly, SameSite=Lax/Strict and Secure. */
function missingFlags(name: string, attributes: string[]): string[] {
  const missing: string[] = [];
  if (!attributes.includes("httponly")) missing.push(`${name}: HttpOnly`);
  if (!attributes.includes("secure")) missing.push(`${name}: Secure`);
  if (!attributes.some((attribute) => /^samesite=(lax|strict)$/.test(attribute))) missing.push(`${name}: SameSite`);
  return missing;
}

describe("cookie flags in production", () => {
  it("the session cookie (sign-in, remember me, password change, sign-out), the theme cookie, a new calendar feed link's cookie and Auth0's cookies are HttpOnly, SameSite=Lax and Secure", async () => {
    const client = browserClient(server.url);
    const email = `cookies-${Date.now().toString(36)}@example.test`;
    expect((await client.post("/signup", { email, password: PASSWORD })).status).toBe(302);
    const seen: Array<[string, string[]]> = [];
    const collect = (response: Response) => {
      for (const [name, cookie] of cookiesOf(response)) seen.push([name, cookie.attributes]);
      return response;
    };
    const login = collect(await client.post("/login", { email, password: PASSWORD }));
    expect(login.status).toBe(302);
    expect(cookiesOf(login).has("__ares_session")).toBe(true);
    collect(await browserClient(server.url).post("/login", { email, password: PASSWORD, remember: "on" }));
    const theme = collect(await client.post("/theme", { theme: "dark", redirectTo: "/" }));
    expect(cookiesOf(theme).has("theme")).toBe(true);
    collect(await client.post("/theme", { theme: "system", redirectTo: "/" }));
    collect(
      await client.post("/settings/password", {
        currentPassword: PASSWORD,
        newPassword: `${PASSWORD}-2`,
        confirmPassword: `${PASSWORD}-2`,
      }),
    );
    // A new calendar feed link's one-time cookie: set by the create, cleared by the page that shows the link.
    const feedLink = collect(await client.post("/calendar?index", { intent: "feed-create" }));
    expect(cookiesOf(feedLink).has("__ares_new_feed")).toBe(true);
    collect(await client.get(feedLink.headers.get("location")!));
    collect(await client.post("/logout", {}));
    // Auth0's flow and state cookies, set when the browser is sent to Auth0 (nothing is fetched for that).
    const auth0 = collect(await browserClient(server.url).post("/auth/auth0", { redirectTo: "/" }));
    expect(auth0.status).toBe(302);
    expect([...cookiesOf(auth0).keys()].length).toBeGreaterThanOrEqual(2);
    // The callback clears them again (a failed attempt: no state).
    collect(
      await fetch(`${server.url}/auth/auth0/callback?code=x&state=y`, {
        headers: {
          cookie: auth0.headers
            .getSetCookie()
            .map((c) => c.split(";")[0])
            .join("; "),
        },
        redirect: "manual",
      }),
    );

    const names = new Set(seen.map(([name]) => name));
    for (const name of ["__ares_session", "theme", "__ares_auth0_flow", "__ares_new_feed"]) {
      expect(names).toContain(name);
    }
    expect(seen.flatMap(([name, attributes]) => missingFlags(name, attributes))).toEqual([]);
  });
});

describe("secrets in logs and /metrics", () => {
  it("a sign-in, a failed sign-in, chat replies (one refused by the provider), a memory write, a calendar feed, a Telegram update and an Auth0 callback leave no secret in the output, the log file or /metrics", async () => {
    const client = browserClient(server.url);
    const email = `secrets-${Date.now().toString(36)}@example.test`;
    expect((await client.post("/signup", { email, password: PASSWORD })).status).toBe(302);
    expect((await browserClient(server.url).post("/login", { email, password: WRONG_PASSWORD })).status).toBe(400);
    expect((await client.post("/login", { email, password: PASSWORD })).status).toBe(302);
    const sessionCookie = client.jar.get("__ares_session")!;
    expect(sessionCookie).toBeTruthy();

    const sent = await client.post("/chat?index", { message: "hello from the secrets test" });
    expect(sent.status).toBe(302);
    const conversation = sent.headers.get("location")!.replace(/#latest$/, "");
    const replyId = lastMessageId(await (await client.get(conversation)).text());
    const events = await readEvents(await client.get(`${conversation}/stream?message=${replyId}`));
    expect(events.at(-1)?.event).toBe("done");
    expect(llm.requests.length).toBeGreaterThan(0);
    // A provider that refuses the key: the failure is logged (a provider error is where a key might show).
    llm.configure({ fail: 401 });
    const refused = await client.post(conversation, { intent: "send", message: "and a reply that fails" });
    expect(refused.status).toBeLessThan(400);
    const failedId = lastMessageId(await (await client.get(conversation)).text());
    await readEvents(await client.get(`${conversation}/stream?message=${failedId}`));
    llm.configure({ fail: "none" });
    await expect
      .poll(() =>
        server.logs.some((entry) => entry.channel === "llm" && entry.provider === "openrouter" && entry.status === 401),
      )
      .toBe(true);

    const memory = await client.post("/memory", {
      intent: "add-fact",
      kind: "personal",
      key: "home town",
      value: "Leeds",
    });
    expect(memory.status).toBeLessThan(400);
    const user = await prisma.user.findUniqueOrThrow({ where: { email }, select: { id: true } });
    expect(await prisma.memoryFact.count({ where: { userId: user.id } })).toBe(1);
    // A calendar feed: its address is its key, and a calendar app fetches it (the access log names the path).
    // (Shown on the page the create redirects to.)
    const created = await client.post("/calendar?index", { intent: "feed-create" });
    // The link rides to that page in a signed cookie (base64 of the token, then its signature): taken now,
    // before the page clears it, so a log line holding the cookie is caught too.
    const feedCookie = decodeURIComponent(client.jar.get("__ares_new_feed") ?? "");
    expect(feedCookie).not.toBe("");
    const shown = await client.get(created.headers.get("location")!);
    const feedPath = /\/calendar\/feed\/[^"<\s]+\.ics/.exec(await shown.text())?.[0];
    expect(feedPath).toBeTruthy();
    const feedToken = /\/calendar\/feed\/(.+)\.ics$/.exec(feedPath!)![1]!;
    expect((await fetch(`${server.url}${feedPath}`)).status).toBe(200);
    // An update from Telegram, with the webhook's secret header (derived from the session secret, as
    // app/telegram/bot.server.ts makes it): whoever has it can post messages as any linked person.
    const webhookSecret = createHmac("sha256", SECRETS.SESSION_SECRET).update("telegram-webhook").digest("base64url");
    const update = await fetch(`${server.url}/api/v1/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": webhookSecret },
      body: JSON.stringify({ update_id: 1 }),
    });
    expect(update.status).not.toBe(401);
    // Auth0's redirect back names the sign-in's one-time code and its state in the query the access log keeps.
    const auth0Code = "secrets-test-auth0-code-5Tn8Qs";
    const auth0State = "secrets-test-auth0-state-1Yc6Hd";
    const callback = await fetch(`${server.url}/auth/auth0/callback?code=${auth0Code}&state=${auth0State}`, {
      redirect: "manual",
    });
    expect(callback.status).toBeLessThan(500);
    // An internal API call and a metrics scrape, each with its secret in a header.
    await fetch(`${server.url}/api/v1/internal/sessions/purge`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRETS.INTERNAL_API_KEY}` },
    });
    const metrics = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${SECRETS.METRICS_TOKEN}` },
    });
    expect(metrics.status).toBe(200);
    const metricsBody = await metrics.text();

    const secrets: Record<string, string> = {
      ...SECRETS,
      DB_PASSWORD,
      password: PASSWORD,
      "failed password": WRONG_PASSWORD,
      "session cookie": sessionCookie,
      "calendar feed token": feedToken,
      "Telegram webhook secret": webhookSecret,
      "Auth0 callback code": auth0Code,
      "Auth0 callback state": auth0State,
      // The cookie's value is `<session secret>.<signature>`: neither half may appear on its own.
      ...Object.fromEntries(
        decodeURIComponent(sessionCookie)
          .split(".")
          .filter((part) => part.length >= 16)
          .map((part, index) => [`session cookie part ${index}`, part]),
      ),
      ...Object.fromEntries(
        feedCookie
          .split(".")
          .filter((part) => part.length >= 16)
          .map((part, index) => [`feed link cookie part ${index}`, part]),
      ),
    };
    // Access log lines are written after their answers: wait until the last request's (the internal API
    // call, sent after the feed and the webhook) is in both the output and the log file.
    const readLogFiles = () =>
      fs
        .readdirSync(logDir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), "utf8"))
        .join("\n");
    const lastRequest = "/api/v1/internal/sessions/purge";
    await expect.poll(() => server.output().includes("/calendar/feed/[redacted].ics")).toBe(true);
    await expect.poll(() => server.output().includes("/auth/auth0/callback?code=[redacted]")).toBe(true);
    await expect.poll(() => server.output().includes(lastRequest) && readLogFiles().includes(lastRequest)).toBe(true);
    const logFiles = readLogFiles();
    expect(logFiles).toContain("ARES is ready");
    const places = { output: server.output(), "log file": logFiles, "/metrics": metricsBody };
    const found: string[] = [];
    for (const [where, text] of Object.entries(places)) {
      for (const [name, value] of Object.entries(secrets)) {
        if (text.includes(value) || text.includes(encodeURIComponent(value))) found.push(`${name} in ${where}`);
      }
    }
    expect(found).toEqual([]);
  });
});
