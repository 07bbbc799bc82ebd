import { decodeIdToken, OAuth2RequestError, OAuth2Tokens } from "arctic";
import { Auth0Strategy } from "remix-auth-auth0";
import { z } from "zod";
import { recordAudit } from "~/audit/audit.server";
import { config, type Auth0Config } from "~/config/env.server";
import { signedCookie } from "~/http/signed-cookie.server";
import type { Role } from "~/generated/prisma/enums";
import { logger } from "~/observability/logger.server";
import { findOrCreateAuth0Account, type Auth0Identity } from "./auth0-accounts.server";
import { Auth0Failure, postToTokenEndpoint } from "./auth0-http.server";
import { auth0RoleDirectory } from "./auth0-management.server";
import { safeRedirectTo } from "./redirect-to";
import { roleFromNames } from "./roles.server";
import { startSession, type RequestOrigin } from "./sign-in.server";

const FLOW_PATH = "/auth/auth0";
const CALLBACK_PATH = `${FLOW_PATH}/callback`;
/** remix-auth-auth0 names its cookies `auth0:<uuid>`, one per attempt, and never clears them. */
const STATE_COOKIE = "auth0";
const FLOW_MAX_AGE_SECONDS = 10 * 60;
/** Without `openid` there is no ID token; the strategy sends no scope at all unless told. */
const SCOPES = ["openid", "profile", "email"];
/** Tolerated clock difference between Auth0 and this server when checking `exp`. */
const CLOCK_SKEW_SECONDS = 60;

const idTokenClaims = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  azp: z.string().optional(),
  sub: z.string().min(1).max(255),
  exp: z.number(),
  email: z.string().trim().max(254).optional(),
  email_verified: z.boolean().optional(),
  name: z.string().trim().max(100).optional(),
});
const roleClaim = z.union([z.array(z.string()), z.string().transform((role) => [role])]);
const flowValue = z.object({ redirectTo: z.string(), remember: z.boolean() });

function production(): boolean {
  return config().mode === "production";
}

/** What survives the trip to Auth0 and back: where to go afterwards and "remember me". Signed, short-lived. */
function flowCookie() {
  return signedCookie("__ares_auth0_flow", { path: FLOW_PATH, maxAgeSeconds: FLOW_MAX_AGE_SECONDS });
}

function callbackUrl(auth0: Auth0Config, request: Request): string {
  return auth0.callbackUrl ?? `${new URL(request.url).origin}${CALLBACK_PATH}`;
}

/** Checks the ID token's issuer, audience and expiry and narrows its claims. It came straight from Auth0 over TLS. */
function identityFrom(tokens: OAuth2Tokens, auth0: Auth0Config): Auth0Identity {
  let raw: object;
  try {
    raw = decodeIdToken(tokens.idToken());
  } catch (error) {
    throw new Auth0Failure("invalid_id_token", "Auth0 sent no readable ID token", { cause: error });
  }
  const parsed = idTokenClaims.safeParse(raw);
  if (!parsed.success) throw new Auth0Failure("invalid_id_token", `ID token claims: ${parsed.error.message}`);
  const claims = parsed.data;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== `https://${auth0.domain}/`) throw new Auth0Failure("invalid_id_token", "ID token issuer");
  if (!audiences.includes(auth0.clientId) || (audiences.length > 1 && claims.azp !== auth0.clientId)) {
    throw new Auth0Failure("invalid_id_token", "ID token audience");
  }
  if (claims.exp + CLOCK_SKEW_SECONDS < Date.now() / 1000) throw new Auth0Failure("invalid_id_token", "expired");
  let roleNames: string[] | undefined;
  if (auth0.rolesClaim && auth0.rolesClaim in raw) {
    const roles = roleClaim.safeParse((raw as Record<string, unknown>)[auth0.rolesClaim]);
    if (!roles.success) throw new Auth0Failure("invalid_id_token", "the roles claim is not a list of names");
    roleNames = roles.data;
  }
  return {
    sub: claims.sub,
    email: claims.email || undefined,
    emailVerified: claims.email_verified === true,
    name: claims.name || undefined,
    roleNames,
  };
}

