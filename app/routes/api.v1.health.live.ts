// Liveness: the process is up and serving. Touches no dependency, so a database outage never gets
// a healthy process restarted by its orchestrator.
export function loader() {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
