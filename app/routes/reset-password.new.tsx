import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { resetLinkState, resetPasswordWithLink } from "~/admin/password-reset.server";
import { clearResetCookie, readResetCookie, RESET_FORM_PATH, setForCookie } from "~/admin/reset-link-cookie.server";
import { NO_LINK, PASSWORDS_OFF, unusableLink } from "~/admin/reset-link-messages.server";
import { MIN_PASSWORD, newPasswordField } from "~/auth/schemas";
import { Field, FormErrors, SubmitButton } from "~/components/forms";
import { ResetPasswordProblem } from "~/components/reset-password-problem";
import { refusedFormReply, retryAfterHeaders } from "~/http/write-limit.server";
import { formConstraint } from "~/validation/constraints";
import { config } from "~/config/env.server";

export const meta: MetaFunction = () => [{ title: "Set a new password · ARES" }];

/**
 * Every answer of this page is for this browser only and kept by no cache: it names whose password the link
 * sets (or was set), and the back button must not bring a form back from a cache after the link is used.
 */
export const headers: HeadersFunction = (args) => {
  const headers = new Headers(retryAfterHeaders(args));
  headers.set("Cache-Control", "private, no-store");
  return headers;
};

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
    const { problem, status } = unusableLink(link.state);
    return data({ view: "problem" as const, problem }, { status, headers: { "Set-Cookie": await clearResetCookie() } });
  }
  return { view: "form" as const, email: link.email, linkId: link.id };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: resetSchema });
  const reply = (options: { formErrors?: string[]; resetForm?: boolean } = {}) =>
    submission.reply({ ...options, hideFields: HIDDEN });
  if (!config().localLogin) return data(reply({ formErrors: [PASSWORDS_OFF] }), { status: 404 });
  const cookie = await readResetCookie(request);
  // Past the sign-in tier's limit nothing is tried, whichever link the form was for: the answer is the wait
  // (429, Retry-After), and the page, whose loader runs again, also says when the form was an earlier link's.
  // Before a NUL in the post (refusedFormReply's other refusal): a wait is what stands in the way whatever
  // is typed, and this form keeps nothing typed (the passphrase fields are hidden from the reply anyway).
  const limited = context.writeRetryAfterSeconds;
  if (limited !== undefined) return refusedFormReply({ formHadNul: false, writeRetryAfterSeconds: limited }, reply);
  // A form shown for another link than the one this browser opened last (in another tab since) is refused
  // first, whatever else is wrong with the post: any answer re-runs the loader, which shows the later link's
  // form, and a form of another account must not take the place of this one unannounced. The page says so
  // and offers the later link's form only after a step of its own (ResetPasswordForm).
  const shown = formData.get("link");
  if (cookie && "token" in cookie && typeof shown === "string") {
    const opened = await resetLinkState(cookie.token);
    if (opened.state === "valid" && opened.id !== shown) return data(reply(), { status: 409 });
  }
  // Refused before it got here (a NUL in it): this page and why, the password never sent back.
  const refused = refusedFormReply(context, reply);
  if (refused) return refused;
  if (submission.status !== "success") return data(reply(), { status: 400 });
  // The loader, run again, says why: no link (the cookie's hour is over), or expired or used meanwhile.
  if (!cookie || !("token" in cookie)) return data(reply({ resetForm: true }), { status: 404 });
  const result = await resetPasswordWithLink(
    cookie.token,
    submission.value.newPassword,
    { ip: context.clientIp, userAgent: context.userAgent },
    { shownLinkId: submission.value.link },
  );
  if (!result.ok && result.reason === "invalid_password") {
    return data(submission.reply({ fieldErrors: { newPassword: [result.message] }, hideFields: HIDDEN }), {
      status: 400,
    });
  }
  // Another link opened between the check above and this one: the same answer.
  if (!result.ok && result.reason === "other_link") return data(reply(), { status: 409 });
  if (!result.ok) return data(reply({ resetForm: true }), { status: unusableLink(result.reason).status });
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
  // The post answered was of a form for another link (or its answer kept no link: refused before the
  // link was read, then the cookie changed): this browser opened a later link since, for this account.
  // No form for it yet: a person typing on must not set the password of an account they did not look at.
  const switched = lastResult !== undefined && lastResult.initialValue?.link !== linkId;
  const [form, fields] = useForm({
    id: "reset-password",
    lastResult,
    constraint: formConstraint(resetSchema),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: resetSchema }),
  });
  if (switched) {
    return (
      <section className="auth-page card">
        <h1>Set a new password</h1>
        <p className="notice" role="alert">
          Another link to set a password was opened in this browser since this page was shown (in another tab?). Nothing
          was set. This page is now for <strong>{email}</strong>.
        </p>
        {/* A refusal of its own (the sign-in tier's wait) is said too: the later link's form has to wait as well. */}
        <FormErrors errors={form.errors} id={form.errorId} />
        <p>
          <Link to="/reset-password/new">{`Continue for ${email}`}</Link>
        </p>
      </section>
    );
  }
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
