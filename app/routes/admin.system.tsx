import { ScrollBox } from "~/components/scroll-box";
import { StackedCell, StackedRow, StackedTable } from "~/components/stacked-table";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { formatDateTime } from "~/accounts/time-zone";
import { appliedMigrations } from "~/admin/system.server";
import { recordAudit } from "~/audit/audit.server";
import { requireAdmin } from "~/auth/guards.server";
import { healthReport } from "~/health/checks.server";
import { errorReportingStatus } from "~/observability/error-reporting.server";

export const meta: MetaFunction = () => [{ title: "System · Admin · ARES" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, context);
  const [report, migrations] = await Promise.all([healthReport(), appliedMigrations()]);
  await recordAudit(
    { actor: admin, ip: context.clientIp, userAgent: context.userAgent },
    { action: "system.view", outcome: "success" },
  );
  // Shown on the admin's clock; the ISO value stays in <time datetime>.
  const zone = admin.timeZone;
  return {
    report,
    checked: formatDateTime(new Date(report.checkedAt), zone),
    migrations: migrations.map((migration) => ({
      ...migration,
      applied: migration.appliedAt ? formatDateTime(new Date(migration.appliedAt), zone) : null,
    })),
    errorReporting: errorReportingStatus(),
  };
}

const STATUS_CLASS: Record<string, string> = { up: "ok", down: "danger", not_configured: "" };

function uptime(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  return [days ? `${days} d` : "", hours ? `${hours} h` : "", `${minutes} min`].filter(Boolean).join(" ");
}

export default function SystemStatus() {
  const { report, checked, migrations, errorReporting } = useLoaderData<typeof loader>();
  return (
    <section className="card">
      <h2>System</h2>
      <p>
        Overall: <span className={`badge ${report.status === "ok" ? "ok" : "danger"}`}>{report.status}</span> · ARES{" "}
        {report.version} · up {uptime(report.uptimeSeconds)} · checked{" "}
        <time dateTime={report.checkedAt}>{checked}</time>
      </p>
      <ScrollBox label="Health checks">
        <StackedTable headings={["Dependency", "Status", "Latency", "Detail"]}>
          {Object.entries(report.dependencies).map(([name, check]) => (
            <StackedRow key={name}>
              <StackedCell>{name}</StackedCell>
              <StackedCell label="Status">
                <span className={`badge ${STATUS_CLASS[check.status] ?? ""}`}>{check.status.replace("_", " ")}</span>
              </StackedCell>
              <StackedCell label="Latency">{check.latencyMs} ms</StackedCell>
              <StackedCell label="Detail">{check.error ?? ""}</StackedCell>
            </StackedRow>
          ))}
        </StackedTable>
      </ScrollBox>
      <h3>Error reporting</h3>
      <p>
        Server errors:{" "}
        <span className={`badge ${errorReporting.server ? "ok" : ""}`} data-testid="error-reporting-server">
          {errorReporting.server ? "reported" : "off"}
        </span>{" "}
        · Browser errors:{" "}
        <span className={`badge ${errorReporting.browser ? "ok" : ""}`} data-testid="error-reporting-browser">
          {errorReporting.browser ? "reported" : "off"}
        </span>
        {errorReporting.server || errorReporting.browser ? null : " (set SENTRY_DSN / SENTRY_BROWSER_DSN)"}
      </p>
      <h3>Migrations</h3>
      <ScrollBox label="Migrations">
        <StackedTable headings={["Migration", "Applied"]}>
          {migrations.map((migration) => (
            <StackedRow key={migration.name}>
              <StackedCell>{migration.name}</StackedCell>
              <StackedCell label="Applied">
                {migration.appliedAt ? <time dateTime={migration.appliedAt}>{migration.applied}</time> : "not finished"}
              </StackedCell>
            </StackedRow>
          ))}
        </StackedTable>
      </ScrollBox>
    </section>
  );
}
