import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportableEvents } from "~/calendar/events.server";
import { feedOwner } from "~/calendar/feed.server";
import { toICalendar } from "~/calendar/ical.server";

/** The private subscription feed: reachable without a session; an unknown or revoked token is a 404. */
export async function loader({ params }: LoaderFunctionArgs) {
  const owner = await feedOwner(params.token ?? "");
  if (!owner) throw new Response("Not found", { status: 404 });
  const body = toICalendar(await exportableEvents(owner.id), "ARES");
  return new Response(body, {
    headers: { "Content-Type": "text/calendar; charset=utf-8", "Cache-Control": "private, max-age=300" },
  });
}
