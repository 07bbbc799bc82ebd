import { getFormProps, getInputProps, getSelectProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { SUBSCRIPTION_INTERVALS, subscriptionSchema } from "~/calendar/schemas";
import { shownAt } from "~/calendar/shown-at";
import { SubscriptionFetchError } from "~/calendar/subscription-fetch.server";
import { createSubscription, listSubscriptions } from "~/calendar/subscriptions.server";
import { When } from "~/components/calendar/when";
import { ErrorPage } from "~/components/error-page";
import { Field, FormErrors, SubmitButton } from "~/components/forms";
import { OneTimeNotice } from "~/components/one-time-notice";
import { redirectWithNotice, takeNotice } from "~/http/notice.server";
import calendarStylesheet from "~/styles/calendar.css?url";
import { countOf } from "~/text/plural";
import { formConstraint } from "~/validation/constraints";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: calendarStylesheet }];

export const meta: MetaFunction = () => [{ title: "Subscriptions · Calendar · ARES" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const subscriptions = await listSubscriptions(user.id);
  const { notice, headers } = await takeNotice(request, user.id, {
    unsubscribed: "Unsubscribed: its events have been removed from your calendar.",
  });
  return data(
    {
      notice,
      subscriptions: subscriptions.map((subscription) => ({
        id: subscription.id,
        name: subscription.name,
        every: SUBSCRIPTION_INTERVALS[String(subscription.refreshMinutes) as keyof typeof SUBSCRIPTION_INTERVALS],
        events: subscription.events,
        // On the viewer's clock, as the other calendar pages say times.
        lastSuccess: shownAt(subscription.lastSuccessAt, user.timeZone),
        lastError: subscription.lastError,
      })),
    },
    { headers },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const submission = parseWithZod(await request.formData(), { schema: subscriptionSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    const { id } = await createSubscription(user.id, submission.value);
    return redirectWithNotice(`/calendar/subscriptions/${id}`, "subscribed", user.id);
  } catch (error) {
    // An address refused, or a feed that could not be read: said at the address, nothing stored.
    if (error instanceof SubscriptionFetchError) {
      return data(submission.reply({ fieldErrors: { url: [error.message] } }), { status: 400 });
    }
    throw error;
  }
}

export default function Subscriptions() {
  const { notice, subscriptions } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "subscribe",
    lastResult,
    defaultValue: { refreshMinutes: "60" },
    constraint: formConstraint(subscriptionSchema),
    shouldValidate: "onBlur",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: subscriptionSchema }),
  });
  return (
    <section className="calendar-page">
      <p>
        <Link to="/calendar" className="standalone-link">
          ← Calendar
        </Link>
      </p>
      <h1>Subscribed calendars</h1>
      <OneTimeNotice notice={notice} />
      {subscriptions.length ? (
        <ul className="subscriptions">
          {subscriptions.map((subscription) => (
            <li key={subscription.id}>
              <Link to={`/calendar/subscriptions/${subscription.id}`}>{subscription.name}</Link>{" "}
              <span className="muted">
                {`${countOf(subscription.events, "event", "events")} · ${subscription.every.toLowerCase()}`}
              </span>
              {subscription.lastError ? (
                // Refreshes that keep failing are said here too, not only on the subscription's own page.
                <p className="form-error">
                  {`Last refresh failed: ${subscription.lastError} Last read successfully: `}
                  <When at={subscription.lastSuccess} />.
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No subscriptions yet.</p>
      )}
      <h2>Subscribe to a calendar</h2>
      <p className="muted">
        Paste the address of a calendar published as .ics (a holiday calendar, a team or school calendar). Its events
        show in your calendar, read-only, and are refreshed as often as you choose.
      </p>
      <Form method="post" {...getFormProps(form)}>
        <FormErrors errors={form.errors} id={form.errorId} />
        <Field label="Name" id={fields.name.id} errors={fields.name.errors}>
          <input {...getInputProps(fields.name, { type: "text" })} />
        </Field>
        <Field
          label="Address (URL)"
          id={fields.url.id}
          errors={fields.url.errors}
          hint="https://…, http://… or webcal://…"
        >
          <input {...getInputProps(fields.url, { type: "text" })} inputMode="url" autoComplete="off" />
        </Field>
        <Field label="Refresh" id={fields.refreshMinutes.id} errors={fields.refreshMinutes.errors}>
          <select {...getSelectProps(fields.refreshMinutes)}>
            {Object.entries(SUBSCRIPTION_INTERVALS).map(([minutes, label]) => (
              <option key={minutes} value={minutes}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <SubmitButton pending={navigation.state === "submitting"}>Subscribe</SubmitButton>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
