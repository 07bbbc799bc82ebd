import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import {
  askedOccurrence,
  deleteEvent,
  eventVersion,
  getEvent,
  overrideAt,
  seriesPageScope,
} from "~/calendar/events.server";
import { eventDefaults } from "~/calendar/form-values";
import { editTargetSchema, isAlteredTarget, SCOPES } from "~/calendar/schemas";
import { revalidateStaleEventForm } from "~/components/calendar/revalidate-stale-form";
import { SavedNow } from "~/components/calendar/saved-now";
import { ScopeChoice } from "~/components/calendar/scope-choice";
import { ErrorPage } from "~/components/error-page";
import { FormErrors, SubmitButton } from "~/components/forms";
import {
  CHOOSE_SCOPE,
  FORM_ALTERED,
  orFormRefusal,
  orNotFound,
  orNotFoundNow,
  refuseReadOnly,
} from "~/http/calendar-errors.server";
import { redirectWithNotice } from "~/http/notice.server";
import calendarStylesheet from "~/styles/calendar.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: calendarStylesheet }];

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: `Delete ${loaded?.title ?? "event"} · Calendar · ARES` },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  // Read before the event, as the edit page does: a change in between makes the delete ask again, never
  // delete over a change the page does not show.
  const version = await orNotFound(eventVersion(user.id, params.eventId ?? ""));
  const event = await orNotFound(getEvent(user.id, params.eventId ?? ""));
  refuseReadOnly(event.subscription);
  const asked =
    orNotFoundNow(() => askedOccurrence(event, new URL(request.url).searchParams.get("occurrence"))) ?? undefined;
  // A date changed on its own is deleted from its own page, which names it as it is now.
  const override = overrideAt(event, asked ?? null);
  if (override) throw redirect(`/calendar/events/${override.id}/delete`);
  const occurrence = asked ?? event.recurrenceId ?? null;
  return {
    id: event.id,
    title: event.title,
    occurrence,
    inSeries: Boolean(event.rrule || event.series),
    ...seriesPageScope(event, occurrence),
    day: (occurrence ?? event.startLocal).slice(0, 10),
    version,
    // What a delete refused as changed since shows: the event as it is now.
    now: eventDefaults(event, user.timeZone, asked, event.series ? event.series.rrule : event.rrule),
  };
}

export const shouldRevalidate = revalidateStaleEventForm;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const eventId = params.eventId ?? "";
  const event = await orNotFound(getEvent(user.id, eventId));
  refuseReadOnly(event.subscription);
  const sent = Object.fromEntries(await request.formData());
  const scope = editTargetSchema.safeParse(sent);
  if (!scope.success && isAlteredTarget(scope.error)) {
    // Not a change since (409): the page shows the event as it is now, with its version; the choice made stays.
    const chosen = SCOPES.find((candidate) => candidate === sent.scope) ?? null;
    return data({ error: FORM_ALTERED.delete, scope: chosen, altered: true as const }, { status: 400 });
  }
  if (!scope.success) return data({ error: CHOOSE_SCOPE.delete }, { status: 400 });
  const deleted = await orFormRefusal(
    deleteEvent(
      user.id,
      { eventId, occurrence: scope.data.occurrence || undefined },
      scope.data.scope,
      scope.data.version,
    ),
    "delete",
  );
  if (deleted.refused) {
    const { message, status, changedSince } = deleted.refused;
    // The choice made stays; so does the version sent, but after a 409 (the page's current one is used).
    const sent = { scope: scope.data.scope ?? null, version: scope.data.version };
    return data(changedSince ? { error: message, ...sent, changedSince } : { error: message, ...sent }, { status });
  }
  const day = (scope.data.occurrence || event.recurrenceId || event.startLocal).slice(0, 10);
  return redirectWithNotice(`/calendar?view=week&date=${day}`, "deleted", user.id);
}

export default function DeleteEvent() {
  const { id, title, occurrence, inSeries, formOccurrence, scopes, changedFirst, version, now } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  // A 409, or a 400 for an altered form: the event as it is now is shown, with its version.
  const changedSince = Boolean(result && ("changedSince" in result || "altered" in result));
  // After those the loader's current version (deleting again deletes on purpose); after another refusal
  // the one the page was loaded with, which the loader, run again without JS, has moved on from.
  const formVersion = changedSince ? version : (result && "version" in result && result.version) || version;
  const sentScope = result && "scope" in result ? result.scope : null;
  return (
    <section className="calendar-page">
      <p>
        <Link
          to={`/calendar/events/${id}${occurrence ? `?occurrence=${encodeURIComponent(occurrence)}` : ""}`}
          className="standalone-link"
        >
          ← {title}
        </Link>
      </p>
      <h1>Delete “{title}”?</h1>
      <Form method="post">
        <FormErrors errors={result ? [result.error] : undefined} />
        <input type="hidden" name="version" value={formVersion} />
        {changedSince ? <SavedNow defaults={now} /> : null}
        {formOccurrence ? <input type="hidden" name="occurrence" value={formOccurrence} /> : null}
        {inSeries ? (
          <ScopeChoice
            verb="Delete"
            scopes={scopes}
            defaultScope={sentScope ?? (occurrence ? "this" : "all")}
            changedFirst={changedFirst && { href: `/calendar/events/${changedFirst.id}/delete`, day: changedFirst.day }}
          />
        ) : (
          <p>This cannot be undone.</p>
        )}
        <SubmitButton pending={navigation.state === "submitting"} className="danger">
          Delete
        </SubmitButton>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
