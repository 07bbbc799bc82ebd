import { getFormProps, getInputProps, getSelectProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { SUBSCRIPTION_INTERVALS, subscriptionSettingsSchema } from "~/calendar/schemas";
import { shownAt } from "~/calendar/shown-at";
import {
  SubscriptionNotFoundError,
  deleteSubscription,
  getSubscription,
  refreshMySubscription,
  updateSubscription,
} from "~/calendar/subscriptions.server";
import { When } from "~/components/calendar/when";
import { ErrorPage } from "~/components/error-page";
import { Field, FormErrors, SubmitButton } from "~/components/forms";
import { OneTimeNotice } from "~/components/one-time-notice";
import { redirectWithNotice, takeNotice } from "~/http/notice.server";
import calendarStylesheet from "~/styles/calendar.css?url";
import { countOf } from "~/text/plural";
import { formConstraint } from "~/validation/constraints";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: calendarStylesheet }];

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: `${loaded?.name ?? "Subscription"} · Calendar · ARES` },
];

/** Someone else's subscription, or none: the same 404. */
async function mine<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof SubscriptionNotFoundError) throw new Response("Not found", { status: 404 });
    throw error;
  }
}

/** What the page says once after a form led here (app/http/notice.server.ts). */
const NOTICES = {
  subscribed: "Subscribed. Its events are in your calendar, read-only, and refresh on their own.",
  refreshed: "Refreshed.",
  "refresh-too-soon": (seconds: number) =>
    `It was refreshed less than a minute ago: try again in ${countOf(seconds, "second", "seconds")}.`,
  saved: "The subscription has been saved.",
};

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const subscription = await mine(getSubscription(user.id, params.subscriptionId ?? ""));
  const { notice, headers } = await takeNotice(request, user.id, NOTICES);
  return data(
    {
      ...subscription,
      notice,
      refreshMinutes: String(subscription.refreshMinutes),
      // On the viewer's clock, as the other calendar pages say times.
      nextRefreshAt: shownAt(subscription.nextRefreshAt, user.timeZone),
      lastAttemptAt: shownAt(subscription.lastAttemptAt, user.timeZone),
      lastSuccessAt: shownAt(subscription.lastSuccessAt, user.timeZone),
    },
    { headers },
  );
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const id = params.subscriptionId ?? "";
  // Someone else's subscription is a 404 before anything they sent is read.
  await mine(getSubscription(user.id, id));
  const formData = await request.formData();
  const intent = formData.get("intent");
  if (intent === "refresh") {
    const outcome = await mine(refreshMySubscription(user.id, id));
    if ("retryAfterSeconds" in outcome) {
      return redirectWithNotice(`/calendar/subscriptions/${id}`, "refresh-too-soon", user.id, {
        count: outcome.retryAfterSeconds,
      });
    }
    // A failed read says why on the page itself (its alert), not in a notice.
    if (!outcome.ok) return redirect(`/calendar/subscriptions/${id}`);
    return redirectWithNotice(`/calendar/subscriptions/${id}`, "refreshed", user.id);
  }
  if (intent === "unsubscribe") {
    await mine(deleteSubscription(user.id, id));
    return redirectWithNotice("/calendar/subscriptions", "unsubscribed", user.id);
  }
  const submission = parseWithZod(formData, { schema: subscriptionSettingsSchema });
  if (intent !== "save") return data(submission.reply({ formErrors: ["Unknown action."] }), { status: 400 });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  await mine(updateSubscription(user.id, id, submission.value));
  return redirectWithNotice(`/calendar/subscriptions/${id}`, "saved", user.id);
}

export default function SubscriptionPage() {
  const subscription = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "subscription-settings",
    lastResult,
    defaultValue: { name: subscription.name, refreshMinutes: subscription.refreshMinutes },
    constraint: formConstraint(subscriptionSettingsSchema),
    shouldValidate: "onBlur",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: subscriptionSettingsSchema }),
  });
  const report = subscription.lastReport;
  return (
    <section className="calendar-page">
      <p>
        <Link to="/calendar/subscriptions" className="standalone-link">
          ← Subscriptions
        </Link>
      </p>
      <OneTimeNotice notice={subscription.notice} hidden={Boolean(lastResult)} />
      <h1>{subscription.name}</h1>
      <p>
        <code className="feed-url">{subscription.url}</code>
      </p>
      {subscription.lastError ? (
        <p className="form-error" role="alert">
          The last refresh (<When at={subscription.lastAttemptAt} />
          {`) failed: ${subscription.lastError} ${
            subscription.lastSuccessAt
              ? "The events from the last good refresh are kept."
              : "It has never been read successfully, so none of its events are in your calendar yet."
          }`}
        </p>
      ) : null}
      <dl className="event-details">
        <dt>Events</dt>
        <dd>{subscription.events}</dd>
        <dt>Last refreshed</dt>
        <dd>
          <When at={subscription.lastSuccessAt} />
        </dd>
        <dt>Next refresh</dt>
        <dd>
          <When at={subscription.nextRefreshAt} />
        </dd>
      </dl>
      {report ? (
        <div className="notice" role="status">
          <p>{`Last refresh: ${report.created} created, ${report.updated} updated, ${report.removed} removed, ${report.skipped.length} skipped.`}</p>
          {report.skipped.length ? (
            <ul>
              {report.skipped.map((item, index) => (
                <li key={index}>{`${item.title}: ${item.reason}`}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <Form method="post" className="inline-form">
        <button type="submit" name="intent" value="refresh">
          Refresh now
        </button>
      </Form>
      <h2>Settings</h2>
      <Form method="post" {...getFormProps(form)}>
        <input type="hidden" name="intent" value="save" />
        <FormErrors errors={form.errors} id={form.errorId} />
        <Field label="Name" id={fields.name.id} errors={fields.name.errors}>
          <input {...getInputProps(fields.name, { type: "text" })} />
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
        <SubmitButton pending={navigation.state === "submitting"}>Save</SubmitButton>
      </Form>
      <h2>Unsubscribe</h2>
      <Form method="post">
        <p className="muted">
          {subscription.events === 0
            ? "Removes this subscription (it has no events in your calendar)."
            : `Removes this subscription and its ${countOf(subscription.events, "event", "events")} from your calendar.`}
        </p>
        <button type="submit" name="intent" value="unsubscribe" className="secondary">
          Unsubscribe
        </button>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