/** remix-auth-auth0, with the code exchange done under the configured time limit (arctic's fetch has none). */
class Auth0SignIn extends Auth0Strategy<Auth0Identity> {
  constructor(
    private readonly auth0: Auth0Config,
    private readonly redirectUri: string,
  ) {
    super(
      {
        domain: auth0.domain,
        clientId: auth0.clientId,
        clientSecret: auth0.clientSecret,
        redirectURI: redirectUri,
        scopes: SCOPES,
        cookie: { name: STATE_COOKIE, path: FLOW_PATH, ...(production() ? { secure: true } : {}) },
      },
      ({ tokens }) => Promise.resolve(identityFrom(tokens, auth0)),
    );
  }

  protected override async validateAuthorizationCode(code: string, codeVerifier: string): Promise<OAuth2Tokens> {
    const body = await postToTokenEndpoint(
      this.auth0,
      { grant_type: "authorization_code", code, redirect_uri: this.redirectUri, code_verifier: codeVerifier },
      { clientId: this.auth0.clientId, clientSecret: this.auth0.clientSecret, authMethod: "basic" },
    );
    return new OAuth2Tokens(body);
  }
}

/** POST /auth/auth0: remembers where to go afterwards and sends the browser to Auth0. */
export async function startAuth0Login(request: Request): Promise<Response> {
  const auth0 = config().auth0;
  // With `state` in the URL the strategy would try to finish a flow here instead of starting one.
  if (!auth0 || new URL(request.url).searchParams.has("state")) return redirectWith("/login");
  const form = await request.formData().catch(() => new FormData());
  const flow = {
    redirectTo: safeRedirectTo(form.get("redirectTo") ?? new URL(request.url).searchParams.get("redirectTo")),
    remember: form.get("remember") === "on" || form.get("remember") === "true",
  };
  try {
    await new Auth0SignIn(auth0, callbackUrl(auth0, request)).authenticate(request);
  } catch (thrown) {
    // Without `state` in the URL the strategy starts the flow by throwing its redirect (with the state cookie).
    if (!(thrown instanceof Response)) throw thrown;
    const headers = new Headers(thrown.headers);
    headers.append("Set-Cookie", await flowCookie().serialize(flow));
    return new Response(null, { status: 302, headers });
  }
  throw new Error("the Auth0 strategy did not redirect to Auth0");
}

type Outcome =
  | { ok: true; user: { id: string; email: string }; generation: number }
  | { ok: false; reason: string; user?: { id: string; email: string }; sub?: string; error?: unknown };

/** Errors the flow can meet at the IdP or in the browser's cookies, named for the audit log. */
function failureReason(error: unknown): string | undefined {
  if (error instanceof OAuth2RequestError) return error.code.slice(0, 64);
  if (error instanceof Auth0Failure) return error.reason;
  // remix-auth-auth0: a missing state cookie (or code) is a ReferenceError, a state mismatch a RangeError.
  if (error instanceof RangeError) return "state_mismatch";
  if (error instanceof ReferenceError) return /code in the URL/.test(error.message) ? "code_missing" : "state_missing";
  return undefined;
}

async function roleFromIdp(auth0: Auth0Config, identity: Auth0Identity): Promise<Role | undefined> {
  const directory = auth0RoleDirectory(auth0);
  if (directory) return roleFromNames(await directory.rolesFor(identity.sub), auth0.adminRoles);
  // An absent claim says nothing (the Auth0 Action may not be set up); an empty list means "no roles".
  return identity.roleNames ? roleFromNames(identity.roleNames, auth0.adminRoles) : undefined;
}

