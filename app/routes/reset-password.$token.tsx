import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { resetLinkState, resetPasswordWithLink, type ResetLinkState } from "~/admin/password-reset.server";
import { MIN_PASSWORD, newPasswordField } from "~/auth/schemas";
import { Field, FormErrors, SubmitButton } from "~/components/forms";
import { refusedFormReply, retryAfterHeaders } from "~/http/write-limit.server";
import { formConstraint } from "~/validation/constraints";
import { config } from "~/config/env.server";

export const meta: MetaFunction = () => [{ title: "Set a new password · ARES" }];

export { retryAfterHeaders as headers };

const resetSchema = z.object({ newPassword: newPasswordField });
const HIDDEN = ["newPassword"];

/** Why a link opens no form, in words for the person holding it. */
const UNUSABLE: Record<Exclude<ResetLinkState["state"], "valid">, string> = {
  expired:
    "This link has expired: links to set a new password work for one hour. Ask your administrator for a new one.",
  used: "This link has already been used: each works once. If you did not set a new password with it, ask your administrator for a new link.",
  // Every reason it can be: mistyped, replaced by a newer link, or ended with the account's sign-ins (a
  // password change, "sign out everywhere else", the account disabled), which deletes unused links.
  unknown:
    "This link does not work (any more): it may be mistyped, or it was replaced or cancelled since it was made. Ask your administrator for a new one.",
};

/** With LOCAL_LOGIN=false a password signs no one in: a link to set one would only mislead. */
const PASSWORDS_OFF =
  "Password sign-in is turned off on this server: there is no password to set. Sign in as your administrator tells you.";

export async function loader({ params }: LoaderFunctionArgs) {
  if (!config().localLogin) return data({ email: null, problem: PASSWORDS_OFF }, { status: 404 });
  const link = await resetLinkState(params.token ?? "");
  // The page is the same whoever is signed in: the link is for its account, not for this browser's.
  // An unknown token is a 404 like any id that is not there (nothing tells a guess from a replaced link);
  // one that was real but expired or was used is gone: 410.
  if (link.state !== "valid") {
    return data({ email: null, problem: UNUSABLE[link.state] }, { status: link.state === "unknown" ? 404 : 410 });
  }
  return { email: link.email, problem: null };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await request.formData(), { schema: resetSchema });
  // Refused before it got here (a NUL in it, or the sign-in tier's rate limit): this page and why, the
  // password never sent back.
  const refused = refusedFormReply(context, (options) => submission.reply({ ...options, hideFields: HIDDEN }));
  if (refused) return refused;
  if (submission.status !== "success") return data(submission.reply({ hideFields: HIDDEN }), { status: 400 });
  if (!config().localLogin) {
    return data(submission.reply({ formErrors: [PASSWORDS_OFF], hideFields: HIDDEN }), { status: 404 });
  }
  const result = await resetPasswordWithLink(params.token ?? "", submission.value.newPassword, {
    ip: context.clientIp,
    userAgent: context.userAgent,
  });
  if (!result.ok && result.reason === "invalid_password") {
    return data(submission.reply({ fieldErrors: { newPassword: [result.message] }, hideFields: HIDDEN }), {
      status: 400,
    });
  }
  // The loader, run again, says why (expired or used meanwhile).
  if (!result.ok) {
    const status = result.reason === "unknown" ? 404 : 410;
    return data(submission.reply({ resetForm: true, hideFields: HIDDEN }), { status });
  }
  // Signed in here as someone else (an admin trying the link, a shared computer): the sign-in page would
  // send them on to their own pages, and the confirmation would be lost. Say it here; their session stays.
  const signedIn = context.auth.user;
  if (signedIn && signedIn.email !== result.email) return { setFor: result.email, signedInAs: signedIn.email };
  return redirect(`/login?${new URLSearchParams({ reason: "password_reset", email: result.email })}`);
}

export default function ResetPassword() {
  const { email, problem } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const done = actionData && "setFor" in actionData ? actionData : undefined;
  const lastResult = actionData && !("setFor" in actionData) ? actionData : undefined;
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "reset-password",
    lastResult,
    constraint: formConstraint(resetSchema),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: resetSchema }),
  });
  return (
    <section className="auth-page card">
      <h1>Set a new password</h1>
      {done ? (
        <p className="notice" role="status">
          The new password of <strong>{done.setFor}</strong> is set, and every session of that account is signed out.
          This browser is still signed in as <strong>{done.signedInAs}</strong>: sign out first to sign in with the new
          password.
        </p>
      ) : problem ? (
        <>
          <p className="notice" role="alert">
            {problem}
          </p>
          <p>
            <Link to="/login">Sign in</Link>
          </p>
        </>
      ) : (
        <>
          <p>
            For <strong>{email}</strong>. Every session of this account will be signed out.
          </p>
          <Form method="post" {...getFormProps(form)}>
            <FormErrors errors={form.errors} id={form.errorId} />
            <input type="text" name="username" autoComplete="username" value={email ?? ""} readOnly hidden />
            <Field
              label="New password"
              id={fields.newPassword.id}
              errors={fields.newPassword.errors}
              hint={`At least ${MIN_PASSWORD} characters, not easy to guess.`}
            >
              <input {...getInputProps(fields.newPassword, { type: "password" })} autoComplete="new-password" />
            </Field>
            <SubmitButton pending={navigation.state === "submitting"}>Set password</SubmitButton>
          </Form>
        </>
      )}
    </section>
  );
}
