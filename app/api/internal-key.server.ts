import { config } from "~/config/env.server";
import { bearerTokenMatches } from "~/http/bearer.server";
import { logger } from "~/observability/logger.server";
import { problem } from "~/http/problem.server";

/** The 401 for a missing or wrong INTERNAL_API_KEY: the same from the route and from the HTTP layer. */
export const INTERNAL_KEY_REFUSAL = {
  status: 401,
  code: "unauthorized",
  title: "Unauthorized",
  detail: "This endpoint needs Authorization: Bearer <INTERNAL_API_KEY>.",
  headers: { "WWW-Authenticate": 'Bearer realm="ares-internal"' },
} as const;

function granted(authorization: string | null | undefined, key: string | undefined): boolean {
  // No key configured (local mode) means no service may call in, rather than any service.
  return Boolean(key) && bearerTokenMatches(authorization, key!);
}

function logCall(path: string, outcome: "success" | "failure"): void {
  logger.info({ event: "internal_api_call", path, outcome }, "internal API call");
}

/**
 * Whether a call to `path` lacks the key, checked before its body is read (express.server.ts): a caller
 * without it learns nothing of what the endpoint reads (a 415 or 413 first told it). A refusal is
 * logged here; a granted call is logged once, by requireInternalKey in the route.
 */
export function lacksInternalKey(path: string, authorization: string | undefined): boolean {
  if (granted(authorization, config().internalApiKey)) return false;
  logCall(path, "failure");
  return true;
}

/**
 * Guards service-to-service endpoints: `Authorization: Bearer <INTERNAL_API_KEY>`, compared in
 * constant time. Throws a 401 problem+json otherwise. Every attempt is logged for the audit trail.
 */
export function requireInternalKey(request: Request, key: string | undefined = config().internalApiKey): void {
  const ok = granted(request.headers.get("authorization"), key);
  logCall(new URL(request.url).pathname, ok ? "success" : "failure");
  if (ok) return;
  const { status, code, title, detail, headers } = INTERNAL_KEY_REFUSAL;
  throw problem(status, code, title, { detail, headers });
}
