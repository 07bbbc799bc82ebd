import { refusedFormReply, retryAfterHeaders } from "~/http/write-limit.server";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import type { Submission, SubmissionResult } from "@conform-to/react";
import { isRouteErrorResponse, Link, useActionData, useLoaderData, useRouteError } from "@remix-run/react";
import { pickerZone, timeZones } from "~/accounts/time-zone-names.server";
import { requireUser } from "~/auth/guards.server";
import {
  askedOccurrence,
  EventNotFoundError,
  eventVersion,
  getEvent,
  overrideAt,
  seriesPageScope,
  updateEvent,
} from "~/calendar/events.server";
import { eventDefaults, type FormDefaults, newEventDefaults } from "~/calendar/form-values";
import { todayIn } from "~/calendar/time";
import { editTargetSchema, eventFormSchema, isAlteredTarget, type Scope, SCOPES } from "~/calendar/schemas";
import { EventForm } from "~/components/calendar/event-form";
import { revalidateStaleEventForm } from "~/components/calendar/revalidate-stale-form";
import { SavedNow } from "~/components/calendar/saved-now";
import { ScopeChoice } from "~/components/calendar/scope-choice";
import { ErrorPage } from "~/components/error-page";
import { sentValue } from "~/components/forms";
import {
  CHOOSE_SCOPE,
  FORM_ALTERED,
  orFormRefusal,
  orNotFound,
  orNotFoundNow,
  refuseReadOnly,
} from "~/http/calendar-errors.server";
import { redirectWithNotice } from "~/http/notice.server";
import { takeTypedForm, withTypedText } from "~/http/unsaved-form.server";
import calendarStylesheet from "~/styles/calendar.css?url";
import { withPlainNumbers } from "~/validation/number";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: calendarStylesheet }];

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: `Edit ${loaded?.title ?? "event"} · Calendar · ARES` },
];

// A post the write limit refused carries Retry-After on the document response, not just in the data.
export { retryAfterHeaders as headers };

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  // Read before the event: a save in between then looks like a change since (asked to save again), never
  // the other way round (a form showing the new values with the old version would refuse nothing).
  const version = await orNotFound(eventVersion(user.id, params.eventId ?? ""));
  const event = await orNotFound(getEvent(user.id, params.eventId ?? ""));
  refuseReadOnly(event.subscription);
  const asked =
    orNotFoundNow(() => askedOccurrence(event, new URL(request.url).searchParams.get("occurrence"))) ?? undefined;
  // An override is edited as itself, but the repeat fields show its series' rule ("all events" uses them).
  const rule = event.series ? event.series.rrule : event.rrule;
  const inSeries = Boolean(event.rrule || event.series);
  const occurrence = asked ?? event.recurrenceId ?? null;
  // A date of the series changed on its own before is shown as it is now, so that saving it again keeps
  // that change (the series' values for that date silently overwrote it).
  const override = overrideAt(event, asked ?? null);
  // A form filled with a date's own change saves only that date: "All events" or "This and following"
  // would take the change's differences from the series as edits, and carry them to every date.
  const seriesId = override ? event.id : (event.series?.id ?? null);
  const scope =
    (override ?? event.recurrenceId) && seriesId
      ? {
          formOccurrence: occurrence,
          scopes: ["this"] as const,
          changedFirst: null,
          seriesHref: `/calendar/events/${seriesId}/edit`,
        }
      : { ...seriesPageScope(event, occurrence), seriesHref: null };
  // What was typed into this form when the session had ended, back once signed in again.
  const typed = await takeTypedForm(request, user.id);
  const page = {
    id: event.id,
    title: (override ?? event).title,
    backHref: override ? `/calendar/events/${override.id}` : null,
    occurrence,
    inSeries,
    // Typed before signing in again: the version it was typed against, so that a change made meanwhile
    // is the usual 409 on saving rather than overwritten by the old text.
    version: typed.fields?.version || version,
    ...scope,
    defaults: withTypedText(
      pickedZone(
        override
          ? eventDefaults(override, user.timeZone, undefined, rule)
          : eventDefaults(event, user.timeZone, asked, rule),
      ),
      typed.fields,
    ),
    timeZones: timeZones(),
  };
  return data(page, { headers: typed.headers });
}

export const shouldRevalidate = revalidateStaleEventForm;

