/**
 * Stand-in for Auth0: a real OpenID Connect provider (oidc-provider) on https://127.0.0.1, with Auth0's route
 * names, a no-JavaScript login form, auto-granted consent, `/v2/logout`, and a stub of the Management API
 * (client-credentials token + `GET /api/v2/users/{id}/roles`), so development and tests never need a tenant.
 *
 * remix-auth-auth0 (through arctic) always builds `https://${domain}/authorize` and `/oauth/token`, hence HTTPS
 * with a self-signed certificate that the app process trusts through NODE_EXTRA_CA_CERTS.
 */
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { IncomingMessage, type ServerResponse } from "node:http";
import { createServer } from "node:https";
import { type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Provider from "oidc-provider";
import type { Configuration, ErrorOut, errors as OidcErrors, Grant, KoaContextWithOIDC } from "oidc-provider";
import { generate as generateCertificate } from "selfsigned";
import escapeHtml from "escape-html";

export interface StandInIdpClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** URLs `/v2/logout` (and `/oidc/logout`) may return to, besides any URL on a redirect URI's origin. */
  postLogoutRedirectUris?: string[];
}

export interface StandInIdpUser {
  /** Auth0-style subject, e.g. `auth0|123`. */
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  password: string;
  roles: string[];
}

export interface StandInIdpOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  clients: StandInIdpClient[];
  users: StandInIdpUser[];
  /** Namespaced claim that carries the user's roles in the ID token, e.g. `https://ares.local/roles`. */
  rolesClaim: string;
  /** Machine-to-machine client allowed to get Management API tokens. */
  mgmt?: { clientId: string; clientSecret: string; tokenTtlSeconds?: number };
  /** Where the certificate and key live; reused when both files exist. Default: a fresh temp dir. */
  certDir?: string;
  /** Delay before every response. */
  latencyMs?: number;
}

export interface StandInIdpStats {
  managementTokensIssued: number;
  /** Authorised calls to `GET /api/v2/users/{id}/roles` (including ones for unknown users). */
  roleLookups: number;
}

export interface StandInIdp {
  /** What AUTH0_DOMAIN should be: `127.0.0.1:PORT`. */
  domain: string;
  /** `https://127.0.0.1:PORT/` (with the trailing slash, as Auth0 issuers have). */
  issuer: string;
  /** PEM certificate to trust via NODE_EXTRA_CA_CERTS (it is self-signed, so it is its own CA). */
  caCertPath: string;
  /** Live counters, mutated in place. */
  stats: StandInIdpStats;
  /** Changes the roles for later logins (ID token claim) and for the Management API at once. */
  setUserRoles(sub: string, roles: string[]): void;
  /** While on, every new request is accepted and never answered; close() still ends them. */
  setHang(on: boolean): void;
  close(): Promise<void>;
}

type OidcHandler = ReturnType<Provider["callback"]>;
type InteractionDetails = Awaited<ReturnType<Provider["interactionDetails"]>>;

const CERT_FILE = "idp-cert.pem";
const KEY_FILE = "idp-key.pem";
const BODY_LIMIT = 64 * 1024;
const DEFAULT_MGMT_TTL_SECONDS = 86_400;
const MGMT_SCOPES = "read:users read:roles read:role_members";

// Warnings that only say "this is a development setup", which is exactly what a stand-in is.
const NOISE = [/Unsupported runtime/, /development-only in-memory adapter/];

async function withoutNoise<T>(work: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    const [first] = args;
    if (typeof first === "string" && NOISE.some((pattern) => pattern.test(first))) return;
    warn.apply(console, args);
  };
  try {
    return await work();
  } finally {
    console.warn = warn;
  }
}

interface CertificatePair {
  cert: string;
  key: string;
  certPath: string;
}

function isUsableCertificate(pem: string): boolean {
  try {
    const cert = new X509Certificate(pem);
    const now = Date.now();
    return (
      Date.parse(cert.validFrom) <= now &&
      Date.parse(cert.validTo) > now + 24 * 3_600_000 &&
      (cert.subjectAltName ?? "").includes("IP Address:127.0.0.1")
    );
  } catch {
    return false;
  }
}

