import type { ActionFunctionArgs } from "@remix-run/node";
import { requireInternalKey } from "~/api/internal-key.server";
import { problem } from "~/http/problem.server";
import { recordAudit } from "~/audit/audit.server";
import { purgeSessionsResponseSchema } from "~/sessions/api-schemas";
import { purgeEndedSessions } from "~/sessions/sessions.server";

// POST /api/v1/internal/sessions/purge — for an operator's scheduler: deletes sessions that ended a week ago.
/** What this address takes: every other method's 405 (and OPTIONS) lists only POST (route-template.server.ts). */
export const methods = ["POST"];

export function loader() {
  // Without its own Allow the answer got the page default, "GET, HEAD": the very methods refused here.
  throw problem(405, "method_not_allowed", "Use POST", { headers: { Allow: methods.join(", ") } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireInternalKey(request);
  if (request.method !== "POST") throw problem(405, "method_not_allowed", "Use POST");
  const purged = await purgeEndedSessions();
  await recordAudit(
    { actor: null, ip: context.clientIp, userAgent: context.userAgent },
    { action: "internal.sessions_purge", outcome: "success", details: { purged } },
  );
  return Response.json(purgeSessionsResponseSchema.parse({ purged }));
}
