import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseEnv, httpRequest, sample, startRedis, type RedisProcess } from "../support/ops";
import { startServer, type ServerProcess, ensureBuild } from "../support/server-process";
import { makeUser } from "../support/accounts";
import { createResetLink } from "~/admin/password-reset.server";
import { authenticateWithPassword } from "~/auth/accounts.server";
import { prisma } from "~/db/db.server";

const limits = {
  RATE_LIMIT_READ_PER_MINUTE: "3",
  RATE_LIMIT_WRITE_PER_MINUTE: "2",
  RATE_LIMIT_AUTH_PER_15_MINUTES: "2",
};
const servers: ServerProcess[] = [];
let redis: RedisProcess | undefined;

function start(env: Record<string, string>): Promise<ServerProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-limits-"));
  return startServer({ ...limits, ...databaseEnv(dataDir), ...env }).then((server) => (servers.push(server), server));
}

beforeAll(async () => {
  await ensureBuild();
}, 120_000);
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await redis?.stop();
});

const metricsOf = async (server: ServerProcess) => (await httpRequest(`${server.url}/metrics`)).body;

describe("rate limits in one process", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await start({});
  }, 90_000);

  it("read tier: a browser gets a friendly HTML 429 with Retry-After; RateLimit headers on every response", async () => {
    for (let i = 0; i < 3; i++) {
      const ok = await httpRequest(`${server.url}/`);
      expect(ok.status).toBe(200);
      expect(ok.headers["ratelimit-policy"]).toMatch(/"read"; ?q=3; ?w=60/);
      expect(ok.headers["ratelimit"]).toMatch(new RegExp(`"read"; ?r=${2 - i}; ?t=\\d+`));
    }
    const refused = await httpRequest(`${server.url}/`, { headers: { Accept: "text/html" } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(refused.headers["content-type"]).toContain("text/html");
    expect(refused.body).toContain("Too many requests");
  });

  it("read tier under /api: a problem+json 429 with a code", async () => {
    const refused = await httpRequest(`${server.url}/api/v1/openapi.json`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(refused.headers["content-type"]).toContain("application/problem+json");
    expect(JSON.parse(refused.body)).toMatchObject({ status: 429, code: "rate_limited", title: "Too many requests" });
  });

  it("never limits health probes or the metrics scrape", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await httpRequest(`${server.url}/api/v1/health/live`)).status).toBe(200);
      expect((await httpRequest(`${server.url}/metrics`)).status).toBe(200);
    }
  });

  it("write tier: other non-GET requests get a 429 after their own, separate limit", async () => {
    // An address that takes posts (one that does not is refused with a 405 before any limit is counted).
    for (let i = 0; i < 2; i++)
      expect((await httpRequest(`${server.url}/theme`, { method: "POST" })).status).not.toBe(429);
    const refused = await httpRequest(`${server.url}/theme`, { method: "POST" });
    expect(refused.status).toBe(429);
    expect(refused.headers["ratelimit-policy"]).toMatch(/"write"; ?q=2; ?w=60/);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
  });

  it("with JS (.data), a refused action is Remix's error response and a refused loader reloads the page", async () => {
    // Both tiers were used up by the tests above. (A page form's own post is answered by its page: below.)
    const action = await httpRequest(`${server.url}/settings/notifications.data`, { method: "POST" });
    expect(action.status).toBe(429);
    expect(action.headers["content-type"]).toContain("text/x-script");
    expect(action.headers["x-remix-response"]).toBe("yes");
    expect(action.body).toContain("ErrorResponse");
    expect(action.body).toMatch(/Please wait \d+ seconds and try again/);
    const loader = await httpRequest(`${server.url}/settings/profile.data?tab=1&_routes=routes%2Fsettings.profile`);
    expect(loader.headers["content-type"]).toContain("text/x-script");
    // A document reload of the page itself (without `.data` and `_routes`): its answer is the 429 page.
    expect(loader.body).toContain("SingleFetchRedirect");
    expect(loader.body).toContain('"/settings/profile?tab=1"');
    expect(loader.body).not.toContain("<html");
  });

  it("auth tier: sign-in posts have the strictest limit, over 15 minutes, independent of the write tier", async () => {
    const form = {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "email=a%40b.c",
    };
    for (let i = 0; i < 2; i++) expect((await httpRequest(`${server.url}/login`, form)).status).not.toBe(429);
    const refused = await httpRequest(`${server.url}/login`, form);
    expect(refused.status).toBe(429);
    expect(refused.headers["ratelimit-policy"]).toMatch(/"auth"; ?q=2; ?w=900/);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(60);
    const metrics = await metricsOf(server);
    for (const tier of ["read", "write", "auth"]) {
      expect(sample(metrics, `ares_rate_limit_rejections_total{tier="${tier}"}`)).toBeGreaterThanOrEqual(1);
    }
  });
});