/** Reuses cert+key from `dir` because a running app read NODE_EXTRA_CA_CERTS once, at its start. */
async function loadOrCreateCertificate(dir: string): Promise<CertificatePair> {
  const certPath = join(dir, CERT_FILE);
  const keyPath = join(dir, KEY_FILE);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const [cert, key] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")]);
    if (isUsableCertificate(cert)) return { cert, key, certPath };
  }
  const pems = generateCertificate([{ name: "commonName", value: "ARES stand-in IdP (127.0.0.1)" }], {
    days: 3650,
    keySize: 2048,
    algorithm: "sha256",
    extensions: [
      // Self-signed and trusted directly, so it is both the CA and the server certificate.
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  await mkdir(dir, { recursive: true });
  // Write-then-rename so a concurrently starting stand-in never reads half a file.
  const suffix = `.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(keyPath + suffix, pems.private, { mode: 0o600 });
  await writeFile(certPath + suffix, pems.cert);
  await rename(keyPath + suffix, keyPath);
  await rename(certPath + suffix, certPath);
  return { cert: pems.cert, key: pems.private, certPath };
}

// ---------------------------------------------------------------------------------------------------------------
// Small HTTP helpers

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(payload);
}

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:22rem;margin:3rem auto;padding:0 1rem;color:#222}
label{display:block;margin:.75rem 0 .25rem}input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem}.error{color:#b00020}.muted{color:#666;font-size:.85rem}
</style>
</head>
<body>
${body}
</body>
</html>`;
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
    "cache-control": "no-store",
    "content-security-policy": PAGE_CSP,
  });
  res.end(html);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > BODY_LIMIT) throw new Error("request body too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON or form body into string fields, as Auth0's token endpoint accepts both. */
function parseFields(req: IncomingMessage, body: Buffer): Map<string, string> | undefined {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  const fields = new Map<string, string>();
  if (type === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      return undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === "string") fields.set(key, value);
      else if (typeof value === "number" || typeof value === "boolean") fields.set(key, String(value));
    }
    return fields;
  }
  if (type === "application/x-www-form-urlencoded") {
    for (const [key, value] of new URLSearchParams(body.toString("utf8"))) fields.set(key, value);
    return fields;
  }
  return undefined;
}

/** A fresh request carrying an already-read body, so oidc-provider can parse it as if untouched. */
function replayRequest(req: IncomingMessage, body: Buffer, contentType?: string): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  copy.headers = {
    ...req.headers,
    ...(contentType === undefined ? {} : { "content-type": contentType }),
    "content-length": String(body.length),
  };
  // Without this, the auto-destroy after 'end' counts as an abort and destroys the shared socket.
  copy.complete = true;
  copy.push(body);
  copy.push(null);
  return copy;
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index <= 0) continue;
    const name = part.slice(0, index).trim();
    const value = part.slice(index + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      cookies.set(name, value);
    }
  }
  return cookies;
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const index = decoded.indexOf(":");
  if (index < 0) return undefined;
  try {
    // RFC 6749 §2.3.1: both halves are form-urlencoded before being joined.
    return {
      id: decodeURIComponent(decoded.slice(0, index).replace(/\+/g, " ")),
      secret: decodeURIComponent(decoded.slice(index + 1).replace(/\+/g, " ")),
    };
  } catch {
    return undefined;
  }
}

function roleId(name: string): string {
  return `rol_${createHash("sha256").update(name).digest("base64url").slice(0, 16)}`;
}

// ---------------------------------------------------------------------------------------------------------------

function validateOptions(options: StandInIdpOptions): void {
  if (options.clients.length === 0) throw new Error("stand-in IdP: at least one client is required");
  if (!options.rolesClaim) throw new Error("stand-in IdP: rolesClaim is required");
  const subs = new Set<string>();
  const emails = new Set<string>();
  for (const user of options.users) {
    const email = user.email.toLowerCase();
    if (subs.has(user.sub)) throw new Error(`stand-in IdP: duplicate user sub ${user.sub}`);
    if (emails.has(email)) throw new Error(`stand-in IdP: duplicate user email ${user.email}`);
    subs.add(user.sub);
    emails.add(email);
  }
}

