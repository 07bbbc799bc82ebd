import { healthReport } from "~/health/checks.server";

// Every dependency with its latency; 503 only when something ARES cannot run without is down.
export async function loader() {
  const report = await healthReport();
  return Response.json(report, {
    status: report.status === "down" ? 503 : 200,
    headers: { "Cache-Control": "no-store" },
  });
}
