import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { resetLinkState, resetPasswordWithLink } from "~/admin/password-reset.server";
import { clearResetCookie, readResetCookie, RESET_FORM_PATH, setForCookie } from "~/admin/reset-link-cookie.server";
import { NO_LINK, otherLink, PASSWORDS_OFF, UNUSABLE } from "~/admin/reset-link-messages.server";
import { MIN_PASSWORD, newPasswordField } from "~/auth/schemas";
import { Field, FormErrors, SubmitButton } from "~/components/forms";
import { ResetPasswordProblem } from "~/components/reset-password-problem";
import { refusedFormReply, retryAfterHeaders } from "~/http/write-limit.server";
import { formConstraint } from "~/validation/constraints";
import { config } from "~/config/env.server";

export const meta: MetaFunction = () => [{ title: "Set a new password · ARES" }];

export { retryAfterHeaders as headers };

/**
 * With JS, Remix skips the loader after a refused post (4xx) by default: the page kept the earlier link's
 * form under the message that the later link took over (and a post of it was refused again), or the form
 * of a link that had expired meanwhile. After a post the loader says again what the cookie holds now.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formMethod, defaultShouldRevalidate }) =>
  formMethod?.toUpperCase() === "POST" || defaultShouldRevalidate;

// `link`: which link the form was shown for (its id, not its token), so that a form left open in one tab
// does not set the password of the account another tab's link opened since (the cookie holds the later).
const resetSchema = z.object({
  newPassword: newPasswordField,
  link: z.string({ error: "Reload the page and try again." }).min(1).max(100),
});
const HIDDEN = ["newPassword"];

/**
 * The form of the reset link this browser opened last (its token is in a cookie: reset-link-cookie.server.ts),
 * or, just after it was used by someone signed in here as another person, whose password it set.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  if (!config().localLogin) return data({ view: "problem" as const, problem: PASSWORDS_OFF }, { status: 404 });
  const cookie = await readResetCookie(request);
  if (!cookie) return data({ view: "problem" as const, problem: NO_LINK }, { status: 404 });
  if ("setFor" in cookie) {
    // Shown once: a reload then finds no link (and posts nothing).
    return data(
      { view: "set" as const, setFor: cookie.setFor, signedInAs: context.auth.user?.email ?? null },
      { headers: { "Set-Cookie": await clearResetCookie() } },
    );
  }
  const link = await resetLinkState(cookie.token);
  if (link.state !== "valid") {
    return data(
      { view: "problem" as const, problem: UNUSABLE[link.state] },
      { status: link.state === "unknown" ? 404 : 410, headers: { "Set-Cookie": await clearResetCookie() } },
    );
  }
  return { view: "form" as const, email: link.email, linkId: link.id };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await request.formData(), { schema: resetSchema });
  // Refused before it got here (a NUL in it, or the sign-in tier's rate limit): this page and why, the
  // password never sent back.
  const refused = refusedFormReply(context, (options) => submission.reply({ ...options, hideFields: HIDDEN }));
  if (refused) return refused;
  if (submission.status !== "success") return data(submission.reply({ hideFields: HIDDEN }), { status: 400 });
  if (!config().localLogin) {
    return data(submission.reply({ formErrors: [PASSWORDS_OFF], hideFields: HIDDEN }), { status: 404 });
  }
  const cookie = await readResetCookie(request);
  // The loader, run again, says why: no link (the cookie's hour is over), or expired or used meanwhile.
  if (!cookie || !("token" in cookie)) {
    return data(submission.reply({ resetForm: true, hideFields: HIDDEN }), { status: 404 });
  }
  const result = await resetPasswordWithLink(
    cookie.token,
    submission.value.newPassword,
    { ip: context.clientIp, userAgent: context.userAgent },
    new Date(),
    submission.value.link,
  );
  if (!result.ok && result.reason === "invalid_password") {
    return data(submission.reply({ fieldErrors: { newPassword: [result.message] }, hideFields: HIDDEN }), {
      status: 400,
    });
  }
  if (!result.ok && result.reason === "other_link") {
    return data(submission.reply({ formErrors: [otherLink(result.email)], hideFields: HIDDEN }), { status: 409 });
  }
  if (!result.ok) {
    const status = result.reason === "unknown" ? 404 : 410;
    return data(submission.reply({ resetForm: true, hideFields: HIDDEN }), { status });
  }
  // Signed in here as someone else (an admin trying the link, a shared computer): the sign-in page would
  // send them on to their own pages, and the confirmation would be lost. This page says it, after a
  // redirect (a reload posts nothing); their session stays.
  const signedIn = context.auth.user;
  if (signedIn && signedIn.email !== result.email) {
    return redirect(RESET_FORM_PATH, { status: 303, headers: { "Set-Cookie": await setForCookie(result.email) } });
  }
  return redirect(`/login?${new URLSearchParams({ reason: "password_reset", email: result.email })}`, {
    headers: { "Set-Cookie": await clearResetCookie() },
  });
}

export default function ResetPassword() {
  const page = useLoaderData<typeof loader>();
  if (page.view === "problem") return <ResetPasswordProblem problem={page.problem} />;
  if (page.view === "set") {
    return (
      <section className="auth-page card">
        <h1>Set a new password</h1>
        <p className="notice" role="status">
          The new password of <strong>{page.setFor}</strong> is set, and every session of that account is signed out.
          {page.signedInAs ? (
            <>
              {" "}
              This browser is still signed in as <strong>{page.signedInAs}</strong>: sign out first to sign in with the
              new password.
            </>
          ) : null}
        </p>
        <p>
          <Link to="/">Back to ARES</Link>
        </p>
      </section>
    );
  }
  return <ResetPasswordForm email={page.email} linkId={page.linkId} />;
}

function ResetPasswordForm({ email, linkId }: { email: string; linkId: string }) {
  const lastResult = useActionData<typeof action>();
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
      <p>
        For <strong>{email}</strong>. Every session of this account will be signed out.
      </p>
      <Form method="post" {...getFormProps(form)}>
        <FormErrors errors={form.errors ?? fields.link.errors} id={form.errorId} />
        <input type="text" name="username" autoComplete="username" value={email} readOnly hidden />
        <input type="hidden" name="link" value={linkId} />
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
    </section>
  );
}
