import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { askedOccurrence, deleteEvent, getEvent, overrideAt, seriesPageScope } from "~/calendar/events.server";
import { scopeSchema } from "~/calendar/schemas";
import { ScopeChoice } from "~/components/calendar/scope-choice";
import { ErrorPage } from "~/components/error-page";
import { FormErrors, SubmitButton } from "~/components/forms";
import { CHOOSE_SCOPE, orFormRefusal, orNotFound, orNotFoundNow, refuseReadOnly } from "~/http/calendar-errors.server";
import { redirectWithNotice } from "~/http/notice.server";
import calendarStylesheet from "~/styles/calendar.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: calendarStylesheet }];

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: `Delete ${loaded?.title ?? "event"} · Calendar · ARES` },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
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
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const eventId = params.eventId ?? "";
  const event = await orNotFound(getEvent(user.id, eventId));
  refuseReadOnly(event.subscription);
  const scope = scopeSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!scope.success) return data({ error: CHOOSE_SCOPE.delete }, { status: 400 });
  const deleted = await orFormRefusal(
    deleteEvent(user.id, { eventId, occurrence: scope.data.occurrence || undefined }, scope.data.scope),
    "delete",
  );
  if (deleted.refused) return data({ error: deleted.refused.message }, { status: deleted.refused.status });
  const day = (scope.data.occurrence || event.recurrenceId || event.startLocal).slice(0, 10);
  return redirectWithNotice(`/calendar?view=week&date=${day}`, "deleted", user.id);
}

export default function DeleteEvent() {
  const { id, title, occurrence, inSeries, formOccurrence, scopes, changedFirst } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
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
        {formOccurrence ? <input type="hidden" name="occurrence" value={formOccurrence} /> : null}
        {inSeries ? (
          <ScopeChoice
            verb="Delete"
            scopes={scopes}
            defaultScope={occurrence ? "this" : "all"}
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