async function completeLogin(auth0: Auth0Config, request: Request, origin: RequestOrigin): Promise<Outcome> {
  // Without `state` the strategy would quietly start a new flow instead of finishing this one.
  if (!new URL(request.url).searchParams.has("state")) return { ok: false, reason: "state_missing" };
  let identity: Auth0Identity;
  let idpRole: Role | undefined;
  try {
    identity = await new Auth0SignIn(auth0, callbackUrl(auth0, request)).authenticate(request);
    idpRole = await roleFromIdp(auth0, identity);
  } catch (error) {
    const reason = failureReason(error);
    if (!reason) throw error;
    return { ok: false, reason, error };
  }
  const account = await findOrCreateAuth0Account(identity, idpRole, origin);
  if (!account.ok) return { ok: false, reason: account.reason, user: account.user, sub: identity.sub };
  return { ok: true, user: account.user, generation: account.generation };
}

function stateCookieNames(request: Request): string[] {
  return (request.headers.get("cookie") ?? "")
    .split(";")
    .map((part) => part.slice(0, part.indexOf("=")).trim())
    .filter((name) => name.startsWith(`${STATE_COOKIE}:`));
}

/** Set-Cookie headers that delete this attempt's leftovers: every state cookie and the flow cookie. */
async function leftoverCookies(request: Request): Promise<string[]> {
  const attributes = `Path=${FLOW_PATH}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax`;
  const secure = production() ? "; Secure" : "";
  return [
    ...stateCookieNames(request).map((name) => `${name}=; ${attributes}${secure}`),
    await flowCookie().serialize("", { maxAge: 0, expires: new Date(0) }),
  ];
}

/**
 * Failures the login page explains in their own words; every other one is "did not work, try again".
 * An unverified email gets one answer whether or not an ARES account has it (no account enumeration).
 */
const LOGIN_PAGE_REASONS: Record<string, string> = {
  disabled: "disabled",
  email_unverified: "auth0_unverified",
  new_email_unverified: "auth0_unverified",
};

function redirectWith(location: string, setCookies: string[] = []): Response {
  const headers = new Headers({ Location: location });
  for (const cookie of setCookies) headers.append("Set-Cookie", cookie);
  return new Response(null, { status: 302, headers });
}

/** GET /auth/auth0/callback: finishes the sign-in and starts an ARES session, or explains on the login page. */
export async function finishAuth0Login(request: Request, origin: RequestOrigin): Promise<Response> {
  const auth0 = config().auth0;
  if (!auth0) return redirectWith("/login");
  const parsedFlow = flowValue.safeParse(await flowCookie().parse(request.headers.get("cookie")));
  const flow = parsedFlow.success ? parsedFlow.data : { redirectTo: "/", remember: false };
  const cleanup = await leftoverCookies(request);
  let outcome = await completeLogin(auth0, request, origin);
  if (outcome.ok) {
    // Written only under the generation read with the account: a revocation committed meanwhile (sign out
    // everywhere else, disabling) leaves no session, and the person is asked to try again.
    const setCookie = await startSession(outcome.user, "auth0", flow.remember, origin, outcome.generation);
    if (setCookie) return redirectWith(safeRedirectTo(flow.redirectTo), [...cleanup, setCookie]);
    outcome = { ok: false, reason: "signins_revoked", user: outcome.user };
  }

  logger.warn({ reason: outcome.reason, err: outcome.error, sub: outcome.sub }, "Auth0 sign-in failed");
  await recordAudit(
    { actor: outcome.user ?? null, ...origin },
    {
      action: "login",
      outcome: "failure",
      details: { method: "auth0", reason: outcome.reason, ...(outcome.sub ? { sub: outcome.sub } : {}) },
    },
  );
  const params = new URLSearchParams({ reason: LOGIN_PAGE_REASONS[outcome.reason] ?? "auth0_failed" });
  if (flow.redirectTo !== "/") params.set("redirectTo", flow.redirectTo);
  return redirectWith(`/login?${params}`, cleanup);
}

/** Where to send the browser after signing out of an Auth0 session, so Auth0 forgets it too; else undefined. */
export function auth0LogoutUrl(request: Request): string | undefined {
  const auth0 = config().auth0;
  if (!auth0) return undefined;
  const appOrigin = new URL(auth0.callbackUrl ?? request.url).origin;
  const params = new URLSearchParams({ client_id: auth0.clientId, returnTo: `${appOrigin}/login?reason=signed_out` });
  return `https://${auth0.domain}/v2/logout?${params}`;
}