describe("the write limit on a chat page's own forms", () => {
  let server: ServerProcess;
  const password = "correct horse battery staple";
  beforeAll(async () => {
    server = await start({ TRUST_PROXY: "true" });
  }, 90_000);

  it("a send it refuses is the conversation (or new chat) with the message kept and the wait, as page and as .data; nothing is sent", async () => {
    const person = await makeUser({ password });
    const from = "198.51.100.70";
    const login = await passwordSignIn(server, from, person.email, password);
    expect(login.status).toBe(302);
    const cookie = String(login.headers["set-cookie"]?.[0]?.split(";")[0]);
    const conversation = await prisma.conversation.create({ data: { userId: person.id, title: "Limited chat" } });
    const post = (path: string, fields: Record<string, string>) =>
      httpRequest(`${server.url}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": from, Cookie: cookie },
        body: new URLSearchParams(fields).toString(),
      });
    // This person's writes for the minute, used up elsewhere.
    for (let i = 0; i < 2; i++) expect((await post("/theme", { theme: "dark" })).status).not.toBe(429);
    const wait = /You have sent a lot of requests in a short time\. Try again in \d+ s\./;
    const pages: Array<{ path: string; form: Record<string, string> & { message: string }; heading: string }> = [
      {
        path: `/chat/${conversation.id}`,
        form: { intent: "send", message: "over the limit, kept" },
        heading: "Limited chat",
      },
      { path: "/chat?index", form: { message: "a new chat, kept" }, heading: "" },
    ];
    for (const { path, form, heading } of pages) {
      const page = await post(path, form);
      expect(page.status, path).toBe(429);
      expect(Number(page.headers["retry-after"]), path).toBeGreaterThan(0);
      expect(page.headers["content-type"], path).toContain("text/html");
      // The chat page itself (the conversation, its box holding the message), not the bare 429 page.
      expect(page.body, path).not.toContain("<h1>Too many requests</h1>");
      expect(page.body, path).toContain(heading);
      expect(page.body, path).toMatch(new RegExp(`<div class="form-error" role="alert"[^>]*><p>${wait.source}</p>`));
      expect(page.body, path).toMatch(new RegExp(`<textarea[^>]*name="message"[^>]*>${form.message}</textarea>`));
      // With JS: the same answer as data the page shows in place (it was an error response: the 429 page).
      const data = await post(path.replace(/(\?|$)/, ".data$1"), form);
      expect(data.status, path).toBe(429);
      expect(data.headers["content-type"], path).toContain("text/x-script");
      expect(data.body, path).not.toContain("ErrorResponse");
      expect(data.body, path).toMatch(wait);
      expect(data.body, path).toContain(form.message);
    }
    expect(await prisma.message.count({ where: { conversation: { userId: person.id } } })).toBe(0);
    expect(await prisma.conversation.count({ where: { userId: person.id } })).toBe(1);
    // One Retry-After: the limiter's and the page's together read as "37, 37" (Node's http keeps only the first).
    const viaFetch = await fetch(`${server.url}/chat/${conversation.id}.data`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": from, Cookie: cookie },
      body: new URLSearchParams({ intent: "send", message: "once more" }).toString(),
    });
    expect(viaFetch.status).toBe(429);
    expect(viaFetch.headers.get("retry-after")).toMatch(/^\d+$/);
    // Another form on the conversation (rename): refused the same way, nothing changed.
    const rename = await post(`/chat/${conversation.id}.data`, { intent: "rename", title: "Renamed" });
    expect(rename.status).toBe(429);
    expect(rename.body).toMatch(wait);
    expect((await prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).title).toBe(
      "Limited chat",
    );
  });

  it("a memory or new event it refuses is that page with what was typed and the wait (it was a bare 429 page); nothing is saved", async () => {
    const person = await makeUser({ password });
    const from = "198.51.100.72";
    const login = await passwordSignIn(server, from, person.email, password);
    const cookie = String(login.headers["set-cookie"]?.[0]?.split(";")[0]);
    const post = (path: string, fields: Record<string, string>) =>
      httpRequest(`${server.url}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": from, Cookie: cookie },
        body: new URLSearchParams(fields).toString(),
      });
    // This person's writes for the minute, used up elsewhere.
    for (let i = 0; i < 2; i++) expect((await post("/theme", { theme: "dark" })).status).not.toBe(429);
    const wait = /You have sent a lot of requests in a short time\. Try again in \d+ s\./;
    const forms: Array<{ path: string; fields: Record<string, string> }> = [
      { path: "/memory", fields: { intent: "add-fact", kind: "personal", key: "pet", value: "a limited cat" } },
      {
        path: "/calendar/new",
        fields: {
          title: "Limited standup",
          startDate: "2026-03-02",
          startTime: "09:00",
          endDate: "2026-03-02",
          endTime: "09:30",
          timeZone: "Europe/Berlin",
          location: "Room 7",
          repeat: "none",
          reminders: "10",
        },
      },
    ];
    for (const { path, fields } of forms) {
      const page = await post(path, fields);
      expect(page.status, path).toBe(429);
      expect(Number(page.headers["retry-after"]), path).toBeGreaterThan(0);
      expect(page.body, path).not.toContain("<h1>Too many requests</h1>");
      expect(page.body, path).toMatch(new RegExp(`<div class="form-error" role="alert"[^>]*><p>${wait.source}</p>`));
      for (const typed of Object.values(fields).filter((value) => value.length > 4))
        expect(page.body, `${path}: ${typed}`).toContain(typed);
      // With JS: the same answer as data the page shows in place.
      const data = await post(`${path}.data`, fields);
      expect(data.status, path).toBe(429);
      expect(data.body, path).not.toContain("ErrorResponse");
      expect(data.body, path).toMatch(wait);
    }
    // An edit of an event that no longer exists: the 429 and the wait too (it was a 404), with what was typed.
    const gone = await post("/calendar/events/gone-event-id/edit", { ...forms[1]!.fields, scope: "this" });
    expect(gone.status).toBe(429);
    expect(Number(gone.headers["retry-after"])).toBeGreaterThan(0);
    expect(gone.body).toMatch(wait);
    expect(gone.body).toContain("Limited standup");
    expect(await prisma.memoryFact.count({ where: { userId: person.id } })).toBe(0);
    expect(await prisma.event.count({ where: { userId: person.id } })).toBe(0);
  });

  it("a settings form it refuses (profile, assistant; the password change in the sign-in tier) is that page with what was typed and the wait; no password sent back, nothing saved", async () => {
    const person = await makeUser({ password });
    const from = "198.51.100.73";
    const hashBefore = await prisma.password.findUnique({ where: { userId: person.id } });
    const login = await passwordSignIn(server, from, person.email, password);
    const cookie = String(login.headers["set-cookie"]?.[0]?.split(";")[0]);
    const post = (path: string, fields: Record<string, string>) =>
      httpRequest(`${server.url}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": from, Cookie: cookie },
        body: new URLSearchParams(fields).toString(),
      });
    const wait = /You have sent a lot of requests in a short time\. Try again in \d+ s\./;
    const expectPage = async (path: string, fields: Record<string, string>, heading: string) => {
      const page = await post(path, fields);
      expect(page.status, path).toBe(429);
      expect(Number(page.headers["retry-after"]), path).toBeGreaterThan(0);
      // One Retry-After, not "37, 37" (the limiter's and the page's).
      expect(page.headers["retry-after"], path).toMatch(/^\d+$/);
      expect(page.body, path).not.toContain("<h1>Too many requests</h1>");
      expect(page.body, path).toContain(heading);
      expect(page.body, path).toMatch(new RegExp(`<div class="form-error" role="alert"[^>]*><p>${wait.source}</p>`));
      const data = await post(`${path}.data`, fields);
      expect(data.status, path).toBe(429);
      expect(data.body, path).not.toContain("ErrorResponse");
      expect(data.body, path).toMatch(wait);
      return { page: page.body, data: data.body };
    };
    // This person's writes for the minute, used up elsewhere.
    for (let i = 0; i < 2; i++) expect((await post("/theme", { theme: "dark" })).status).not.toBe(429);
    const profile = await expectPage(
      "/settings/profile",
      { name: "Limited Lovelace", timeZone: "Europe/London" },
      "<h2>Profile</h2>",
    );
    expect(profile.page).toContain('value="Limited Lovelace"');
    expect(profile.data).toContain("Limited Lovelace");
    const assistant = await expectPage(
      "/settings/assistant",
      { intent: "save", systemPrompt: "Answer like a limited pirate" },
      "<h2>Assistant</h2>",
    );
    expect(assistant.page).toContain("Answer like a limited pirate");
    // The password change counts in the sign-in tier (2 here): two wrong current passwords use it up.
    const change = { currentPassword: "not my password", newPassword: "a limited new passphrase" };
    for (let i = 0; i < 2; i++) expect((await post("/settings/password", change)).status).toBe(400);
    const refused = await expectPage("/settings/password", change, "Change your password");
    for (const answer of [refused.page, refused.data]) {
      expect(answer).not.toContain(change.currentPassword);
      expect(answer).not.toContain(change.newPassword);
    }
    const saved = await prisma.user.findUniqueOrThrow({ where: { id: person.id }, include: { password: true } });
    expect(saved.name ?? "").not.toContain("Limited");
    expect(saved.password?.updatedAt.getTime()).toBe(hashBefore?.updatedAt.getTime());
  });

  it("a password reset link's form counts in the sign-in tier: refused, it is that page with the wait; nothing set, no password sent back", async () => {
    const admin = await makeUser({ role: "admin" });
    const person = await makeUser({ password });
    const link = await createResetLink(admin, person.id, { ip: undefined, userAgent: undefined });
    if (!link.ok) throw new Error("expected a link");
    // Opened, the link moves its token into a cookie for the form's page (a GET: the read tier).
    const opened = await httpRequest(`${server.url}/reset-password/${link.token}`);
    expect(opened.status).toBe(303);
    const cookie = String(opened.headers["set-cookie"]?.[0]?.split(";")[0]);
    const linkId = (await prisma.passwordResetLink.findFirstOrThrow({ where: { userId: person.id } })).id;
    const post = (fields: Record<string, string>) =>
      httpRequest(`${server.url}/reset-password/new`, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-Forwarded-For": "198.51.100.74",
          Cookie: cookie,
        },
        body: new URLSearchParams({ link: linkId, ...fields }).toString(),
      });
    // The sign-in tier (2 here): two weak passwords use it up.
    for (let i = 0; i < 2; i++) expect((await post({ newPassword: "password1234" })).status).toBe(400);
    const refused = await post({ newPassword: "a limited new passphrase" });
    expect(refused.status).toBe(429);
    expect(refused.body).toContain("Set a new password");
    expect(refused.body).toMatch(/You have sent a lot of requests in a short time\. Try again in \d+ s\./);
    expect(refused.body).not.toContain("a limited new passphrase");
    expect((await authenticateWithPassword(person.email, password)).ok).toBe(true);
    expect(await prisma.passwordResetLink.count({ where: { userId: person.id, usedAt: null } })).toBe(1);
  });

  it("a reset form left open for an earlier link, posted past the sign-in tier: 429 with the wait, and the page says both", async () => {
    const admin = await makeUser({ role: "admin" });
    const first = await makeUser({ password });
    const second = await makeUser({ password });
    const links = [];
    for (const person of [first, second]) {
      const link = await createResetLink(admin, person.id, { ip: undefined, userAgent: undefined });
      if (!link.ok) throw new Error("expected a link");
      links.push(link);
    }
    // Both opened in one browser: its cookie holds the later one; the earlier tab's form names the first.
    let cookie = "";
    for (const link of links) {
      // An address of their own: the read tier (3 a minute per address) is not this test's to use up.
      const opened = await httpRequest(`${server.url}/reset-password/${link.token}`, {
        headers: { "X-Forwarded-For": "198.51.100.76" },
      });
      expect(opened.status).toBe(303);
      cookie = String(opened.headers["set-cookie"]?.[0]?.split(";")[0]);
    }
    const firstLinkId = (await prisma.passwordResetLink.findFirstOrThrow({ where: { userId: first.id } })).id;
    const post = () =>
      httpRequest(`${server.url}/reset-password/new`, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-Forwarded-For": "198.51.100.75",
          Cookie: cookie,
        },
        body: new URLSearchParams({ link: firstLinkId, newPassword: "a limited new passphrase" }).toString(),
      });
    // The sign-in tier (2 here) used up by the stale form itself: those are 409s (another link opened since).
    for (let i = 0; i < 2; i++) expect((await post()).status).toBe(409);
    const refused = await post();
    // What stands in the way now is the wait: said as such, with when to try again.
    expect(refused.status).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(refused.body).toMatch(/You have sent a lot of requests in a short time\. Try again in \d+ s\./);
    // And that the page is now for the later link's account; no form of it stands ready.
    expect(refused.body).toContain(`Nothing was set. This page is now for <strong>${second.email}</strong>`);
    expect(refused.body).not.toContain('name="newPassword"');
    expect(refused.body).not.toContain("a limited new passphrase");
    expect((await authenticateWithPassword(first.email, password)).ok).toBe(true);
    expect((await authenticateWithPassword(second.email, password)).ok).toBe(true);
  });

  it("a client hammering the form gets the page a few times, then the bare 429: refused posts are not a page render each", async () => {
    const person = await makeUser({ password });
    const from = "198.51.100.71";
    const login = await passwordSignIn(server, from, person.email, password);
    const cookie = String(login.headers["set-cookie"]?.[0]?.split(";")[0]);
    const conversation = await prisma.conversation.create({ data: { userId: person.id, title: "Hammered chat" } });
    const send = (suffix = "") =>
      httpRequest(`${server.url}/chat/${conversation.id}${suffix}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": from, Cookie: cookie },
        body: new URLSearchParams({ intent: "send", message: "again and again" }).toString(),
      });
    // This person's writes for the minute, used up elsewhere.
    for (let i = 0; i < 2; i++) {
      const theme = await httpRequest(`${server.url}/theme`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": from, Cookie: cookie },
        body: "theme=dark",
      });
      expect(theme.status).not.toBe(429);
    }
    const answers: Array<"page" | "bare"> = [];
    for (let i = 0; i < 60; i++) {
      const refused = await send(i % 2 ? ".data" : "");
      expect(refused.status).toBe(429);
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
      // The page (or its data) keeps the message; the bare answer cannot.
      answers.push(refused.body.includes("again and again") ? "page" : "bare");
    }
    const firstBare = answers.indexOf("bare");
    // Someone retrying by hand keeps the conversation and the message for a while…
    expect(answers[0]).toBe("page");
    expect(firstBare).toBeGreaterThan(4);
    // …a client that keeps on gets the cheap answer, every time after.
    expect(firstBare).toBeLessThan(50);
    expect(answers.slice(firstBare).every((answer) => answer === "bare")).toBe(true);
    const bare = await send();
    expect(bare.body).toContain("<h1>Too many requests</h1>");
    const bareData = await send(".data");
    expect(bareData.status).toBe(429);
    expect(bareData.body).not.toContain("again and again");
    expect(await prisma.message.count({ where: { conversationId: conversation.id } })).toBe(0);
  }, 60_000);
});

