import { refusedFormReply, retryAfterHeaders } from "~/http/write-limit.server";
import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { formConstraint } from "~/validation/constraints";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { OneTimeNotice } from "~/components/one-time-notice";
import { redirectWithNotice, takeNotice } from "~/http/notice.server";
import { passwordChangeSchema } from "~/accounts/schemas";
import { changeMyPassword } from "~/accounts/security.server";
import { hasPassword } from "~/auth/accounts.server";
import { requireUser } from "~/auth/guards.server";
import { isWeakPassword, WEAK_PASSWORD_MESSAGE } from "~/auth/password-strength.server";
import { MIN_PASSWORD } from "~/auth/schemas";
import { Field, FormErrors, SubmitButton } from "~/components/forms";
import { countOf } from "~/text/plural";

export const meta: MetaFunction = () => [{ title: "Password · Settings · ARES" }];

export { retryAfterHeaders as headers };

const HIDDEN = ["currentPassword", "newPassword"];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const { notice, headers } = await takeNotice(request, user.id, {
    saved: (signedOut) =>
      "Your password has been changed." +
      (signedOut > 0 ? ` ${countOf(signedOut, "other session was", "other sessions were")} signed out.` : ""),
  });
  return data({ notice, hasPassword: await hasPassword(user.id) }, { headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const session = context.auth.session!;
  const submission = parseWithZod(await request.formData(), { schema: passwordChangeSchema });
  // Refused before it got here (a NUL in it, or a rate limit): the page and why, the passwords never sent back.
  const refused = refusedFormReply(context, (options) => submission.reply({ ...options, hideFields: HIDDEN }));
  if (refused) return refused;
  if (submission.status !== "success") return data(submission.reply({ hideFields: HIDDEN }), { status: 400 });
  const { currentPassword, newPassword } = submission.value;
  if (!currentPassword && (await hasPassword(user.id))) {
    return data(
      submission.reply({ fieldErrors: { currentPassword: ["Enter your current password."] }, hideFields: HIDDEN }),
      { status: 400 },
    );
  }
  if (isWeakPassword(newPassword, [user.email, user.name])) {
    return data(submission.reply({ fieldErrors: { newPassword: [WEAK_PASSWORD_MESSAGE] }, hideFields: HIDDEN }), {
      status: 400,
    });
  }
  const result = await changeMyPassword(
    user,
    session.id,
    { currentPassword, newPassword },
    { ip: context.clientIp, userAgent: context.userAgent },
  );
  if (!result.ok) {
    return data(
      submission.reply({
        fieldErrors: { currentPassword: ["That is not your current password."] },
        hideFields: HIDDEN,
      }),
      { status: 400 },
    );
  }
  return redirectWithNotice("/settings/password", "saved", user.id, {
    count: result.signedOut,
    headers: result.setCookies.map((cookie): [string, string] => ["Set-Cookie", cookie]),
  });
}

export default function Password() {
  const { notice, hasPassword } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "password",
    lastResult,
    constraint: formConstraint(passwordChangeSchema),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: passwordChangeSchema }),
  });

  return (
    <section className="card">
      <h2>{hasPassword ? "Change your password" : "Set a password"}</h2>
      <OneTimeNotice notice={notice} hidden={Boolean(lastResult)} />
      {hasPassword ? null : (
        <p>Your account signs in without a password. Set one to sign in with your email address as well.</p>
      )}
      <Form method="post" {...getFormProps(form)}>
        <FormErrors errors={form.errors} id={form.errorId} />
        {hasPassword ? (
          <Field label="Current password" id={fields.currentPassword.id} errors={fields.currentPassword.errors}>
            <input
              {...getInputProps(fields.currentPassword, { type: "password" })}
              required
              autoComplete="current-password"
            />
          </Field>
        ) : null}
        <Field
          label="New password"
          id={fields.newPassword.id}
          errors={fields.newPassword.errors}
          hint={`At least ${MIN_PASSWORD} characters, not easy to guess. Your other sessions will be signed out.`}
        >
          <input {...getInputProps(fields.newPassword, { type: "password" })} autoComplete="new-password" />
        </Field>
        <SubmitButton pending={navigation.state === "submitting"}>
          {hasPassword ? "Change password" : "Set password"}
        </SubmitButton>
      </Form>
    </section>
  );
}
