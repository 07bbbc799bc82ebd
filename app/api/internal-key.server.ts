import { config } from "~/config/env.server";
import { bearerTokenMatches } from "~/http/bearer.server";
import { logger } from "~/observability/logger.server";
import { problem } from "~/http/problem.server";

/**
 * Guards service-to-service endpoints: `Authorization: Bearer <INTERNAL_API_KEY>`, compared in
 * constant time. Throws a 401 problem+json otherwise. Every attempt is logged for the audit trail.
 */
export function requireInternalKey(request: Request, key: string | undefined = config().internalApiKey): void {
  const path = new URL(request.url).pathname;
  // No key configured (local mode) means no service may call in, rather than any service.
  const granted = Boolean(key) && bearerTokenMatches(request.headers.get("authorization"), key!);
  logger.info({ event: "internal_api_call", path, outcome: granted ? "success" : "failure" }, "internal API call");
  if (granted) return;
  throw problem(401, "unauthorized", "Unauthorized", {
    detail: "This endpoint needs Authorization: Bearer <INTERNAL_API_KEY>.",
    headers: { "WWW-Authenticate": 'Bearer realm="ares-internal"' },
  });
}
