/**
 * Drives the stand-in IdP exactly as the app will: arctic's Auth0 client (what remix-auth-auth0 uses) builds the
 * authorize URL and exchanges the code; the browser part (redirects, cookies, the login form) is done with fetch.
 */
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { Auth0, decodeIdToken, generateCodeVerifier, generateState, OAuth2RequestError } from "arctic";
import { Agent, type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StandInIdp, type StandInIdpOptions, startStandInIdp } from "./idp-server";

const ROLES_CLAIM = "https://ares.local/roles";
const PASSWORD = "correct horse battery staple";
const CLIENT = {
  clientId: "ares-test-client",
  clientSecret: "ares-test-secret",
  redirectUris: ["http://127.0.0.1:3999/auth/auth0/callback"],
  postLogoutRedirectUris: ["http://127.0.0.1:3999/signed-out"],
};
const REDIRECT_URI = CLIENT.redirectUris[0] ?? "";
const MGMT = { clientId: "ares-mgmt-client", clientSecret: "ares-mgmt-secret" };
const ADMIN = {
  sub: "auth0|admin-1",
  email: "admin@example.test",
  emailVerified: true,
  name: "Ada Admin",
  password: PASSWORD,
  roles: ["admin", "user"],
};
const USER = {
  sub: "auth0|user-1",
  email: "user@example.test",
  emailVerified: false,
  name: "Uma User",
  password: PASSWORD,
  roles: ["user"],
};

let certDir = "";
let idp: StandInIdp;
let previousDispatcher: Dispatcher;

function options(extra: Partial<StandInIdpOptions> = {}): StandInIdpOptions {
  return {
    clients: [CLIENT],
    users: [ADMIN, USER],
    rolesClaim: ROLES_CLAIM,
    mgmt: MGMT,
    certDir,
    ...extra,
  };
}

beforeAll(async () => {
  // One certificate for every instance in this file, so one trusted CA covers them all.
  certDir = await mkdtemp(join(tmpdir(), "ares-idp-test-"));
  idp = await startStandInIdp(options());
  const ca = await readFile(idp.caCertPath, "utf8");
  // arctic calls the global fetch, so trust the stand-in there (added to, not instead of, the public roots).
  previousDispatcher = getGlobalDispatcher();
  setGlobalDispatcher(new Agent({ connect: { ca: [...rootCertificates, ca] } }));
});

afterAll(async () => {
  await idp?.close();
  if (previousDispatcher) setGlobalDispatcher(previousDispatcher);
  if (certDir) await rm(certDir, { recursive: true, force: true });
});

/** A minimal browser: carries cookies between requests and never follows redirects on its own. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    }
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0$/i.test(a));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Follows redirects while they stay on the IdP; returns the last IdP response or the off-IdP location. */
  async follow(start: string | URL, init: RequestInit = {}): Promise<{ res: Response; leftTo?: URL }> {
    let res = await this.request(start, init);
    for (let hops = 0; hops < 10; hops += 1) {
      const location = res.headers.get("location");
      if (res.status < 300 || res.status >= 400 || !location) return { res };
      const next = new URL(location, res.url || start);
      if (next.origin !== new URL(idp.issuer).origin) return { res, leftTo: next };
      res = await this.request(next);
    }
    throw new Error("too many redirects");
  }
}

function formAction(html: string, suffix: string): string {
  const action = [...html.matchAll(/<form[^>]*action="([^"]+)"/g)]
    .map((m) => m[1] ?? "")
    .find((a) => a.endsWith(suffix));
  if (!action) throw new Error(`no form posting to *${suffix} in:\n${html}`);
  return new URL(action.replace(/&amp;/g, "&"), idp.issuer).href;
}