export async function startStandInIdp(options: StandInIdpOptions): Promise<StandInIdp> {
  validateOptions(options);

  const ownsCertDir = options.certDir === undefined;
  const certDir = options.certDir ?? (await mkdtemp(join(tmpdir(), "ares-idp-")));
  const tls = await loadOrCreateCertificate(certDir);

  const users = new Map(options.users.map((user) => [user.sub, { ...user, roles: [...user.roles] }]));
  const clients = new Map(options.clients.map((client) => [client.clientId, client]));
  const stats: StandInIdpStats = { managementTokensIssued: 0, roleLookups: 0 };
  const mgmtTokens = new Map<string, number>(); // token -> expiry (ms since epoch)
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let hang = false;
  let closed = false;
  let provider: Provider | undefined;
  let handleOidc: OidcHandler | undefined; // provider.callback(), built once
  let domain = "";

  const findUserByEmail = (email: string) => {
    const wanted = email.trim().toLowerCase();
    for (const user of users.values()) if (user.email.toLowerCase() === wanted) return user;
    return undefined;
  };

  // ----- Management API stub -------------------------------------------------------------------------------

  const issueManagementToken = (res: ServerResponse, fields: Map<string, string>, authorization?: string): void => {
    const basic = basicCredentials(authorization);
    const id = basic?.id ?? fields.get("client_id");
    const secret = basic?.secret ?? fields.get("client_secret");
    const mgmt = options.mgmt;
    if (!mgmt || id !== mgmt.clientId || secret !== mgmt.clientSecret) {
      sendJson(res, 401, { error: "access_denied", error_description: "Unauthorized" });
      return;
    }
    const audience = fields.get("audience");
    const expected = `https://${domain}/api/v2/`;
    if (audience !== expected) {
      sendJson(res, 403, {
        error: "access_denied",
        error_description: `Service not enabled within domain: ${audience ?? "(no audience)"}`,
      });
      return;
    }
    const ttl = mgmt.tokenTtlSeconds ?? DEFAULT_MGMT_TTL_SECONDS;
    const token = `mgmt.${randomBytes(32).toString("base64url")}`;
    mgmtTokens.set(token, Date.now() + ttl * 1000);
    stats.managementTokensIssued += 1;
    sendJson(res, 200, { access_token: token, token_type: "Bearer", expires_in: ttl, scope: MGMT_SCOPES });
  };

  const managementApi = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    const expiresAt = match?.[1] ? mgmtTokens.get(match[1]) : undefined;
    if (expiresAt === undefined || expiresAt <= Date.now()) {
      const message = !match ? "Missing authentication" : expiresAt === undefined ? "Invalid token" : "Expired token";
      sendJson(res, 401, { statusCode: 401, error: "Unauthorized", message }, { "www-authenticate": "Bearer" });
      return;
    }
    const segments = url.pathname.split("/"); // ["", "api", "v2", "users", "<id>", "roles"]
    if (req.method !== "GET" || segments.length !== 6 || segments[3] !== "users" || segments[5] !== "roles") {
      sendJson(res, 404, { statusCode: 404, error: "Not Found", message: "Not Found" });
      return;
    }
    stats.roleLookups += 1;
    let sub: string;
    try {
      sub = decodeURIComponent(segments[4] ?? "");
    } catch {
      sendJson(res, 400, { statusCode: 400, error: "Bad Request", message: "Invalid user id" });
      return;
    }
    const user = users.get(sub);
    if (!user) {
      sendJson(res, 404, {
        statusCode: 404,
        error: "Not Found",
        message: "The user does not exist.",
        errorCode: "inexistent_user",
      });
      return;
    }
    const roles = user.roles.map((name) => ({ id: roleId(name), name, description: `${name} (stand-in role)` }));
    if (url.searchParams.get("include_totals") === "true") {
      sendJson(res, 200, { roles, start: 0, limit: roles.length, total: roles.length });
    } else {
      sendJson(res, 200, roles);
    }
  };

  // ----- Token endpoint: client credentials here, everything else to oidc-provider ---------------------------

  const tokenEndpoint = async (req: IncomingMessage, res: ServerResponse, oidc: OidcHandler): Promise<void> => {
    const body = await readBody(req);
    const fields = parseFields(req, body);
    if (fields?.get("grant_type") === "client_credentials") {
      issueManagementToken(res, fields, req.headers.authorization);
      return;
    }
    const isJson = (req.headers["content-type"] ?? "").toLowerCase().startsWith("application/json");
    // oidc-provider only reads forms; Auth0 also takes JSON, so translate.
    const replay =
      isJson && fields
        ? replayRequest(
            req,
            Buffer.from(new URLSearchParams([...fields]).toString()),
            "application/x-www-form-urlencoded",
          )
        : replayRequest(req, body);
    await oidc(replay, res);
  };

  // ----- /v2/logout ----------------------------------------------------------------------------------------

  const isAllowedReturnTo = (client: StandInIdpClient, returnTo: string): boolean => {
    if (client.postLogoutRedirectUris?.includes(returnTo)) return true;
    const target = URL.parse(returnTo);
    if (!target) return false;
    return client.redirectUris.some((uri) => URL.parse(uri)?.origin === target.origin);
  };

  const endSession = async (req: IncomingMessage, res: ServerResponse, oidc: Provider): Promise<void> => {
    const name = oidc.cookieName("session");
    const sessionId = parseCookies(req.headers.cookie).get(name);
    if (sessionId) {
      const session = await oidc.Session.find(sessionId);
      await session?.destroy();
    }
    const expired = "Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax";
    res.setHeader("set-cookie", [`${name}=; ${expired}`, `${name}.sig=; ${expired}`]);
  };

  const logout = async (req: IncomingMessage, res: ServerResponse, url: URL, oidc: Provider): Promise<void> => {
    const clientId = url.searchParams.get("client_id");
    const returnTo = url.searchParams.get("returnTo");
    if (returnTo !== null) {
      const client = clientId === null ? undefined : clients.get(clientId);
      if (!client || !isAllowedReturnTo(client, returnTo)) {
        const reason = !client
          ? "unknown or missing client_id"
          : "returnTo is not an allowed logout URL for this client";
        sendHtml(res, 400, page("Logout failed", `<h1>Logout failed</h1><p class="error">${escapeHtml(reason)}</p>`));
        return;
      }
      await endSession(req, res, oidc);
      res.writeHead(302, { location: returnTo, "cache-control": "no-store", "content-length": 0 });
      res.end();
      return;
    }
    await endSession(req, res, oidc);
    sendHtml(res, 200, page("Signed out", "<h1>Signed out</h1><p>You have been signed out.</p>"));
  };

  // ----- Interaction (login) pages ----------------------------------------------------------------------------

  const loginPage = (uid: string, email: string, error?: string): string =>
    page(
      "Sign in",
      `<h1>Sign in</h1>
<p class="muted">ARES stand-in identity provider</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/interaction/${encodeURIComponent(uid)}/login">
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="username" required autofocus value="${escapeHtml(email)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Continue</button>
</form>
<form method="post" action="/interaction/${encodeURIComponent(uid)}/abort">
<button type="submit">Cancel</button>
</form>`,
    );

  /** Grants whatever the request asks for: consent is never a separate step against this stand-in. */
  const autoConsent = async (
    req: IncomingMessage,
    res: ServerResponse,
    oidc: Provider,
    details: InteractionDetails,
  ): Promise<void> => {
    const accountId = details.session?.accountId;
    const clientId = details.params.client_id;
    if (!accountId || typeof clientId !== "string") throw new Error("consent prompt without a logged-in account");
    const existing = details.grantId ? await oidc.Grant.find(details.grantId) : undefined;
    const grant = existing ?? new oidc.Grant({ accountId, clientId });
    const promptDetails: Record<string, unknown> = details.prompt.details;
    const scopes = promptDetails.missingOIDCScope;
    const claims = promptDetails.missingOIDCClaims;
    const resourceScopes = promptDetails.missingResourceScopes;
    if (Array.isArray(scopes)) grant.addOIDCScope(scopes.filter((s): s is string => typeof s === "string"));
    if (Array.isArray(claims)) grant.addOIDCClaims(claims.filter((c): c is string => typeof c === "string"));
    if (typeof resourceScopes === "object" && resourceScopes !== null) {
      for (const [indicator, list] of Object.entries(resourceScopes)) {
        if (!Array.isArray(list)) continue;
        grant.addResourceScope(
          indicator,
          list.filter((s): s is string => typeof s === "string"),
        );
      }
    }
    const grantId = await grant.save();
    await oidc.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };

  const interaction = async (req: IncomingMessage, res: ServerResponse, url: URL, oidc: Provider): Promise<boolean> => {
    const match = /^\/interaction\/([^/]+)(?:\/(login|abort))?$/.exec(url.pathname);
    if (!match?.[1]) return false;
    const uid = match[1];
    const action = match[2];
    let details: InteractionDetails;
    try {
      details = await oidc.interactionDetails(req, res);
    } catch (error) {
      // An expired or missing interaction cookie is the user's problem; anything else is ours.
      if (!(error instanceof Error && error.name === "SessionNotFound")) throw error;
      sendHtml(res, 400, page("Sign-in expired", "<h1>Sign-in expired</h1><p>Start again from the application.</p>"));
      return true;
    }
    if (details.uid !== uid) {
      sendHtml(res, 400, page("Sign-in mismatch", "<h1>Sign-in mismatch</h1><p>Start again from the application.</p>"));
      return true;
    }

    if (action === undefined && req.method === "GET") {
      if (details.prompt.name === "login") {
        const hint = typeof details.params.login_hint === "string" ? details.params.login_hint : "";
        sendHtml(res, 200, loginPage(uid, hint));
      } else {
        await autoConsent(req, res, oidc, details);
      }
      return true;
    }

    if (action === "abort" && req.method === "POST") {
      await readBody(req);
      await oidc.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "End-User aborted interaction" },
        { mergeWithLastSubmission: false },
      );
      return true;
    }

    if (action === "login" && req.method === "POST") {
      const fields = parseFields(req, await readBody(req)) ?? new Map<string, string>();
      const email = fields.get("email") ?? fields.get("username") ?? "";
      const password = fields.get("password") ?? "";
      const user = findUserByEmail(email);
      if (!user || user.password !== password) {
        sendHtml(res, 200, loginPage(uid, email, "Wrong email or password."));
        return true;
      }
      await oidc.interactionFinished(
        req,
        res,
        { login: { accountId: user.sub, remember: true, amr: ["pwd"] } },
        { mergeWithLastSubmission: false },
      );
      return true;
    }

    sendHtml(res, 405, page("Not allowed", "<h1>Method not allowed</h1>"));
    return true;
  };

  // ----- Request routing ---------------------------------------------------------------------------------------

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const oidc = provider;
    if (!oidc || !handleOidc) {
      sendJson(res, 503, { error: "temporarily_unavailable" });
      return;
    }
    const url = new URL(req.url ?? "/", `https://${domain}`);
    if (url.pathname === "/v2/logout" && (req.method === "GET" || req.method === "HEAD")) {
      await logout(req, res, url, oidc);
    } else if (url.pathname === "/oauth/token" && req.method === "POST") {
      await tokenEndpoint(req, res, handleOidc);
    } else if (url.pathname.startsWith("/api/v2/")) {
      managementApi(req, res, url);
    } else if (!(await interaction(req, res, url, oidc))) {
      await handleOidc(req, res);
    }
  };

  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    if (hang || closed) return; // Accept and never answer; close() destroys the socket.
    const handle = () => {
      route(req, res).catch((error: unknown) => {
        console.error("stand-in IdP: request failed", error);
        if (!res.headersSent) sendJson(res, 500, { error: "server_error" });
        else res.destroy();
      });
    };
    const latency = options.latencyMs ?? 0;
    if (latency <= 0) {
      handle();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      handle();
    }, latency);
    timers.add(timer);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // Handshake failures (e.g. a client that does not trust the certificate) are the client's problem.
  server.on("tlsClientError", () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  domain = `127.0.0.1:${port}`;
  const issuer = `https://${domain}/`;

  try {
    provider = await withoutNoise(async () => {
      const { default: ProviderClass, errors } = await import("oidc-provider");
      return new ProviderClass(issuer, providerConfiguration(options, users, clients, errors));
    });
    handleOidc = provider.callback();
  } catch (error) {
    server.close();
    for (const socket of sockets) socket.destroy();
    if (ownsCertDir) await rm(certDir, { recursive: true, force: true });
    throw error;
  }
  provider.on("server_error", (_ctx: KoaContextWithOIDC, error: Error) => {
    console.error("stand-in IdP: oidc-provider server error", error);
  });

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Hung and keep-alive connections would otherwise keep server.close() waiting forever.
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
    });
    if (ownsCertDir) await rm(certDir, { recursive: true, force: true });
  };

  return {
    domain,
    issuer,
    caCertPath: tls.certPath,
    stats,
    setUserRoles(sub, roles) {
      const user = users.get(sub);
      if (!user) throw new Error(`stand-in IdP: unknown user ${sub}`);
      user.roles = [...roles];
    },
    setHang(on) {
      hang = on;
    },
    close,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// oidc-provider configuration

function providerConfiguration(
  options: StandInIdpOptions,
  users: Map<string, StandInIdpUser>,
  clients: Map<string, StandInIdpClient>,
  errors: typeof OidcErrors,
): Configuration {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = privateKey.export({ format: "jwk" });

  return {
    clients: [...clients.values()].map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: client.redirectUris,
      post_logout_redirect_uris: client.postLogoutRedirectUris ?? [],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      // arctic sends client credentials with HTTP Basic.
      token_endpoint_auth_method: "client_secret_basic",
    })),
    jwks: {
      keys: [
        {
          kty: jwk.kty,
          n: jwk.n,
          e: jwk.e,
          d: jwk.d,
          p: jwk.p,
          q: jwk.q,
          dp: jwk.dp,
          dq: jwk.dq,
          qi: jwk.qi,
          kid: randomBytes(8).toString("hex"),
          alg: "RS256",
          use: "sig",
        },
      ],
    },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    routes: {
      authorization: "/authorize",
      token: "/oauth/token",
      userinfo: "/userinfo",
      jwks: "/.well-known/jwks.json",
      revocation: "/oauth/revoke",
      end_session: "/oidc/logout",
    },
    // Roles ride on `openid`, like the custom claim an Auth0 post-login Action adds regardless of scope.
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      openid: ["sub", options.rolesClaim],
      email: ["email", "email_verified"],
      profile: ["name", "nickname"],
    },
    // Auth0 puts the profile claims in the ID token itself, not only behind /userinfo.
    conformIdTokenClaims: false,
    findAccount(_ctx, sub) {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: user.sub,
        claims: () => ({
          sub: user.sub,
          email: user.email,
          email_verified: user.emailVerified,
          name: user.name,
          nickname: user.email.split("@")[0],
          [options.rolesClaim]: [...user.roles],
        }),
      };
    },
    extraParams: {
      // No `openid`, no ID token, and the app reads every claim from it: fail visibly at the start instead.
      scope(_ctx, value) {
        if (!value?.split(" ").includes("openid")) {
          throw new errors.InvalidScope(
            "the stand-in IdP needs scope to include openid (claims ride on the ID token)",
            "openid",
          );
        }
      },
    },
    loadExistingGrant: autoGrant,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.type = "html";
          ctx.body = page(
            "Sign out",
            `<h1>Sign out?</h1>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`,
          );
        },
        postLogoutSuccessSource(ctx) {
          ctx.type = "html";
          ctx.body = page("Signed out", "<h1>Signed out</h1><p>You have been signed out.</p>");
        },
      },
    },
    renderError(ctx, out: ErrorOut, error) {
      if (!(error instanceof Error) || !("expose" in error) || error.expose !== true) {
        console.error("stand-in IdP: error page for", error);
      }
      ctx.type = "html";
      ctx.body = page(
        "Error",
        `<h1>Something went wrong</h1><p class="error"><strong>${escapeHtml(out.error)}</strong></p>` +
          (out.error_description ? `<p>${escapeHtml(out.error_description)}</p>` : ""),
      );
    },
    // The app calls the IdP server-side; no browser CORS needed.
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: 86_400,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      IdToken: 36_000,
      Interaction: 3_600,
      Session: 86_400,
      Grant: 86_400,
      RefreshToken: 30 * 86_400,
    },
  };
}

/** Loads (or creates) the grant and adds whatever this request asks for, so no consent prompt ever shows. */
async function autoGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const accountId = oidc.account?.accountId;
  const clientId = oidc.client?.clientId;
  if (!accountId || !clientId) return undefined;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientId);
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  const grant =
    existing && existing.accountId === accountId && existing.clientId === clientId
      ? existing
      : new oidc.provider.Grant({ accountId, clientId });
  if (oidc.requestParamOIDCScopes.size > 0) grant.addOIDCScope(oidc.requestParamOIDCScopes);
  if (oidc.requestParamClaims.size > 0) grant.addOIDCClaims(oidc.requestParamClaims);
  for (const [indicator, resourceServer] of Object.entries(oidc.resourceServers ?? {})) {
    if (resourceServer.scope) grant.addResourceScope(indicator, resourceServer.scope);
  }
  await grant.save();
  return grant;
}
