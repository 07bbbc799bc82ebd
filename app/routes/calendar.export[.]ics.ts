import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { exportableEvents } from "~/calendar/events.server";
import { toICalendar } from "~/calendar/ical.server";

/** All my events as an .ics download. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const body = toICalendar(await exportableEvents(user.id), "ARES");
  return new Response(body, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": 'attachment; filename="ares-calendar.ics"',
      "Cache-Control": "private, no-store",
    },
  });
}