/** The form's zone as the picker names it (a zone stored as Asia/Calcutta shows as Asia/Kolkata); all-day has none. */
function pickedZone<T extends { timeZone: string | null }>(defaults: T): T {
  return defaults.timeZone === null ? defaults : { ...defaults, timeZone: pickerZone(defaults.timeZone) };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const eventId = params.eventId ?? "";
  const event = await getEvent(user.id, eventId).catch((error: unknown) => {
    if (error instanceof EventNotFoundError) return null;
    throw error;
  });
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: withPlainNumbers(eventFormSchema), disableAutoCoercion: true });
  if (!event) {
    // Refused before it got here too (a NUL, the write limit): its status and reason with the gone one, or
    // the new-event form got U+FFFD text without a word, and a rate-limited post a 404.
    throw (
      refusedFormReply(context, ({ formErrors }) => goneEdit(submission, user, formErrors)) ??
      eventGone(submission, user)
    );
  }
  refuseReadOnly(event.subscription);
  // Refused before it got here (a NUL in it, or the write limit): the form as sent, and why.
  const refused = refusedFormReply(context, (options) => submission.reply(options));
  if (refused) return refused;
  const scope = editTargetSchema.safeParse(Object.fromEntries(formData));
  if (!scope.success && isAlteredTarget(scope.error)) {
    // Not a change since (409): the page shows the event as it is now and its version beside what was
    // typed. The malformed values are not sent back (a 10,000-character version would ride in the page).
    const reply = submission.reply({ formErrors: [FORM_ALTERED.edit], hideFields: ["version", "occurrence"] });
    return data({ ...reply, altered: true as const }, { status: 400 });
  }
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  if (!scope.success) return data(submission.reply({ formErrors: [CHOOSE_SCOPE.edit] }), { status: 400 });
  const saved = await orFormRefusal(
    updateEvent(
      user.id,
      { eventId, occurrence: scope.data.occurrence || undefined },
      submission.value,
      scope.data.scope,
      scope.data.version,
    ).catch((error: unknown) => {
      // Deleted between the look-up and the save.
      if (error instanceof EventNotFoundError) throw eventGone(submission, user);
      throw error;
    }),
    "edit",
  );
  if (saved.refused) {
    const reply = submission.reply({ formErrors: [saved.refused.message] });
    // Changed since it was loaded: the page shows the event as it is now beside what was typed.
    return data(saved.refused.changedSince ? { ...reply, changedSince: true as const } : reply, {
      status: saved.refused.status,
    });
  }
  return redirectWithNotice(`/calendar/events/${saved.done}`, "saved", user.id);
}

export default function EditEvent() {
  const {
    id,
    title,
    backHref,
    occurrence,
    inSeries,
    formOccurrence,
    scopes,
    changedFirst,
    seriesHref,
    version,
    defaults,
    timeZones: zones,
  } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  // A 409, or a 400 for an altered form: the event as it is now is shown, with its version.
  const changedSince = lastResult && ("changedSince" in lastResult || "altered" in lastResult);
  // After those the loader's current version (saving again overwrites on purpose); after any other
  // refusal the version the form was loaded with, which the loader, run again without JS, has moved on from.
  const formVersion = changedSince ? version : (sentValue(lastResult, {}, "version") ?? version);
  return (
    <section className="calendar-page">
      <p>
        <Link
          to={backHref ?? `/calendar/events/${id}${occurrence ? `?occurrence=${encodeURIComponent(occurrence)}` : ""}`}
          className="standalone-link"
        >
          ← {title}
        </Link>
      </p>
      <h1>Edit event</h1>
      <EventForm
        id="edit-event"
        defaultValue={defaults}
        lastResult={lastResult}
        timeZones={zones}
        submitLabel="Save changes"
      >
        <input type="hidden" name="version" value={formVersion} />
        {changedSince ? <SavedNow defaults={defaults} /> : null}
        {formOccurrence ? <input type="hidden" name="occurrence" value={formOccurrence} /> : null}
        {inSeries ? (
          <ScopeChoice
            verb="Change"
            scopes={scopes}
            defaultScope={sentScope(lastResult) ?? (occurrence ? "this" : "all")}
            changedFirst={changedFirst && { href: `/calendar/events/${changedFirst.id}/edit`, day: changedFirst.day }}
            seriesHref={seriesHref}
          />
        ) : null}
      </EventForm>
    </section>
  );
}

const EVENT_GONE =
  "This event no longer exists: it was deleted (in another tab or on another device), or never existed. Nothing was saved. Your changes are below: create it as a new event.";

/** What saving an edit of a missing event answers with (404): the typed values, for a new event. */
type GoneEdit = { eventGone: true; result: SubmissionResult<string[]>; defaults: FormDefaults; timeZones: string[] };

/**
 * An edit saved after its event was deleted (or of someone else's event, which looks the same) keeps
 * what was typed: the 404 carries it into a new-event form, with the reason on the form.
 */
function eventGone(submission: Submission<unknown>, user: { timeZone: string }) {
  return data(goneEdit(submission, user, []), { status: 404 });
}

/** The new-event form for a missing event's edit, with `refusals`: why the post was refused besides. */
function goneEdit(submission: Submission<unknown>, user: { timeZone: string }, refusals: string[]): GoneEdit {
  const today = todayIn(user.timeZone).toString();
  return {
    eventGone: true,
    result: submission.reply({ formErrors: [EVENT_GONE, ...refusals] }),
    defaults: newEventDefaults(today, pickerZone(user.timeZone)),
    timeZones: timeZones(),
  };
}

const isGoneEdit = (value: unknown): value is GoneEdit =>
  typeof value === "object" && value !== null && (value as Partial<GoneEdit>).eventGone === true;

/** The page an edit of a missing event gets: the values as typed, in the new-event form. */
function EventGone({ gone }: { gone: GoneEdit }) {
  return (
    <section className="calendar-page">
      <p>
        <Link to="/calendar" className="standalone-link">
          ← Calendar
        </Link>
      </p>
      <h1>Event not found</h1>
      <EventForm
        id="new-event"
        action="/calendar/new"
        defaultValue={gone.defaults}
        lastResult={gone.result}
        timeZones={gone.timeZones}
        submitLabel="Create as new event"
      />
    </section>
  );
}

/**
 * The scope a refused submission chose: without JS the page is rendered anew and would otherwise fall back
 * to "This event", so that fixing the error and saving again would change other events than chosen.
 */
function sentScope(lastResult: Parameters<typeof sentValue>[0]): Scope | undefined {
  const sent = sentValue(lastResult, {}, "scope");
  return SCOPES.find((scope) => scope === sent);
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && isGoneEdit(error.data)) return <EventGone gone={error.data} />;
  return <ErrorPage />;
}
