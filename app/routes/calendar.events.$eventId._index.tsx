import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDate, formatDateTime } from "~/accounts/time-zone";
import { requireUser } from "~/auth/guards.server";
import { askedOccurrence, getEvent, overrideAt } from "~/calendar/events.server";
import { spanOf } from "~/calendar/occurrences";
import { describeRule } from "~/calendar/recurrence";
import { isoWithOffset, parseWall } from "~/calendar/time";
import { describeWhen } from "~/calendar/view-model";
import { ErrorPage } from "~/components/error-page";
import { OneTimeNotice } from "~/components/one-time-notice";
import { orNotFound, orNotFoundNow } from "~/http/calendar-errors.server";
import { takeNotice } from "~/http/notice.server";
import calendarStylesheet from "~/styles/calendar.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: calendarStylesheet }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.title ?? "Event"} · Calendar · ARES` },
];

type Timing = Parameters<typeof spanOf>[0];

/**
 * A series' date (a RECURRENCE-ID or an EXDATE, written on the series' own clock) as the viewer reads it:
 * the instant for <time datetime> and the text on their clock, e.g. "15 Mar 2027, 09:30".
 */
function seriesDate(series: Timing, wall: string, zone: string): { at: string; text: string } {
  let start;
  try {
    start = spanOf(series, parseWall(wall), zone).start;
  } catch (error) {
    // An imported value that is not a date at all: shown as it was written.
    if (error instanceof RangeError) return { at: wall, text: wall.replace("T", " ") };
    throw error;
  }
  const instant = new Date(start.epochMilliseconds);
  return {
    at: series.allDay ? start.toPlainDate().toString() : isoWithOffset(start),
    text: series.allDay ? formatDate(instant, zone) : formatDateTime(instant, zone),
  };
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const event = await orNotFound(getEvent(user.id, params.eventId ?? ""));
  const zone = user.timeZone;
  const occurrence = orNotFoundNow(() => askedOccurrence(event, new URL(request.url).searchParams.get("occurrence")));
  // A date changed on its own has its own page (a calendar opened before the change still links here):
  // the series' values for that date are not what it is now.
  const override = overrideAt(event, occurrence);
  if (override) throw redirect(`/calendar/events/${override.id}`);
  const span = spanOf(event, parseWall(occurrence ?? event.startLocal), zone);
  const when = describeWhen({ ...span, allDay: event.allDay });
  const eventZone = event.allDay ? null : event.timeZone;
  const inEventZone =
    eventZone && eventZone !== zone
      ? describeWhen({ ...spanOf(event, parseWall(occurrence ?? event.startLocal), eventZone), allDay: false })
      : null;
  const occurrenceQuery = occurrence ? `?occurrence=${encodeURIComponent(occurrence)}` : "";
  const { notice, headers } = await takeNotice(request, user.id, { saved: "The event has been saved." });
  return data(
    {
      notice,
      id: event.id,
      title: event.title,
      description: event.description,
      location: event.location,
      allDay: event.allDay,
      start: isoWithOffset(span.start),
      date: span.start
        .toPlainDate()
        .toLocaleString("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric" }),
      day: span.start.toPlainDate().toString(),
      when,
      zone,
      eventZone,
      inEventZone,
      repeat: event.rrule ? describeRule(event.rrule) : null,
      isSeries: Boolean(event.rrule),
      series: event.series
        ? {
            id: event.series.id,
            title: event.series.title,
            originally: event.recurrenceId ? seriesDate(event.series, event.recurrenceId, zone) : null,
          }
        : null,
      cancelled: event.exdates.map((day) => seriesDate(event, day, zone)),
      overrides: event.overrides.map((override) => ({
        id: override.id,
        originally: override.recurrenceId ? seriesDate(event, override.recurrenceId, zone) : null,
        title: override.title,
        moved: seriesDate(override, override.startLocal, zone),
      })),
      reminders: event.reminders,
      source: event.source,
      subscription: event.subscription,
      // An event from a subscription is read-only: no edit or delete links at all.
      actions: event.subscription
        ? null
        : {
            editHref: `/calendar/events/${event.id}/edit${occurrenceQuery}`,
            deleteHref: `/calendar/events/${event.id}/delete${occurrenceQuery}`,
          },
    },
    { headers },
  );
}

// No form posts here; the owner is told so, anyone else learns nothing (404).
export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  await orNotFound(getEvent(user.id, params.eventId ?? ""));
  throw new Response("Method not allowed", { status: 405, headers: { Allow: "GET, HEAD" } });
}

export default function EventPage() {
  const event = useLoaderData<typeof loader>();
  return (
    <section className="calendar-page">
      <p>
        <Link to={`/calendar?view=week&date=${event.day}`} className="standalone-link">
          ← Calendar
        </Link>
      </p>
      <OneTimeNotice notice={event.notice} />
      <h1 dir="auto">{event.title}</h1>
      <dl className="event-details">
        <dt>When</dt>
        <dd>
          <time dateTime={event.start}>
            {event.date}, {event.when}
          </time>{" "}
          <span className="muted">({event.zone.replaceAll("_", " ")})</span>
          {event.inEventZone ? (
            <>
              <br />
              <span className="muted">
                {event.inEventZone} in {event.eventZone?.replaceAll("_", " ")}
              </span>
            </>
          ) : null}
        </dd>
        {event.repeat ? (
          <>
            <dt>Repeats</dt>
            <dd>{event.repeat}</dd>
          </>
        ) : null}
        {event.series ? (
          <>
            <dt>Series</dt>
            <dd>
              A changed occurrence of <Link to={`/calendar/events/${event.series.id}`}>{event.series.title}</Link>{" "}
              {event.series.originally ? (
                <>
                  (originally <time dateTime={event.series.originally.at}>{event.series.originally.text}</time>)
                </>
              ) : null}
              .
            </dd>
          </>
        ) : null}
        {event.location ? (
          <>
            <dt>Location</dt>
            <dd dir="auto">{event.location}</dd>
          </>
        ) : null}
        {event.description ? (
          <>
            <dt>Description</dt>
            <dd className="event-description" dir="auto">
              {event.description}
            </dd>
          </>
        ) : null}
        {event.reminders.length ? (
          <>
            <dt>Reminders</dt>
            <dd>{event.reminders.map((minutes) => `${minutes} min before`).join(", ")}</dd>
          </>
        ) : null}
      </dl>
      {event.isSeries && (event.cancelled.length || event.overrides.length) ? (
        <section aria-labelledby="exceptions">
          <h2 id="exceptions">Exceptions</h2>
          <ul>
            {event.cancelled.map((day) => (
              <li key={day.at}>
                Cancelled: <time dateTime={day.at}>{day.text}</time>
              </li>
            ))}
            {event.overrides.map((override) => (
              <li key={override.id}>
                Changed:{" "}
                {override.originally ? <time dateTime={override.originally.at}>{override.originally.text}</time> : null}{" "}
                →{" "}
                <Link to={`/calendar/events/${override.id}`}>
                  <time dateTime={override.moved.at}>{override.moved.text}</time> {override.title}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {!event.actions ? (
        <p className="muted">
          From subscription{" "}
          <Link to={`/calendar/subscriptions/${event.subscription?.id}`}>{event.subscription?.name}</Link>: read-only
          here, it changes when that calendar does.
        </p>
      ) : (
        <p className="actions">
          <Link to={event.actions.editHref} className="button">
            Edit
          </Link>
          <Link to={event.actions.deleteHref} className="button secondary">
            Delete
          </Link>
        </p>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
