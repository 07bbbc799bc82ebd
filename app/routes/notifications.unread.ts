import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";

/** The unread count for the bell's refresh with JS (read with the session: no query of its own). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  return Response.json({ unread: context.auth.unreadNotifications ?? 0 }, { headers: { "Cache-Control": "no-store" } });
}
