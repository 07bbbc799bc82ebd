import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportMyData } from "~/accounts/export.server";
import { requireUser } from "~/auth/guards.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const exported = await exportMyData(user, { ip: context.clientIp, userAgent: context.userAgent });
  const day = new Date().toISOString().slice(0, 10);
  return new Response(JSON.stringify(exported, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="ares-data-${day}.json"`,
      "Cache-Control": "no-store",
    },
  });
}
