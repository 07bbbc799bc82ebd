import { readiness } from "~/health/checks.server";

// Readiness: whether this instance should receive traffic now (database and migrations; Redis is only reported).
export async function loader() {
  const result = await readiness();
  return Response.json(result, {
    status: result.status === "ready" ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
}