/** A password sign-in posted to `server` as if from the address `from` (its TRUST_PROXY reads X-Forwarded-For). */
function passwordSignIn(server: ServerProcess, from: string, email: string, secret: string, cookie?: string) {
  return httpRequest(`${server.url}/login`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Forwarded-For": from,
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: new URLSearchParams({ email, password: secret }).toString(),
  });
}

describe("finding 2: sign-in limits by address and by email, whatever cookie is sent", () => {
  let server: ServerProcess;
  const password = "correct horse battery staple";
  beforeAll(async () => {
    server = await start({ RATE_LIMIT_AUTH_PER_15_MINUTES: "3", TRUST_PROXY: "true" });
  }, 90_000);

  const signIn = (from: string, email: string, secret: string, cookie?: string) =>
    passwordSignIn(server, from, email, secret, cookie);

  it("finding 2: another account's session cookie does not reset the address's sign-in limit", async () => {
    const victim = await makeUser({ password });
    const other = await makeUser({ password });
    const login = await signIn("198.51.100.20", other.email, password);
    expect(login.status).toBe(302);
    const cookie = String(login.headers["set-cookie"]?.[0]?.split(";")[0]);
    for (let i = 0; i < 3; i++) expect((await signIn("198.51.100.21", victim.email, "wrong guess")).status).toBe(400);
    expect((await signIn("198.51.100.21", victim.email, "wrong guess")).status).toBe(429);
    const withCookie = await signIn("198.51.100.21", victim.email, password, cookie);
    expect(withCookie.status).toBe(429);
    expect(withCookie.headers["ratelimit"]).toMatch(/"auth"; ?r=0/);
  });

  it("an admin's work does not use up the address's sign-in allowance (QA: 19 budget saves locked everyone out)", async () => {
    const admin = await makeUser({ role: "admin", password });
    const member = await makeUser({ password });
    const login = await signIn("198.51.100.30", admin.email, password);
    expect(login.status).toBe(302);
    const cookie = String(login.headers["set-cookie"]?.[0]?.split(";")[0]);
    for (let i = 0; i < 2; i++) {
      const save = await httpRequest(`${server.url}/admin/users/${member.id}`, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-Forwarded-For": "198.51.100.30",
          Cookie: cookie,
        },
        body: new URLSearchParams({ intent: "budget", dailyTokenBudget: "5000" }).toString(),
      });
      expect(save.status).not.toBe(429);
      expect(save.headers["ratelimit-policy"]).toMatch(/"write"/);
    }
    // The admin's saves were writes, not sign-ins: the address's sign-ins are still allowed.
    expect((await signIn("198.51.100.30", member.email, password)).status).toBe(302);
    expect((await signIn("198.51.100.30", member.email, password)).status).toBe(302);
  });

  it("finding 2: guesses at one email from many addresses share one limit; the blocked attempts are audited", async () => {
    const victim = await makeUser({ password });
    for (let i = 0; i < 3; i++) expect((await signIn(`203.0.113.${i + 1}`, victim.email, "wrong")).status).toBe(400);
    // A fresh address, even with the right password: this account's budget is spent.
    expect((await signIn("203.0.113.99", victim.email.toUpperCase(), password)).status).toBe(429);
    // Another account from a fresh address is not affected.
    const bystander = await makeUser({ password });
    expect((await signIn("203.0.113.100", bystander.email, password)).status).toBe(302);
    const blocked = await prisma.auditEvent.findMany({ where: { action: "login", outcome: "failure" } });
    const reasons = blocked.map((row) => row.details as { reason?: string; email?: string; limit?: string });
    expect(reasons).toContainEqual(
      expect.objectContaining({ reason: "rate_limited", limit: "email", email: victim.email }),
    );
    expect(reasons).toContainEqual(expect.objectContaining({ reason: "rate_limited", limit: "ip" }));
  });

  it("issue 12: a refused sign-in is the login page with the wait in minutes and the email kept, as page and as .data", async () => {
    const victim = await makeUser({ password });
    const from = "198.51.100.40";
    for (let i = 0; i < 3; i++) expect((await signIn(from, victim.email, "wrong guess")).status).toBe(400);
    const page = await signIn(from, victim.email, password);
    expect(page.status).toBe(429);
    expect(Number(page.headers["retry-after"])).toBeGreaterThan(60);
    expect(page.headers["content-type"]).toContain("text/html");
    // The app's own login page (styled, with the form), not a bare error page.
    expect(page.body).toContain("<h1>Sign in</h1>");
    expect(page.body).toMatch(
      /<div class="form-error" role="alert"[^>]*><p>Too many attempts — try again in 15 min\.<\/p>/,
    );
    expect(page.body).toContain(`value="${victim.email}"`);
    expect(page.body).not.toContain(password);
    // With JS the form posts to /login.data: the same answer as data the page shows inline.
    const data = await httpRequest(`${server.url}/login.data`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": from },
      body: new URLSearchParams({ email: victim.email, password }).toString(),
    });
    expect(data.status).toBe(429);
    expect(Number(data.headers["retry-after"])).toBeGreaterThan(60);
    expect(data.body).toContain("Too many attempts — try again in 15 min.");
    expect(data.body).toContain(victim.email);
    expect(data.body).not.toContain(password);
    expect(await prisma.session.count({ where: { userId: victim.id } })).toBe(0);
  });

  it("a client hammering the sign-in form gets the page a few times, then the bare 429 (each refusal was a page render, without end)", async () => {
    const from = "198.51.100.43";
    const email = `hammer-${Date.now().toString(36)}@example.test`;
    const answers: Array<"page" | "bare"> = [];
    for (let i = 0; i < 70; i++) {
      const answer = await signIn(from, email, "wrong guess");
      if (answer.status !== 429) continue;
      expect(Number(answer.headers["retry-after"])).toBeGreaterThan(0);
      answers.push(answer.body.includes("<h1>Sign in</h1>") && answer.body.includes(email) ? "page" : "bare");
    }
    const firstBare = answers.indexOf("bare");
    // Someone retrying by hand keeps the form and the address typed for a while…
    expect(answers[0]).toBe("page");
    expect(firstBare).toBeGreaterThan(4);
    // …a client that keeps on gets the cheap answer (past the sign-in ceiling and 20 pages more), every time after.
    expect(firstBare).toBeLessThan(50);
    expect(answers.slice(firstBare).every((answer) => answer === "bare")).toBe(true);
    const bare = await signIn(from, email, "wrong guess");
    expect(bare.status).toBe(429);
    expect(bare.body).toContain("<h1>Too many requests</h1>");
  }, 60_000);

  it("a refused sign-up is the sign-up page with the wait and the name and email kept (it was a bare 429 page), as page and as .data", async () => {
    const from = "198.51.100.41";
    const email = `limited-signup-${Date.now().toString(36)}@example.test`;
    const fields = { name: "Ada Byron", email, password: "correct horse battery staple" };
    const signUp = (path: string) =>
      httpRequest(`${server.url}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": from },
        body: new URLSearchParams(fields).toString(),
      });
    // The auth tier counts failed attempts: sign-ins with a wrong password use up this address's budget.
    for (let i = 0; i < 3; i++) expect((await signIn(from, "nobody@example.test", "wrong guess")).status).not.toBe(302);
    const page = await signUp("/signup");
    expect(page.status).toBe(429);
    expect(Number(page.headers["retry-after"])).toBeGreaterThan(60);
    expect(page.body).toContain("<h1>Create your account</h1>");
    expect(page.body).toMatch(
      /<div class="form-error" role="alert"[^>]*><p>Too many attempts — try again in \d+ min\.<\/p>/,
    );
    expect(page.body).toContain(`value="${email}"`);
    expect(page.body).toContain('value="Ada Byron"');
    expect(page.body).not.toContain(fields.password);
    const data = await signUp("/signup.data");
    expect(data.status).toBe(429);
    expect(data.body).toContain("Too many attempts");
    expect(data.body).toContain(email);
    expect(data.body).not.toContain(fields.password);
    expect(await prisma.user.count({ where: { email } })).toBe(0);
  });

  /** A sign-in post to `path`, sent as written (no normalisation), with `body` as the form. */
  const post = (path: string, from: string, body: string, headers: Record<string, string> = {}) =>
    httpRequest(server.url, {
      path,
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": from, ...headers },
      body,
    });
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const multipart = (fields: Record<string, string>) => {
    const boundary = "ares-test-boundary";
    const parts = Object.entries(fields).map(
      ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    );
    return { body: `${parts.join("")}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
  };

  it("finding A: once an email's limit trips, the right password to /LOGIN.data, /login/, /%6Cogin… is refused too", async () => {
    const victim = await makeUser({ password });
    for (let i = 0; i < 3; i++) {
      expect((await post("/login", `192.0.2.${i + 1}`, form({ email: victim.email, password: "x" }))).status).toBe(400);
    }
    const right = form({ email: victim.email, password });
    const variants = ["/LOGIN", "/LOGIN.data", "/Login/", "/login/", "/login/.data", "/%6Cogin", "/%6cogin.data"];
    for (const [i, path] of variants.entries()) {
      const result = await post(path, `192.0.2.${i + 50}`, right);
      expect(result.status, path).toBe(429);
    }
    // Addresses that only URL normalisation makes into /login are not served at all.
    for (const [i, path] of [
      "/%2e/login.data",
      "/%2e/login",
      "/./login",
      "/x/../login",
      "//login",
      "/login%2edata",
    ].entries()) {
      const result = await post(path, `192.0.2.${i + 100}`, right);
      expect(result.status, path).toBe(400);
      expect(result.headers["set-cookie"], path).toBeUndefined();
    }
    // No spelling signed anyone in.
    expect(await prisma.session.count({ where: { userId: victim.id } })).toBe(0);
  });

  it("finding A: a session cookie on /login/ or /Login.data does not move sign-in attempts out of the address's limit", async () => {
    const victim = await makeUser({ password });
    const other = await makeUser({ password });
    const login = await post("/login", "198.51.100.60", form({ email: other.email, password }));
    expect(login.status).toBe(302);
    const cookie = String(login.headers["set-cookie"]?.[0]?.split(";")[0]);
    const guess = form({ email: victim.email, password: "wrong" });
    for (const path of ["/login/", "/Login.data", "/LOGIN"]) {
      expect((await post(path, "198.51.100.61", guess, { Cookie: cookie })).status, path).not.toBe(429);
    }
    const refused = await post("/login/", "198.51.100.61", form({ email: `x${victim.email}`, password }), {
      Cookie: cookie,
    });
    expect(refused.status).toBe(429);
    expect(refused.headers["ratelimit"]).toMatch(/"auth"; ?r=0/);
  });

  it("finding B: `.email` and multipart spellings of the field count against the same email's limit", async () => {
    const victim = await makeUser({ password });
    // conform reads `.email` as `email`: the login action tries these passwords for the victim.
    for (let i = 0; i < 2; i++) {
      const result = await post("/login", `192.0.2.${i + 150}`, form({ ".email": victim.email, password: "x" }));
      expect(result.status).toBe(400);
    }
    const wrong = multipart({ ".email": victim.email, password: "x" });
    expect((await post("/login", "192.0.2.160", wrong.body, { "Content-Type": wrong.type })).status).toBe(400);
    // The account's budget is spent whichever spelling is used next.
    expect((await post("/login", "192.0.2.161", form({ ".email": victim.email, password }))).status).toBe(429);
    expect((await post("/login", "192.0.2.162", form({ email: ` ${victim.email} `, password }))).status).toBe(429);
    const right = multipart({ ".email": victim.email.toUpperCase(), password });
    expect((await post("/login", "192.0.2.163", right.body, { "Content-Type": right.type })).status).toBe(429);
    expect(await prisma.session.count({ where: { userId: victim.id } })).toBe(0);
  });

  it("finding D: refused sign-ins write one audit entry per limit and window, however many are sent", async () => {
    const victim = await makeUser({ password });
    const from = "198.51.100.80";
    for (let i = 0; i < 3; i++) {
      expect((await post("/login", `192.0.2.${i + 200}`, form({ email: victim.email, password: "x" }))).status).toBe(
        400,
      );
    }
    for (let i = 0; i < 6; i++) {
      expect((await post("/login", `192.0.2.${i + 210}`, form({ email: victim.email, password }))).status).toBe(429);
    }
    for (let i = 0; i < 9; i++) await post("/login", from, form({ email: `nobody${i}@example.test`, password: "x" }));
    const blocked = await prisma.auditEvent.findMany({ where: { action: "login", outcome: "failure" } });
    const details = blocked.map((row) => ({
      ip: row.ip,
      ...(row.details as { reason?: string; limit?: string; email?: string }),
    }));
    const byEmail = details.filter((row) => row.reason === "rate_limited" && row.email === victim.email);
    expect(byEmail).toHaveLength(1);
    expect(byEmail[0]).toMatchObject({ limit: "email" });
    const byAddress = details.filter((row) => row.reason === "rate_limited" && row.ip === from);
    expect(byAddress).toHaveLength(1);
    expect(byAddress[0]).toMatchObject({ limit: "ip" });
  });

  it("signing in again and again locks out neither the address nor the account; wrong passwords still count", async () => {
    const person = await makeUser({ password });
    const from = "198.51.100.90";
    // Twice the limit (3) of sign-ins in a row, as someone signing in and out does (signing out is a write).
    for (let i = 0; i < 6; i++) expect((await signIn(from, person.email, password)).status).toBe(302);
    // With JS the form posts to /login.data, whose answer to a sign-in is a redirect in the data.
    for (let i = 0; i < 3; i++) {
      const data = await post("/login.data", from, form({ email: person.email, password }));
      expect(data.status).toBe(202);
      expect(data.headers["set-cookie"]).toBeDefined();
    }
    for (let i = 0; i < 3; i++) expect((await signIn(from, person.email, "wrong guess")).status).toBe(400);
    const refused = await signIn(from, person.email, password);
    expect(refused.status).toBe(429);
    expect(refused.body).toContain("Too many attempts — try again in 15 min.");
  });

  it("correct passwords sent over and over meet a ceiling: each costs a password hash and a session", async () => {
    const person = await makeUser({ password });
    const from = "198.51.100.92";
    // SIGN_IN_CEILING_FACTOR (5) times the limit (3).
    for (let i = 0; i < 15; i++)
      expect((await signIn(from, person.email, password)).status, `sign-in ${i + 1}`).toBe(302);
    const refused = await signIn(from, person.email, password);
    expect(refused.status).toBe(429);
    expect(refused.body).toContain("Too many attempts — try again in 15 min.");
    expect(await prisma.session.count({ where: { userId: person.id } })).toBe(15);
    // Another address is not affected.
    expect((await signIn("198.51.100.93", person.email, password)).status).toBe(302);
  });

  it("wrong passwords sent with a session cookie still count, though the page answers them with a redirect", async () => {
    const person = await makeUser({ password });
    const from = "198.51.100.91";
    const login = await signIn(from, person.email, password);
    expect(login.status).toBe(302);
    const cookie = String(login.headers["set-cookie"]?.[0]?.split(";")[0]);
    for (let i = 0; i < 3; i++) {
      const guess = await signIn(from, person.email, "wrong guess", cookie);
      // The signed-in visitor is sent on from the login page: the status alone does not tell a failure.
      expect(guess.status).toBe(302);
      expect(guess.headers["set-cookie"]).toBeUndefined();
    }
    const refused = await signIn(from, person.email, password, cookie);
    expect(refused.status).toBe(429);
    expect(refused.body).toContain("Too many attempts — try again in 15 min.");
  });
});

