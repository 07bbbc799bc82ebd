import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportAuditCsv } from "~/admin/audit-log.server";
import { requireAdmin } from "~/auth/guards.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, context);
  const params = new URL(request.url).searchParams;
  const result = await exportAuditCsv(admin, params, { ip: context.clientIp, userAgent: context.userAgent });
  if (!result.ok) {
    return new Response(`The filters are not valid: ${result.message}`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(":", "");
  return new Response(result.body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="ares-audit-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
