import type { LoaderFunctionArgs } from "@remix-run/node";
import { config } from "~/config/env.server";
import { healthReport } from "~/health/checks.server";
import { bearerTokenMatches } from "~/http/bearer.server";
import { problem } from "~/http/problem.server";
import { NOT_ALLOWED_TITLE } from "~/http/refusal-text";

/** The full report names internal hosts and ports: for admins and operators' tools only. */
function mayReadReport(request: Request, isAdmin: boolean): boolean {
  if (isAdmin) return true;
  const { internalApiKey, metricsToken } = config();
  const authorization = request.headers.get("authorization");
  return [internalApiKey, metricsToken].some((token) => token && bearerTokenMatches(authorization, token));
}

// Every dependency with its latency; 503 only when something ARES cannot run without is down.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = context.auth.user;
  if (!mayReadReport(request, user?.role === "admin")) {
    throw problem(user ? 403 : 401, user ? "forbidden" : "unauthorized", user ? NOT_ALLOWED_TITLE : "Unauthorized", {
      detail: "The health report is for admins, or Authorization: Bearer <INTERNAL_API_KEY or METRICS_TOKEN>.",
      headers: user ? {} : { "WWW-Authenticate": 'Bearer realm="ares-health"' },
    });
  }
  const report = await healthReport();
  return Response.json(report, {
    status: report.status === "down" ? 503 : 200,
    headers: { "Cache-Control": "no-store" },
  });
}
