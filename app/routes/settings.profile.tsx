import { refusedFormReply, retryAfterHeaders } from "~/http/write-limit.server";
import { getFormProps, getInputProps, getSelectProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { formConstraint } from "~/validation/constraints";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { OneTimeNotice } from "~/components/one-time-notice";
import { redirectWithNotice, takeNotice } from "~/http/notice.server";
import { getProfile, updateProfile } from "~/accounts/profile.server";
import { profileSchema } from "~/accounts/schemas";
import { pickerZone, timeZones } from "~/accounts/time-zone-names.server";
import { requireUser } from "~/auth/guards.server";
import { Field, FormErrors, SubmitButton } from "~/components/forms";

export const meta: MetaFunction = () => [{ title: "Profile · Settings · ARES" }];

export { retryAfterHeaders as headers };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  // The list comes from the server so that the page and the check agree on which zones exist.
  const profile = await getProfile(user.id);
  const { notice, headers } = await takeNotice(request, user.id, { saved: "Your profile has been saved." });
  return data(
    { notice, profile: { ...profile, timeZone: pickerZone(profile.timeZone) }, timeZones: timeZones() },
    { headers },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const submission = parseWithZod(await request.formData(), { schema: profileSchema });
  // Refused before it got here (a NUL in it, or a rate limit): the page, with the form as sent and why.
  const refused = refusedFormReply(context, (options) => submission.reply(options));
  if (refused) return refused;
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  // The picker shows a zone stored under an older name (Asia/Calcutta) as its current one (Asia/Kolkata):
  // saving the form unchanged keeps the stored name, so it is not recorded as a move (the briefing's
  // timing reads moves) and does not replace the person's real previous zone.
  const { timeZone } = submission.value;
  const sameZone = timeZone !== user.timeZone && pickerZone(user.timeZone) === timeZone;
  await updateProfile(user.id, { ...submission.value, timeZone: sameZone ? user.timeZone : timeZone });
  return redirectWithNotice("/settings/profile", "saved", user.id);
}

export default function Profile() {
  const { notice, profile, timeZones: zones } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "profile",
    lastResult,
    defaultValue: { name: profile.name ?? "", timeZone: profile.timeZone },
    constraint: formConstraint(profileSchema),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: profileSchema }),
  });

  return (
    <section className="card">
      <h2>Profile</h2>
      <OneTimeNotice notice={notice} hidden={Boolean(lastResult)} />
      <p>
        Signed in as <strong>{profile.email}</strong>.
      </p>
      <Form method="post" {...getFormProps(form)}>
        <FormErrors errors={form.errors} id={form.errorId} />
        <Field label="Name" id={fields.name.id} errors={fields.name.errors}>
          <input {...getInputProps(fields.name, { type: "text" })} autoComplete="name" />
        </Field>
        <Field
          label="Time zone"
          id={fields.timeZone.id}
          errors={fields.timeZone.errors}
          hint="Times across ARES are shown in this zone."
        >
          <select {...getSelectProps(fields.timeZone)}>
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replaceAll("_", " ")}
              </option>
            ))}
          </select>
        </Field>
        <SubmitButton pending={navigation.state === "submitting"}>Save profile</SubmitButton>
      </Form>
    </section>
  );
}
