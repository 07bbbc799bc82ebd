/**
 * Auth0 sign-in end to end: the stand-in IdP runs in this process, ARES runs as a real server (two of them: one
 * reading roles from the ID-token claim, one from the Management API), and a small cookie-carrying client plays
 * the browser, following every redirect by hand.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { rootCertificates } from "node:tls";
import { Agent, type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "~/auth/accounts.server";
import { findOrCreateAuth0Account } from "~/auth/auth0-accounts.server";
import { Auth0Failure } from "~/auth/auth0-http.server";
import { createAuth0RoleDirectory, ROLE_CACHE_TTL_MS } from "~/auth/auth0-management.server";
import { revokeSignIns } from "~/auth/revocation.server";
import { startSession } from "~/auth/sign-in.server";
import type { Auth0Config } from "~/config/env.server";
import { prisma } from "~/db/db.server";
import { type StandInIdp, type StandInIdpUser, startStandInIdp } from "../../e2e/stand-ins/idp-server";
import { closedPort } from "../support/ops";
import { startServer, type ServerProcess, ensureBuild } from "../support/server-process";

const ROLES_CLAIM = "https://ares.local/roles";
const PASSWORD = "correct horse battery staple";
const CLIENT = { clientId: "ares-it-client", clientSecret: "ares-it-client-secret" };
const MGMT = { clientId: "ares-it-mgmt", clientSecret: "ares-it-mgmt-secret" };
const TIMEOUT_MS = 1_500;

function idpUser(key: string, extra: Partial<StandInIdpUser> = {}): StandInIdpUser {
  return {
    sub: `auth0|${key}`,
    email: `${key}@example.test`,
    emailVerified: true,
    name: `Person ${key}`,
    password: PASSWORD,
    roles: ["user"],
    ...extra,
  };
}

const USERS = {
  newAdmin: idpUser("new-admin", { name: "Nadia Newadmin", roles: ["ares-admin", "user"] }),
  plain: idpUser("plain"),
  remembered: idpUser("remembered"),
  local: idpUser("local"),
  unverified: idpUser("unverified", { emailVerified: false }),
  unverifiedNew: idpUser("unverified-new", { emailVerified: false }),
  disabled: idpUser("disabled"),
  cancel: idpUser("cancel"),
  hang: idpUser("hang"),
  logout: idpUser("logout", { name: "Lou Logout" }),
  mgmtAdmin: idpUser("mgmt-admin", { roles: ["admin"] }),
  mgmtPlain: idpUser("mgmt-plain", { roles: [] }),
  cached: idpUser("cached", { roles: ["admin"] }),
};

let certDir = "";
let idp: StandInIdp;
let claims: ServerProcess; // roles from the ID-token claim
let mgmt: ServerProcess; // roles from the Management API
let previousDispatcher: Dispatcher;

beforeAll(async () => {
  await ensureBuild();
  const [claimsPort, mgmtPort] = [await closedPort(), await closedPort()];
  certDir = await mkdtemp(path.join(tmpdir(), "ares-auth0-it-"));
  idp = await startStandInIdp({
    clients: [
      {
        ...CLIENT,
        redirectUris: [claimsPort, mgmtPort].map((port) => `http://127.0.0.1:${port}/auth/auth0/callback`),
      },
    ],
    users: Object.values(USERS),
    rolesClaim: ROLES_CLAIM,
    mgmt: MGMT,
    certDir,
  });
  // This process plays the browser at the IdP, so it trusts the stand-in's certificate too.
  previousDispatcher = getGlobalDispatcher();
  const ca = await readFile(idp.caCertPath, "utf8");
  setGlobalDispatcher(new Agent({ connect: { ca: [...rootCertificates, ca] } }));

  const common = {
    DATABASE_URL: process.env.DATABASE_URL,
    NODE_ENV: "test",
    ARES_SKIP_MIGRATIONS: "true",
    // startServer waits for the "ARES is ready" info line.
    LOG_LEVEL: "info",
    // A fixed secret rather than test mode's throwaway one.
    SESSION_SECRET: "auth0-integration-session-secret-0123456789",
    HOST: "127.0.0.1",
    NODE_EXTRA_CA_CERTS: idp.caCertPath,
    AUTH0_DOMAIN: idp.domain,
    AUTH0_CLIENT_ID: CLIENT.clientId,
    AUTH0_CLIENT_SECRET: CLIENT.clientSecret,
    AUTH0_TIMEOUT_MS: String(TIMEOUT_MS),
    AUTH0_ADMIN_ROLES: "admin,ares-admin",
  };
  [claims, mgmt] = await Promise.all([
    startServer({ ...common, PORT: String(claimsPort), AUTH0_ROLES_CLAIM: ROLES_CLAIM }),
    startServer({
      ...common,
      PORT: String(mgmtPort),
      AUTH0_MGMT_CLIENT_ID: MGMT.clientId,
      AUTH0_MGMT_CLIENT_SECRET: MGMT.clientSecret,
    }),
  ]);
  // The instance's first account (an admin) exists already, so roles below come from Auth0, not that rule.
  await createAccount({ email: "owner@example.test", password: PASSWORD });
}, 180_000);

afterAll(async () => {
  await Promise.all([claims?.stop(), mgmt?.stop()]);
  await idp?.close();
  if (previousDispatcher) setGlobalDispatcher(previousDispatcher);
  if (certDir) await rm(certDir, { recursive: true, force: true });
});

/** A minimal browser: a cookie jar per host, and redirects are followed only when asked. */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  cookieNames(origin: string): string[] {
    return [...this.jar(new URL(origin).host).keys()];
  }

  /** The Cookie header this browser would send to `origin`, to replay a request later. */
  cookieHeader(origin: string): string {
    return [...this.jar(new URL(origin).host)].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  private jar(host: string): Map<string, string> {
    let jar = this.jars.get(host);
    if (!jar) this.jars.set(host, (jar = new Map()));
    return jar;
  }

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const jar = this.jar(target.host);
    if (jar.size > 0 && !headers.has("cookie")) headers.set("cookie", this.cookieHeader(target.origin));
    const res = await fetch(target, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const name = pair.slice(0, pair.indexOf("=")).trim();
      const value = pair.slice(pair.indexOf("=") + 1).trim();
      const gone = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute)) || value === "";
      if (gone) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /** Follows redirects while they stay on `origin`; returns the last response there and where it pointed next. */
  async follow(url: string | URL, origin: string, init: RequestInit = {}): Promise<{ res: Response; next?: URL }> {
    let res = await this.request(url, init);
    for (let hops = 0; hops < 10; hops += 1) {
      const location = res.headers.get("location");
      if (!location) return { res };
      const next = new URL(location, res.url || url);
      if (next.origin !== origin) return { res, next };
      res = await this.request(next);
    }
    throw new Error("too many redirects");
  }

  postForm(url: string | URL, origin: string, fields: Record<string, string>) {
    return this.follow(url, origin, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: new URL(url).origin },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

function idpOrigin(): string {
  return new URL(idp.issuer).origin;
}

function formAction(html: string, suffix: string): URL {
  const action = [...html.matchAll(/<form[^>]*action="([^"]+)"/g)]
    .map((match) => match[1] ?? "")
    .find((candidate) => candidate.endsWith(suffix));
  if (!action) throw new Error(`no form posting to *${suffix} in:\n${html}`);
  return new URL(action.replace(/&amp;/g, "&"), idp.issuer);
}

/** Presses "Continue with Auth0" and arrives at the IdP's login form. */
async function startSignIn(browser: Browser, app: ServerProcess, redirectTo?: string, fields = {}) {
  const query = redirectTo ? `?${new URLSearchParams({ redirectTo })}` : "";
  const started = await browser.postForm(`${app.url}/auth/auth0${query}`, app.url, fields);
  expect(started.res.status).toBe(302);
  expect(started.next?.origin).toBe(idpOrigin());
  expect(started.next?.searchParams.get("scope")).toBe("openid profile email");
  const { res } = await browser.follow(started.next!, idpOrigin());
  expect(res.status).toBe(200);
  return { html: await res.text() };
}

/** Signs in at the IdP and returns the callback URL it sends the browser to (not yet requested). */
async function callbackFromIdp(
  browser: Browser,
  app: ServerProcess,
  user: StandInIdpUser,
  redirectTo?: string,
  fields = {},
) {
  const { html } = await startSignIn(browser, app, redirectTo, fields);
  const { next } = await browser.postForm(formAction(html, "/login"), idpOrigin(), {
    email: user.email,
    password: user.password,
  });
  expect(next?.pathname).toBe("/auth/auth0/callback");
  return next!;
}

async function signIn(browser: Browser, app: ServerProcess, user: StandInIdpUser, redirectTo?: string, fields = {}) {
  const callback = await callbackFromIdp(browser, app, user, redirectTo, fields);
  const res = await browser.request(callback);
  expect(res.status).toBe(302);
  return { res, location: res.headers.get("location") ?? "" };
}

async function userByEmail(email: string) {
  return prisma.user.findUnique({ where: { email } });
}

async function auditFor(action: string, filter: (details: Record<string, unknown>) => boolean) {
  const rows = await prisma.auditEvent.findMany({ where: { action }, orderBy: { createdAt: "asc" } });
  return rows.filter((row) => filter((row.details ?? {}) as Record<string, unknown>));
}

describe("signing in with Auth0 (roles from the ID-token claim)", () => {
  it("offers the button, and lets the no-JS form post be redirected to Auth0 (CSP form-action)", async () => {
    const res = await fetch(`${claims.url}/login`);
    expect(await res.text()).toContain("Continue with Auth0");
    expect(res.headers.get("content-security-policy")).toContain(`form-action 'self' https://${idp.domain}`);
    const get = await fetch(`${claims.url}/auth/auth0`, { redirect: "manual" });
    expect(get.status).toBe(302);
    expect(get.headers.get("location")).toBe("/login");
  });

  it("creates an account from the ID token with the claim's admin role, and lands where the person was going", async () => {
    const browser = new Browser();
    const { res, location } = await signIn(browser, claims, USERS.newAdmin, "/settings");
    expect(location).toBe("/settings");

    const user = await userByEmail(USERS.newAdmin.email);
    expect(user).toMatchObject({ auth0Sub: USERS.newAdmin.sub, name: "Nadia Newadmin", role: "admin" });
    const session = await prisma.session.findFirst({ where: { userId: user!.id } });
    expect(session).toMatchObject({ method: "auth0", persistent: false, revokedAt: null });

    // The strategy's state cookie and the flow cookie are deleted on the way back; the session cookie is set.
    const setCookies = res.headers.getSetCookie();
    expect(setCookies.some((c) => /^auth0:[0-9a-f-]{36}=;.*Max-Age=0/i.test(c))).toBe(true);
    expect(setCookies.some((c) => /^__ares_auth0_flow=;.*Max-Age=0/i.test(c))).toBe(true);
    expect(browser.cookieNames(claims.url).filter((name) => name.startsWith("auth0"))).toEqual([]);
    expect(browser.cookieNames(claims.url)).toContain("__ares_session");

    const page = await browser.request(`${claims.url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Nadia Newadmin");
    expect(html).toMatch(/href="\/admin"[^>]*>Admin</);

    const signup = await auditFor("signup", (d) => d.method === "auth0");
    expect(signup.map((row) => [row.actorId, row.outcome, (row.details as { role: string }).role])).toEqual([
      [user!.id, "success", "admin"],
    ]);
    const logins = await prisma.auditEvent.findMany({ where: { action: "login", actorId: user!.id } });
    expect(logins.map((row) => [row.outcome, row.details])).toEqual([["success", { method: "auth0" }]]);
  });

  it("keeps the person signed in for 30 days when they tick the box next to the Auth0 button", async () => {
    expect(await (await fetch(`${claims.url}/login`)).text()).toMatch(
      /<form[^>]*action="\/auth\/auth0"[^>]*>[\s\S]*?name="remember"[\s\S]*?<\/form>/,
    );
    const { res } = await signIn(new Browser(), claims, USERS.remembered, undefined, { remember: "on" });
    const user = await userByEmail(USERS.remembered.email);
    expect(await prisma.session.findFirst({ where: { userId: user!.id } })).toMatchObject({ persistent: true });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__ares_session="));
    expect(cookie).toMatch(/Max-Age=2592000/i);
  });

  it("gives a person whose claim has no admin role the user role", async () => {
    await signIn(new Browser(), claims, USERS.plain);
    expect(await userByEmail(USERS.plain.email)).toMatchObject({ role: "user", auth0Sub: USERS.plain.sub });
  });

  it("links an existing local account by verified email, then follows role changes at Auth0", async () => {
    const local = await createAccount({ email: USERS.local.email, password: PASSWORD, name: "Local Person" });
    const { location } = await signIn(new Browser(), claims, USERS.local);
    expect(location).toBe("/");
    const linked = await userByEmail(USERS.local.email);
    expect(linked).toMatchObject({ id: local.id, auth0Sub: USERS.local.sub, role: "user", name: "Local Person" });
    expect(await prisma.user.count({ where: { email: USERS.local.email } })).toBe(1);
    const links = await prisma.auditEvent.findMany({ where: { action: "account.link", targetId: local.id } });
    expect(links.map((row) => [row.outcome, row.actorId, row.details])).toEqual([
      ["success", local.id, { method: "auth0", sub: USERS.local.sub }],
    ]);

    idp.setUserRoles(USERS.local.sub, ["admin"]);
    await signIn(new Browser(), claims, USERS.local);
    expect(await userByEmail(USERS.local.email)).toMatchObject({ id: local.id, role: "admin" });
    const changes = await prisma.auditEvent.findMany({ where: { action: "user.role_change", targetId: local.id } });
    expect(changes.map((row) => [row.outcome, row.details])).toEqual([
      ["success", { from: "user", to: "admin", source: "auth0", email: USERS.local.email }],
    ]);
  });

  it("does not create an account under an email Auth0 has not verified", async () => {
    const { location } = await signIn(new Browser(), claims, USERS.unverifiedNew);
    // finding F: the same answer as for an address an account already has (next test).
    expect(location).toBe("/login?reason=auth0_unverified");
    expect(await userByEmail(USERS.unverifiedNew.email)).toBeNull();
    expect(await auditFor("login", (d) => d.reason === "new_email_unverified")).toHaveLength(1);
    const page = await fetch(`${claims.url}${location}`);
    expect(await page.text()).toContain("Auth0 has not verified your email address yet.");
  });

  it("does not link on an unverified email: it refuses and creates nothing", async () => {
    const existing = await createAccount({ email: USERS.unverified.email, password: PASSWORD });
    const { location } = await signIn(new Browser(), claims, USERS.unverified);
    expect(location).toBe("/login?reason=auth0_unverified");
    expect(await prisma.user.findMany({ where: { email: USERS.unverified.email } })).toEqual([
      expect.objectContaining({ id: existing.id, auth0Sub: null }),
    ]);
    expect(await prisma.user.findUnique({ where: { auth0Sub: USERS.unverified.sub } })).toBeNull();
    const failures = await auditFor("login", (d) => d.method === "auth0" && d.reason === "email_unverified");
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ outcome: "failure", actorId: existing.id });

    // finding F: word for word what a new address gets, so the page tells no one the account exists.
    const page = await fetch(`${claims.url}${location}`);
    expect(await page.text()).toContain("Auth0 has not verified your email address yet.");
  });

  it("refuses a disabled account", async () => {
    await signIn(new Browser(), claims, USERS.disabled);
    await prisma.user.update({ where: { email: USERS.disabled.email }, data: { disabledAt: new Date() } });
    const { location } = await signIn(new Browser(), claims, USERS.disabled);
    expect(location).toBe("/login?reason=disabled");
    expect(await auditFor("login", (d) => d.method === "auth0" && d.reason === "disabled")).toHaveLength(1);
  });

  it("sends a person who cancels at Auth0 back to the login page, keeping where they were going", async () => {
    const browser = new Browser();
    const { html } = await startSignIn(browser, claims, "/settings");
    const { next } = await browser.postForm(formAction(html, "/abort"), idpOrigin(), {});
    expect(next?.searchParams.get("error")).toBe("access_denied");
    const res = await browser.request(next!);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?reason=auth0_failed&redirectTo=%2Fsettings");
    expect(browser.cookieNames(claims.url).filter((name) => name.startsWith("auth0"))).toEqual([]);
    expect(await auditFor("login", (d) => d.method === "auth0" && d.reason === "access_denied")).toHaveLength(1);
  });

  it("refuses a callback without the state cookie, with a different state, or with a used code", async () => {
    // No state cookie at all (e.g. the link opened in another browser).
    const stranger = await fetch(`${claims.url}/auth/auth0/callback?state=abc&code=def`, { redirect: "manual" });
    expect(stranger.headers.get("location")).toBe("/login?reason=auth0_failed");

    // A state cookie from another attempt.
    const browser = new Browser();
    await startSignIn(browser, claims);
    const mismatch = await browser.request(`${claims.url}/auth/auth0/callback?state=not-mine&code=def`);
    expect(mismatch.headers.get("location")).toBe("/login?reason=auth0_failed");

    // The same callback replayed with its original cookies: Auth0 refuses the code the second time.
    const replayer = new Browser();
    const callback = await callbackFromIdp(replayer, claims, USERS.plain);
    const cookies = replayer.cookieHeader(claims.url);
    expect((await replayer.request(callback)).headers.get("location")).toBe("/");
    const replay = await fetch(callback, { headers: { cookie: cookies }, redirect: "manual" });
    expect(replay.headers.get("location")).toBe("/login?reason=auth0_failed");

    const reasons = (await auditFor("login", (d) => d.method === "auth0")).map((row) => row.details);
    expect(reasons).toEqual(
      expect.arrayContaining([
        { method: "auth0", reason: "state_missing" },
        { method: "auth0", reason: "state_mismatch" },
        { method: "auth0", reason: "invalid_grant" },
      ]),
    );
  });

  it("gives up on an IdP that hangs within the time limit and says so on the login page", async () => {
    const browser = new Browser();
    const callback = await callbackFromIdp(browser, claims, USERS.hang);
    idp.setHang(true);
    const startedAt = Date.now();
    try {
      const res = await browser.request(callback);
      expect(res.headers.get("location")).toBe("/login?reason=auth0_failed");
    } finally {
      idp.setHang(false);
    }
    const elapsed = Date.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 2_000);
    expect(await userByEmail(USERS.hang.email)).toBeNull();
    expect(await auditFor("login", (d) => d.method === "auth0" && d.reason === "timeout")).toHaveLength(1);
  });

  it("signs out of Auth0 too: logout goes to /v2/logout, which returns to the login page", async () => {
    const browser = new Browser();
    await signIn(browser, claims, USERS.logout);
    const res = await browser.request(`${claims.url}/logout`, { method: "POST", headers: { origin: claims.url } });
    expect(res.status).toBe(302);
    const logoutUrl = new URL(res.headers.get("location") ?? "");
    expect(`${logoutUrl.origin}${logoutUrl.pathname}`).toBe(`https://${idp.domain}/v2/logout`);
    expect(Object.fromEntries(logoutUrl.searchParams)).toEqual({
      client_id: CLIENT.clientId,
      returnTo: `${claims.url}/login?reason=signed_out`,
    });
    const atIdp = await browser.request(logoutUrl);
    expect(atIdp.status).toBe(302);
    expect(atIdp.headers.get("location")).toBe(`${claims.url}/login?reason=signed_out`);

    // The ARES session is over, and Auth0 asks for the password again rather than signing straight back in.
    const after = await browser.request(`${claims.url}/settings`);
    expect(after.headers.get("location")).toMatch(/^\/login\?/);
    const { html } = await startSignIn(browser, claims);
    expect(html).toContain('name="password"');
  });
});

describe("signing in with Auth0 (roles from the Management API)", () => {
  it("reads roles from the Management API and reuses one M2M token across sign-ins", async () => {
    const before = { ...idp.stats };
    await signIn(new Browser(), mgmt, USERS.mgmtAdmin);
    await signIn(new Browser(), mgmt, USERS.mgmtPlain);
    expect(await userByEmail(USERS.mgmtAdmin.email)).toMatchObject({ role: "admin" });
    expect(await userByEmail(USERS.mgmtPlain.email)).toMatchObject({ role: "user" });
    expect(idp.stats.managementTokensIssued - before.managementTokensIssued).toBe(1);
    expect(idp.stats.roleLookups - before.roleLookups).toBe(2);

    // Within five minutes the same person's roles come from the cache: no new lookup, no new token.
    await signIn(new Browser(), mgmt, USERS.mgmtAdmin);
    expect(idp.stats.managementTokensIssued - before.managementTokensIssued).toBe(1);
    expect(idp.stats.roleLookups - before.roleLookups).toBe(2);
  });
});

describe("the Management API role directory", () => {
  const auth0 = (): Auth0Config => ({
    domain: idp.domain,
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    callbackUrl: undefined,
    rolesClaim: undefined,
    adminRoles: ["admin"],
    management: MGMT,
    timeoutMs: TIMEOUT_MS,
  });

  it("shares one lookup between concurrent requests and caches roles for five minutes", async () => {
    let now = Date.now();
    const directory = createAuth0RoleDirectory(auth0(), MGMT, () => now);
    const before = { ...idp.stats };
    const results = await Promise.all(Array.from({ length: 5 }, () => directory.rolesFor(USERS.cached.sub)));
    expect(results).toEqual(Array.from({ length: 5 }, () => ["admin"]));
    expect(idp.stats.roleLookups - before.roleLookups).toBe(1);
    expect(idp.stats.managementTokensIssued - before.managementTokensIssued).toBe(1);

    idp.setUserRoles(USERS.cached.sub, ["user"]);
    now += ROLE_CACHE_TTL_MS - 1_000;
    expect(await directory.rolesFor(USERS.cached.sub)).toEqual(["admin"]);
    expect(idp.stats.roleLookups - before.roleLookups).toBe(1);

    now += 1_000;
    expect(await directory.rolesFor(USERS.cached.sub)).toEqual(["user"]);
    expect(idp.stats.roleLookups - before.roleLookups).toBe(2);
    // The token (valid for a day) is still reused; shortly before it expires a new one is fetched.
    expect(idp.stats.managementTokensIssued - before.managementTokensIssued).toBe(1);
    now += 24 * 60 * 60 * 1000 - 60_000 - ROLE_CACHE_TTL_MS;
    await directory.rolesFor(USERS.cached.sub);
    expect(idp.stats.managementTokensIssued - before.managementTokensIssued).toBe(2);
  });

  it("gives up on a hanging Management API within the time limit", async () => {
    const directory = createAuth0RoleDirectory(auth0(), MGMT);
    idp.setHang(true);
    const startedAt = Date.now();
    try {
      const failure = await directory.rolesFor(USERS.cached.sub).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Auth0Failure);
      expect(failure).toMatchObject({ reason: "timeout" });
    } finally {
      idp.setHang(false);
    }
    expect(Date.now() - startedAt).toBeLessThan(TIMEOUT_MS + 1_000);
  });

  it("refuses a Management API client Auth0 does not know", async () => {
    const directory = createAuth0RoleDirectory(auth0(), { clientId: MGMT.clientId, clientSecret: "wrong" });
    await expect(directory.rolesFor(USERS.cached.sub)).rejects.toMatchObject({ reason: "roles_unavailable" });
  });
});

describe("an Auth0 sign-in racing a revocation", () => {
  it("writes no session when the account's sign-ins were revoked after it was found (sign out everywhere else)", async () => {
    const sub = `auth0|race-${Date.now()}`;
    const user = await createAccount({ email: `auth0-race-${Date.now()}@example.test`, auth0Sub: sub, role: "user" });
    const origin = { ip: "198.51.100.1", userAgent: "vitest" };
    const identity = { sub, email: user.email, emailVerified: true, name: undefined, roleNames: undefined };
    const account = await findOrCreateAuth0Account(identity, undefined, origin);
    if (!account.ok) throw new Error("expected the account");
    // The callback found the account; "sign out everywhere else" commits before its session is written.
    await prisma.$transaction((tx) => revokeSignIns(tx, user.id));
    expect(await startSession(account.user, "auth0", false, origin, account.generation)).toBeNull();
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(0);
  });
});
