import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { OneTimeNotice } from "~/components/one-time-notice";
import { redirectWithNotice, takeNotice } from "~/http/notice.server";
import { requireUser } from "~/auth/guards.server";
import { FormErrors, SubmitButton } from "~/components/forms";
import { config } from "~/config/env.server";
import { notificationPreferences, saveNotificationPreferences } from "~/notifications/notifications.server";
import { notificationSettingsSchema } from "~/notifications/schemas";

export const meta: MetaFunction = () => [{ title: "Notifications · Settings · ARES" }];

const DEFAULT_BRIEFING_TIME = "07:30";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const { notice, headers } = await takeNotice(request, user.id, {
    saved: "Your notification settings have been saved.",
  });
  const page = {
    notice,
    preferences: await notificationPreferences(user.id),
    timeZone: user.timeZone,
    telegram: Boolean(config().telegram),
  };
  return data(page, { headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await request.formData();
  const submission = parseWithZod(form, { schema: notificationSettingsSchema });
  if (submission.status !== "success") {
    return data(
      {
        errors: Object.values(submission.error ?? {})
          .flat()
          .filter(Boolean) as string[],
        form: formValues(form),
      },
      { status: 400 },
    );
  }
  const { briefing, briefingTime, remindersOnTelegram, briefingOnTelegram } = submission.value;
  if (briefing === "on" && !briefingTime) {
    return data({ errors: ["Pick a time for the morning briefing."], form: formValues(form) }, { status: 400 });
  }
  await saveNotificationPreferences(user.id, {
    briefingTime: briefing === "on" ? briefingTime! : null,
    remindersOnTelegram: Boolean(remindersOnTelegram),
    briefingOnTelegram: Boolean(briefingOnTelegram),
  });
  return redirectWithNotice("/settings/notifications", "saved", user.id);
}

/** What was sent, to show again after a refusal: nothing the person typed is lost. */
function formValues(form: FormData) {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value.slice(0, 20) : "";
  };
  return {
    briefing: text("briefing") === "on",
    briefingTime: text("briefingTime"),
    remindersOnTelegram: text("remindersOnTelegram") === "on",
    briefingOnTelegram: text("briefingOnTelegram") === "on",
  };
}

export default function NotificationSettings() {
  const { notice, preferences, timeZone, telegram } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const shown = refused?.form ?? {
    briefing: preferences.briefingTime !== null,
    briefingTime: preferences.briefingTime ?? DEFAULT_BRIEFING_TIME,
    remindersOnTelegram: preferences.remindersOnTelegram,
    briefingOnTelegram: preferences.briefingOnTelegram,
  };
  return (
    <section className="card">
      <h2>Notifications</h2>
      <OneTimeNotice notice={notice} hidden={Boolean(refused)} />
      <p>
        Event reminders always appear under <Link to="/notifications">Notifications</Link> (the bell). Set them per
        event in the calendar.
      </p>
      <Form method="post">
        <FormErrors errors={refused?.errors} id="notification-settings-errors" />
        <fieldset>
          <legend>Morning briefing</legend>
          <p className="muted">Today&apos;s events and a short summary of your day, at a time you pick ({timeZone}).</p>
          <label className="checkbox">
            <input type="checkbox" name="briefing" value="on" defaultChecked={shown.briefing} /> Send me a morning
            briefing
          </label>
          <label htmlFor="briefingTime">Time</label>
          <input id="briefingTime" name="briefingTime" type="time" defaultValue={shown.briefingTime} />
        </fieldset>
        <fieldset>
          <legend>Telegram</legend>
          {telegram ? (
            <p className="muted">
              Also sent to your linked chats (<Link to="/settings/telegram">Telegram settings</Link>).
            </p>
          ) : (
            <p className="muted">Telegram is not set up on this server; these apply once it is.</p>
          )}
          <label className="checkbox">
            <input type="checkbox" name="remindersOnTelegram" value="on" defaultChecked={shown.remindersOnTelegram} />{" "}
            Reminders on Telegram
          </label>
          <label className="checkbox">
            <input type="checkbox" name="briefingOnTelegram" value="on" defaultChecked={shown.briefingOnTelegram} />{" "}
            Morning briefing on Telegram
          </label>
        </fieldset>
        <SubmitButton pending={busy}>Save</SubmitButton>
      </Form>
    </section>
  );
}