function postForm(browser: Browser, url: string, fields: Record<string, string>) {
  return browser.follow(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

interface StartedLogin {
  browser: Browser;
  client: Auth0;
  state: string;
  codeVerifier: string;
  loginPage: Response;
  html: string;
}

async function startLogin(browser = new Browser()): Promise<StartedLogin> {
  const client = new Auth0(idp.domain, CLIENT.clientId, CLIENT.clientSecret, REDIRECT_URI);
  const state = generateState();
  const codeVerifier = generateCodeVerifier();
  // The same call (and the same PKCE S256 challenge) remix-auth-auth0 makes.
  const url = client.createAuthorizationURL(state, codeVerifier, ["openid", "profile", "email"]);
  const { res } = await browser.follow(url);
  return { browser, client, state, codeVerifier, loginPage: res, html: await res.text() };
}

async function completeLogin(started: StartedLogin, email: string, password: string) {
  const { leftTo } = await postForm(started.browser, formAction(started.html, "/login"), { email, password });
  expect(leftTo?.origin + (leftTo?.pathname ?? "")).toBe(REDIRECT_URI);
  expect(leftTo?.searchParams.get("state")).toBe(started.state);
  const code = leftTo?.searchParams.get("code");
  if (!code) throw new Error(`no code in ${leftTo?.href}`);
  const tokens = await started.client.validateAuthorizationCode(code, started.codeVerifier);
  return { tokens, claims: decodeIdToken(tokens.idToken()) as Record<string, unknown> };
}

async function login(email: string, password = PASSWORD) {
  return completeLogin(await startLogin(), email, password);
}

describe("stand-in IdP: OpenID Connect", () => {
  it("serves discovery and JWKS under Auth0's paths", async () => {
    const discovery = (await (await fetch(`${idp.issuer}.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery).toMatchObject({
      issuer: idp.issuer,
      authorization_endpoint: `${idp.issuer}authorize`,
      token_endpoint: `${idp.issuer}oauth/token`,
      userinfo_endpoint: `${idp.issuer}userinfo`,
      jwks_uri: `${idp.issuer}.well-known/jwks.json`,
    });
    const jwks = (await (await fetch(`${idp.issuer}.well-known/jwks.json`)).json()) as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(1);
    expect(JSON.stringify(jwks)).not.toMatch(/"d"/); // public parts only
  });

  it("runs the authorization-code flow and puts profile and roles claims in the ID token", async () => {
    const started = await startLogin();
    expect(started.loginPage.status).toBe(200);
    expect(started.html).toContain('name="password"');
    // No JavaScript and nothing fetched from elsewhere (there is no internet).
    expect(started.html).not.toMatch(/<script|https?:\/\//i);

    const { tokens, claims } = await completeLogin(started, "ADMIN@example.test", PASSWORD);
    expect(claims).toMatchObject({
      iss: idp.issuer,
      aud: CLIENT.clientId,
      sub: ADMIN.sub,
      email: ADMIN.email,
      email_verified: true,
      name: ADMIN.name,
      [ROLES_CLAIM]: ["admin", "user"],
    });
    expect(tokens.tokenType()).toBe("Bearer");
    expect(tokens.accessTokenExpiresInSeconds()).toBeGreaterThan(0);

    const userinfo = await fetch(`${idp.issuer}userinfo`, {
      headers: { authorization: `Bearer ${tokens.accessToken()}` },
    });
    expect(await userinfo.json()).toMatchObject({ sub: ADMIN.sub, email: ADMIN.email });
  });

  it("reports email_verified false as false", async () => {
    const { claims } = await login(USER.email);
    expect(claims).toMatchObject({ sub: USER.sub, email_verified: false, [ROLES_CLAIM]: ["user"] });
  });

  it("shows the form again with a message on a wrong password, then accepts the right one", async () => {
    const started = await startLogin();
    const { res, leftTo } = await postForm(started.browser, formAction(started.html, "/login"), {
      email: ADMIN.email,
      password: "wrong",
    });
    expect(leftTo).toBeUndefined();
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Wrong email or password.");
    expect(html).toContain(`value="${ADMIN.email}"`);

    const { claims } = await completeLogin({ ...started, html }, ADMIN.email, PASSWORD);
    expect(claims.sub).toBe(ADMIN.sub);
  });

  it("answers a stale or forged interaction URL with a page, not a crash", async () => {
    const res = await fetch(`${idp.issuer}interaction/not-a-real-uid`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Sign-in expired");
  });

  it("returns access_denied to the app when the user cancels", async () => {
    const started = await startLogin();
    const { leftTo } = await postForm(started.browser, formAction(started.html, "/abort"), {});
    expect(leftTo?.searchParams.get("error")).toBe("access_denied");
    expect(leftTo?.searchParams.get("state")).toBe(started.state);
  });

  it("sends the app an invalid_scope error at once when openid is not requested", async () => {
    // remix-auth-auth0 sends no scope at all unless the app configures `scopes`.
    const client = new Auth0(idp.domain, CLIENT.clientId, CLIENT.clientSecret, REDIRECT_URI);
    const state = generateState();
    const { leftTo } = await new Browser().follow(client.createAuthorizationURL(state, generateCodeVerifier(), []));
    expect(leftTo?.searchParams.get("error")).toBe("invalid_scope");
    expect(leftTo?.searchParams.get("error_description")).toMatch(/openid/);
    expect(leftTo?.searchParams.get("state")).toBe(state);
  });

  it("rejects a reused code in a shape arctic understands", async () => {
    const started = await startLogin();
    const { leftTo } = await postForm(started.browser, formAction(started.html, "/login"), {
      email: ADMIN.email,
      password: PASSWORD,
    });
    const code = leftTo?.searchParams.get("code") ?? "";
    await started.client.validateAuthorizationCode(code, started.codeVerifier);
    const reuse = started.client.validateAuthorizationCode(code, started.codeVerifier);
    await expect(reuse).rejects.toBeInstanceOf(OAuth2RequestError);
    await expect(reuse).rejects.toMatchObject({ code: "invalid_grant" });
  });

  it("uses the current roles for later logins after setUserRoles", async () => {
    idp.setUserRoles(USER.sub, ["user", "beta"]);
    try {
      const { claims } = await login(USER.email);
      expect(claims[ROLES_CLAIM]).toEqual(["user", "beta"]);
    } finally {
      idp.setUserRoles(USER.sub, USER.roles);
    }
    expect(() => idp.setUserRoles("auth0|nobody", [])).toThrow(/unknown user/);
  });
});

describe("stand-in IdP: /v2/logout", () => {
  it("redirects to an allowed returnTo and ends the IdP session", async () => {
    const started = await startLogin();
    await completeLogin(started, ADMIN.email, PASSWORD);

    // Still signed in at the IdP: a second authorize goes straight back to the app.
    const again = await startLogin(started.browser);
    expect(again.loginPage.status).toBe(303);

    const returnTo = CLIENT.postLogoutRedirectUris[0] ?? "";
    const logoutUrl = `${idp.issuer}v2/logout?${new URLSearchParams({ client_id: CLIENT.clientId, returnTo })}`;
    const res = await started.browser.request(logoutUrl);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(returnTo);

    const afterLogout = await startLogin(started.browser);
    expect(afterLogout.loginPage.status).toBe(200);
    expect(afterLogout.html).toContain('name="password"');
  });

  it("allows any URL on a redirect URI's origin", async () => {
    const returnTo = "http://127.0.0.1:3999/";
    const res = await fetch(`${idp.issuer}v2/logout?${new URLSearchParams({ client_id: CLIENT.clientId, returnTo })}`, {
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(returnTo);
  });

  it("refuses a returnTo that is not allowed, or an unknown client", async () => {
    const evil = await fetch(
      `${idp.issuer}v2/logout?${new URLSearchParams({ client_id: CLIENT.clientId, returnTo: "https://evil.example/" })}`,
      { redirect: "manual" },
    );
    expect(evil.status).toBe(400);
    const unknown = await fetch(
      `${idp.issuer}v2/logout?${new URLSearchParams({ client_id: "nope", returnTo: "http://127.0.0.1:3999/" })}`,
      { redirect: "manual" },
    );
    expect(unknown.status).toBe(400);
  });
});

async function managementToken(target: StandInIdp, body: Record<string, string>, json = false): Promise<Response> {
  return fetch(`${target.issuer}oauth/token`, {
    method: "POST",
    headers: { "content-type": json ? "application/json" : "application/x-www-form-urlencoded" },
    body: json ? JSON.stringify(body) : new URLSearchParams(body).toString(),
  });
}

function mgmtBody(target: StandInIdp, secret = MGMT.clientSecret): Record<string, string> {
  return {
    grant_type: "client_credentials",
    client_id: MGMT.clientId,
    client_secret: secret,
    audience: `https://${target.domain}/api/v2/`,
  };
}

function roles(target: StandInIdp, sub: string, token?: string): Promise<Response> {
  return fetch(`${target.issuer}api/v2/users/${encodeURIComponent(sub)}/roles`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

describe("stand-in IdP: Management API stub", () => {
  it("issues tokens for JSON and form bodies and looks up roles", async () => {
    const before = { ...idp.stats };
    const jsonRes = await managementToken(idp, mgmtBody(idp), true);
    expect(jsonRes.status).toBe(200);
    const issued = (await jsonRes.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(issued).toMatchObject({ token_type: "Bearer", expires_in: 86_400 });
    expect((await managementToken(idp, mgmtBody(idp))).status).toBe(200);
    expect(idp.stats.managementTokensIssued).toBe(before.managementTokensIssued + 2);

    const res = await roles(idp, ADMIN.sub, issued.access_token);
    expect(res.status).toBe(200);
    const list = (await res.json()) as Array<{ id: string; name: string; description: string }>;
    expect(list.map((r) => r.name)).toEqual(["admin", "user"]);
    for (const role of list) expect(role.id).toMatch(/^rol_/);
    expect(idp.stats.roleLookups).toBe(before.roleLookups + 1);

    expect((await roles(idp, "auth0|nobody", issued.access_token)).status).toBe(404);
  });

  it("answers 401 for wrong credentials and for missing or unknown bearer tokens", async () => {
    const before = { ...idp.stats };
    const wrong = await managementToken(idp, mgmtBody(idp, "not-the-secret"), true);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: "access_denied" });

    const badAudience = await managementToken(idp, { ...mgmtBody(idp), audience: "https://elsewhere/api/v2/" });
    expect(badAudience.status).toBe(403);

    expect((await roles(idp, ADMIN.sub)).status).toBe(401);
    expect((await roles(idp, ADMIN.sub, "forged")).status).toBe(401);
    expect(idp.stats).toEqual(before);
  });

  it("leaves the authorization-code grant to the OIDC provider", async () => {
    const res = await fetch(`${idp.issuer}oauth/token`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString("base64")}`,
      },
      body: JSON.stringify({ grant_type: "authorization_code", code: "nope", redirect_uri: REDIRECT_URI }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_grant" });
  });
});

describe("stand-in IdP: lifecycle", () => {
  it("expires management tokens, delays responses and reuses the certificate", async () => {
    const other = await startStandInIdp(
      options({ mgmt: { ...MGMT, tokenTtlSeconds: 1 }, latencyMs: 150, users: [ADMIN] }),
    );
    try {
      expect(other.caCertPath).toBe(idp.caCertPath);
      const pem = await readFile(other.caCertPath, "utf8");
      expect(pem).toBe(await readFile(idp.caCertPath, "utf8"));
      expect(new X509Certificate(pem).subjectAltName).toMatch(/DNS:localhost.*IP Address:127\.0\.0\.1/);

      const startedAt = Date.now();
      const res = await managementToken(other, mgmtBody(other));
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
      const { access_token: token, expires_in: ttl } = (await res.json()) as {
        access_token: string;
        expires_in: number;
      };
      expect(ttl).toBe(1);
      expect((await roles(other, ADMIN.sub, token)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const expired = await roles(other, ADMIN.sub, token);
      expect(expired.status).toBe(401);
      expect(await expired.json()).toMatchObject({ message: "Expired token" });
    } finally {
      await other.close();
    }
  });

  it("hangs on demand, recovers, and closes even with requests in flight", async () => {
    const other = await startStandInIdp(options());
    const discovery = `${other.issuer}.well-known/openid-configuration`;
    other.setHang(true);
    await expect(fetch(discovery, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    other.setHang(false);
    expect((await fetch(discovery)).status).toBe(200);

    other.setHang(true);
    const inFlight = fetch(discovery).then(
      () => "answered",
      () => "failed",
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closedAt = Date.now();
    await other.close();
    expect(Date.now() - closedAt).toBeLessThan(2_000);
    expect(await inFlight).toBe("failed");
  });
});