describe("known devices (OWASP device cookies): a shared address's failures do not lock out people who signed in here before", () => {
  let server: ServerProcess;
  const password = "correct horse battery staple";
  beforeAll(async () => {
    server = await start({ RATE_LIMIT_AUTH_PER_15_MINUTES: "3", TRUST_PROXY: "true" });
  }, 90_000);

  const signIn = (from: string, email: string, secret: string, cookie?: string) =>
    passwordSignIn(server, from, email, secret, cookie);
  const deviceCookieOf = (response: Awaited<ReturnType<typeof signIn>>) => {
    const setCookies = [response.headers["set-cookie"] ?? []].flat();
    const device = setCookies.find((header) => header.startsWith("__ares_device_"));
    expect(device, "a device cookie is set after a password sign-in").toBeDefined();
    expect(device).toMatch(/HttpOnly/i);
    expect(device).toMatch(/SameSite=Lax/i);
    expect(device).toMatch(/Max-Age=\d{7,}/);
    return String(device?.split(";")[0]);
  };
  /** Locks the address out with failures for a made-up email (QA: 24 posts for nobody@example.test). */
  const lockOut = async (from: string) => {
    for (let i = 0; i < 3; i++) expect((await signIn(from, `nobody-${from}@example.test`, "wrong")).status).toBe(400);
    expect((await signIn(from, `nobody-${from}@example.test`, "wrong")).status).toBe(429);
  };

  it("after the address is locked out by another email's failures, someone who signed in on this browser before still signs in", async () => {
    const person = await makeUser({ password });
    const device = deviceCookieOf(await signIn("198.51.100.120", person.email, password));
    const from = "198.51.100.121";
    await lockOut(from);
    const again = await signIn(from, person.email, password, device);
    expect(again.status).toBe(302);
    expect(again.headers["location"]).toBe("/");
    // Without the device cookie the same person from the same address is still refused.
    const stranger = await signIn(from, person.email, password);
    expect(stranger.status).toBe(429);
    expect(stranger.body).toContain("Too many attempts — try again in 15 min.");
    // Someone else without a cookie too.
    const other = await makeUser({ password });
    expect((await signIn(from, other.email, password)).status).toBe(429);
  });

  it("failures with a device cookie use up that cookie's own budget, not the address's nor the account's", async () => {
    const person = await makeUser({ password });
    const device = deviceCookieOf(await signIn("198.51.100.130", person.email, password));
    const from = "198.51.100.131";
    for (let i = 0; i < 3; i++) expect((await signIn(from, person.email, "wrong guess", device)).status).toBe(400);
    const refused = await signIn(from, person.email, password, device);
    expect(refused.status).toBe(429);
    expect(refused.body).toContain("Too many attempts — try again in 15 min.");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(60);
    // The address and the account were not charged: a cookie-less sign-in from there still works.
    expect((await signIn(from, person.email, password)).status).toBe(302);
  });

  it("an untrusted client's failures lock the account for untrusted clients only; the known device keeps signing in", async () => {
    const person = await makeUser({ password });
    const device = deviceCookieOf(await signIn("198.51.100.140", person.email, password));
    for (let i = 0; i < 3; i++) expect((await signIn(`203.0.113.${140 + i}`, person.email, "wrong")).status).toBe(400);
    expect((await signIn("203.0.113.150", person.email, password)).status).toBe(429);
    expect((await signIn("198.51.100.140", person.email, password, device)).status).toBe(302);
  });

  it("a known device's sign-ins, correct ones included, have a ceiling of their own", async () => {
    const person = await makeUser({ password });
    const device = deviceCookieOf(await signIn("198.51.100.170", person.email, password));
    // The limit is 3: the ceiling is 5 × 3 sign-ins a device, successful or not.
    for (let i = 0; i < 15; i++)
      expect((await signIn("198.51.100.171", person.email, password, device)).status).toBe(302);
    expect((await signIn("198.51.100.171", person.email, password, device)).status).toBe(429);
  });

  it("however many device cookies were collected, together they get 5 × the limit of guesses at one account", async () => {
    const person = await makeUser({ password });
    // Six browsers signed in while the password was known: each cookie alone allows 3 failures.
    const devices: string[] = [];
    for (let i = 0; i < 6; i++)
      devices.push(deviceCookieOf(await signIn(`198.51.100.${180 + i}`, person.email, password)));
    const from = "203.0.113.180";
    for (const device of devices.slice(0, 5))
      for (let i = 0; i < 3; i++) expect((await signIn(from, person.email, "guess", device)).status).toBe(400);
    // 15 guesses = 5 × 3: the sixth cookie's first attempt is refused, whatever it sends.
    expect((await signIn(from, person.email, password, devices[5])).status).toBe(429);
  });

  it("a forged device cookie, or another account's, counts as no cookie", async () => {
    const person = await makeUser({ password });
    const other = await makeUser({ password });
    const own = deviceCookieOf(await signIn("198.51.100.160", person.email, password));
    const othersCookie = deviceCookieOf(await signIn("198.51.100.160", other.email, password));
    const from = "198.51.100.161";
    await lockOut(from);
    const [name, value] = own.split("=") as [string, string];
    const [id, issued, signature] = value.split(".") as [string, string, string];
    const forgeries = [
      `${name}=${id}.${issued}.${signature.slice(0, -2)}${signature.endsWith("AA") ? "BB" : "AA"}`,
      `${name}=${id.slice(0, -2)}xx.${issued}.${signature}`,
      `${name}=${id}.${(Date.now() + 1).toString(36)}.${signature}`,
      // The other account's cookie, under its own name and renamed to this account's.
      othersCookie,
      `${name}=${othersCookie.split("=")[1]}`,
    ];
    for (const forged of forgeries) {
      const refused = await signIn(from, person.email, password, forged);
      expect(refused.status, forged).toBe(429);
    }
    expect((await signIn(from, person.email, password, own)).status).toBe(302);
  });

  const newPassword = "violet tractor juggles seventeen lemons";
  const sessionCookieOf = (response: Awaited<ReturnType<typeof signIn>>) =>
    String([response.headers["set-cookie"] ?? []].flat().find((header) => header.startsWith("__ares_session="))).split(
      ";",
    )[0]!;
  const postAs = (path: string, from: string, cookie: string, fields: Record<string, string>) =>
    httpRequest(`${server.url}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": from, Cookie: cookie },
      body: new URLSearchParams(fields).toString(),
    });

  it("a password change revokes every device cookie issued before it; the browser that changed it gets a fresh one", async () => {
    const person = await makeUser({ password });
    // A copy of a device cookie, taken while the old password was known.
    const copied = deviceCookieOf(await signIn("198.51.100.190", person.email, password));
    const login = await signIn("198.51.100.191", person.email, password);
    const mine = deviceCookieOf(login);
    const from = "198.51.100.192";
    await lockOut(from);
    expect((await signIn(from, person.email, password, copied)).status, "honoured before the change").toBe(302);
    const changed = await postAs("/settings/password", "198.51.100.193", `${sessionCookieOf(login)}; ${mine}`, {
      currentPassword: password,
      newPassword,
    });
    expect(changed.status).toBe(302);
    const fresh = deviceCookieOf(changed);
    for (const revoked of [copied, mine]) {
      const refused = await signIn(from, person.email, newPassword, revoked);
      expect(refused.status, "ignored after the change").toBe(429);
      expect(refused.body).toContain("Too many attempts — try again in 15 min.");
    }
    expect((await signIn(from, person.email, newPassword, fresh)).status).toBe(302);
  });

  it("signing out everywhere else revokes every device cookie issued before; this browser keeps a fresh one", async () => {
    const person = await makeUser({ password });
    const copied = deviceCookieOf(await signIn("198.51.100.194", person.email, password));
    const login = await signIn("198.51.100.195", person.email, password);
    const mine = deviceCookieOf(login);
    const from = "198.51.100.196";
    await lockOut(from);
    expect((await signIn(from, person.email, password, copied)).status, "honoured before").toBe(302);
    const signedOut = await postAs("/settings/sessions", "198.51.100.197", `${sessionCookieOf(login)}; ${mine}`, {
      intent: "revoke-others",
    });
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers["location"]).toBe("/settings/sessions");
    const fresh = deviceCookieOf(signedOut);
    for (const revoked of [copied, mine])
      expect((await signIn(from, person.email, password, revoked)).status, "ignored after").toBe(429);
    expect((await signIn(from, person.email, password, fresh)).status).toBe(302);
  });
});

describe("rate limits shared through Redis", () => {
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    redis = await startRedis();
    // A prefix of its own, so nothing else using this Redis can share these counters.
    const env = { REDIS_URL: redis.url, RATE_LIMIT_REDIS_PREFIX: `ares-test:${process.pid}:${Date.now()}:` };
    [a, b] = await Promise.all([start(env), start(env)]);
  }, 120_000);

  it("two processes count against one limit", async () => {
    expect((await httpRequest(`${a.url}/`)).status).toBe(200);
    expect((await httpRequest(`${b.url}/`)).status).toBe(200);
    expect((await httpRequest(`${a.url}/`)).status).toBe(200);
    const refused = await httpRequest(`${b.url}/`);
    expect(refused.status).toBe(429);
    expect(refused.headers["retry-after"]).toBeTruthy();
  });

  it("sign-ins that succeed are not counted in the shared limit either; failed ones are, across processes", async () => {
    const person = await makeUser({ password: "correct horse battery staple" });
    const signIn = (server: ServerProcess, secret: string) =>
      httpRequest(`${server.url}/login`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ email: person.email, password: secret }).toString(),
      });
    // Twice the limit (2), alternating between the processes.
    for (const server of [a, b, a, b]) expect((await signIn(server, "correct horse battery staple")).status).toBe(302);
    for (const server of [a, b]) expect((await signIn(server, "wrong guess")).status).toBe(400);
    const refused = await signIn(a, "correct horse battery staple");
    expect(refused.status).toBe(429);
    expect(refused.body).toContain("Too many attempts — try again in 15 min.");
  });

  it("with Redis stopped, requests are still served at once, the failure is logged and counted, readiness stays 200", async () => {
    await redis!.stop();
    // Over the limit already: a 200 proves the limiter let the request through instead of failing it.
    // How much slower requests get is measured under load in tests/faults/redis-outage.test.ts.
    const served = await httpRequest(`${a.url}/`);
    expect(served.status).toBe(200);
    // The log line comes over the process's stdout, which may arrive after the answer did.
    await expect
      .poll(() => a.logs.some((entry) => entry.level === 50 && /store|redis/i.test(String(entry.msg))), {
        timeout: 5_000,
      })
      .toBe(true);
    expect(sample(await metricsOf(a), "ares_rate_limit_store_errors_total")).toBeGreaterThanOrEqual(1);
    const ready = await httpRequest(`${a.url}/api/v1/health/ready`);
    // Every instance shares the Redis outage: readiness failing would drain them all at once.
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body).checks.redis.status).toBe("down");
  });
});

describe("callers proving themselves with a header (the internal API key, the webhook secret)", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await start({ INTERNAL_API_KEY: "internal-key-for-tests-0123456789abcdef" });
  }, 90_000);

  it("refused for a wrong key or secret before the body is read, each attempt still counts toward the write limit: 429 after it", async () => {
    const wrongKey = () =>
      httpRequest(`${server.url}/api/v1/internal/sessions/purge`, {
        method: "POST",
        headers: { authorization: "Bearer guessed", "content-type": "application/json" },
        body: "{}",
      });
    for (let i = 0; i < 2; i++) expect((await wrongKey()).status).toBe(401);
    const refused = await wrongKey();
    expect(refused.status).toBe(429);
    expect(refused.headers["ratelimit-policy"]).toMatch(/"write"; ?q=2; ?w=60/);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(JSON.parse(refused.body)).toMatchObject({ status: 429, code: "rate_limited" });
    // The webhook (off here: its 404) is refused from the same address by the same limit.
    const webhook = await httpRequest(`${server.url}/api/v1/telegram/webhook`, {
      method: "POST",
      headers: { "x-telegram-bot-api-secret-token": "guessed", "content-type": "application/json" },
      body: "{}",
    });
    expect(webhook.status).toBe(429);
  });
});
