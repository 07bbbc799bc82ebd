import { refusedFormReply, retryAfterHeaders } from "~/http/write-limit.server";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { pickerZone, timeZones } from "~/accounts/time-zone-names.server";
import { requireUser } from "~/auth/guards.server";
import { createEvent } from "~/calendar/events.server";
import { newEventDefaults } from "~/calendar/form-values";
import { eventFormSchema } from "~/calendar/schemas";
import { isWallDate, todayIn } from "~/calendar/time";
import { EventForm } from "~/components/calendar/event-form";
import { ErrorPage } from "~/components/error-page";
import { redirectWithNotice } from "~/http/notice.server";
import { takeTypedForm, withTypedText } from "~/http/unsaved-form.server";
import calendarStylesheet from "~/styles/calendar.css?url";
import { withPlainNumbers } from "~/validation/number";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: calendarStylesheet }];

export const meta: MetaFunction = () => [{ title: "New event · Calendar · ARES" }];

// A post the write limit refused carries Retry-After on the document response, not just in the data.
export { retryAfterHeaders as headers };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const asked = new URL(request.url).searchParams.get("date") ?? "";
  const date = isWallDate(asked) ? asked : todayIn(user.timeZone).toString();
  // What was typed into this form when the session had ended, back once signed in again.
  const typed = await takeTypedForm(request, user.id);
  const defaults = withTypedText(newEventDefaults(date, pickerZone(user.timeZone)), typed.fields);
  return data({ defaults, timeZones: timeZones(), date }, { headers: typed.headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const submission = parseWithZod(await request.formData(), {
    schema: withPlainNumbers(eventFormSchema),
    disableAutoCoercion: true,
  });
  // Refused before it got here (a NUL in it, or the write limit): the page, with the form as sent and why.
  const refused = refusedFormReply(context, (options) => submission.reply(options));
  if (refused) return refused;
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const { id } = await createEvent(user.id, submission.value);
  return redirectWithNotice(`/calendar/events/${id}`, "saved", user.id);
}

export default function NewEvent() {
  const { defaults, timeZones: zones, date } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  return (
    <section className="calendar-page">
      <p>
        <Link to={`/calendar?date=${date}`} className="standalone-link">
          ← Calendar
        </Link>
      </p>
      <h1>New event</h1>
      <EventForm
        id="new-event"
        defaultValue={defaults}
        lastResult={lastResult}
        timeZones={zones}
        submitLabel="Create event"
      />
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
