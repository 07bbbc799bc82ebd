import { readiness } from "~/health/checks.server";

// Readiness: whether this instance should receive traffic now (database and migrations; Redis is only reported).
export async function loader() {
  const result = await readiness();
  // Public: statuses only. Error texts name internal hosts and ports; the full report has them.
  const checks = Object.fromEntries(
    Object.entries(result.checks).map(([name, { status, latencyMs }]) => [name, { status, latencyMs }]),
  ) as typeof result.checks;
  return Response.json(
    { status: result.status, checks },
    {
      status: result.status === "ready" ? 200 : 503,
      headers: { "Cache-Control": "no-store" },
    },
  );
}
