import { OAuth2RequestError } from "arctic";
import type { Auth0Config } from "~/config/env.server";

/** Why talking to Auth0 failed, in words the audit log keeps. */
type Auth0FailureReason = "timeout" | "idp_unreachable" | "idp_error" | "invalid_id_token" | "roles_unavailable";

export class Auth0Failure extends Error {
  constructor(
    readonly reason: Auth0FailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "Auth0Failure";
  }
}

/** fetch with the configured time limit: an IdP that hangs must not hang the sign-in with it. */
async function callAuth0(auth0: Auth0Config, path: string, init: RequestInit = {}): Promise<Response> {
  const url = `https://${auth0.domain}${path}`;
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(auth0.timeoutMs) });
  } catch (error) {
    if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
      throw new Auth0Failure("timeout", `Auth0 did not answer ${path} within ${auth0.timeoutMs} ms`, { cause: error });
    }
    throw new Auth0Failure("idp_unreachable", `Auth0 could not be reached for ${path}`, { cause: error });
  }
}

async function readJson(response: Response, path: string, timeoutMs: number): Promise<unknown> {
  try {
    return await response.json();
  } catch (error) {
    // The body is read under the same time limit as the request.
    if (error instanceof DOMException && error.name === "TimeoutError") {
      throw new Auth0Failure("timeout", `Auth0 did not finish answering ${path} within ${timeoutMs} ms`, {
        cause: error,
      });
    }
    throw new Auth0Failure("idp_error", `Auth0 answered ${path} with something that is not JSON`, { cause: error });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export class Auth0HttpError extends Auth0Failure {
  constructor(
    readonly status: number,
    path: string,
  ) {
    super("idp_error", `Auth0 answered ${path} with HTTP ${status}`);
    this.name = "Auth0HttpError";
  }
}

/** GET a Management API (or other JSON) resource; non-2xx answers throw with their status. */
export async function getAuth0Json(auth0: Auth0Config, path: string, accessToken: string): Promise<unknown> {
  const response = await callAuth0(auth0, path, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Auth0HttpError(response.status, path);
  }
  return readJson(response, path, auth0.timeoutMs);
}

type TokenClient = {
  clientId: string;
  clientSecret: string;
  /** "basic": HTTP Basic (what arctic sends for the app); "post": in the body (Auth0's M2M examples). */
  authMethod: "basic" | "post";
};

/**
 * POST /oauth/token, like arctic but with a time limit. OAuth errors (invalid_grant, access_denied…) are thrown
 * as arctic's OAuth2RequestError, so every caller classifies them the same way.
 */
export async function postToTokenEndpoint(
  auth0: Auth0Config,
  params: Record<string, string>,
  client: TokenClient,
): Promise<Record<string, unknown>> {
  const path = "/oauth/token";
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  const form = new URLSearchParams(params);
  if (client.authMethod === "basic") {
    // RFC 6749 §2.3.1: each half is form-encoded before the two are joined.
    const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
    headers.authorization = `Basic ${Buffer.from(`${encode(client.clientId)}:${encode(client.clientSecret)}`).toString("base64")}`;
  } else {
    form.set("client_id", client.clientId);
    form.set("client_secret", client.clientSecret);
  }
  const response = await callAuth0(auth0, path, { method: "POST", headers, body: form.toString() });
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    const body = await readJson(response, path, auth0.timeoutMs).catch(() => undefined);
    const code = isRecord(body) && typeof body.error === "string" ? body.error : `http_${response.status}`;
    const description = isRecord(body) && typeof body.error_description === "string" ? body.error_description : null;
    throw new OAuth2RequestError(code, description, null, null);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Auth0HttpError(response.status, path);
  }
  const body = await readJson(response, path, auth0.timeoutMs);
  if (!isRecord(body)) throw new Auth0Failure("idp_error", `Auth0 answered ${path} with an unexpected body`);
  return body;
}
