import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { formConstraint } from "~/validation/constraints";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { tooManyAttempts } from "~/auth/too-many-attempts";
import { redirectIfSignedIn } from "~/auth/guards.server";
import { safeRedirectTo } from "~/auth/redirect-to";
import { emailField, loginSchema } from "~/auth/schemas";
import { signInWithPassword } from "~/auth/sign-in.server";
import { Field, FormErrors, SubmitButton } from "~/components/forms";
import { config } from "~/config/env.server";

export const meta: MetaFunction = () => [{ title: "Sign in · ARES" }];

const REASONS: Record<string, string> = {
  revoked: "Your session was signed out. Please sign in again.",
  expired: "Your session has expired. Please sign in again.",
  disabled: "This account has been disabled. Contact your administrator.",
  signed_out: "You have been signed out.",
  password_reset: "Your new password is set. Sign in with it.",
  account_ready: "If this address is new, your account is ready — sign in.",
  auth0_failed: "Signing in with Auth0 did not work. Please try again.",
  // The same words whether or not an account has the address: the page must not tell which emails are taken.
  auth0_unverified:
    "Auth0 has not verified your email address yet. Verify it with Auth0, then sign in again (or sign in with your password if you have one).",
};

export function loader({ context, request }: LoaderFunctionArgs) {
  const redirectTo = safeRedirectTo(new URL(request.url).searchParams.get("redirectTo"));
  // A refused attempt is answered with this page (429) even when the refused client holds a session.
  if (context.signInRetryAfterSeconds === undefined) redirectIfSignedIn(context, redirectTo);
  const { localLogin, auth0 } = config();
  return { localLogin, auth0Enabled: Boolean(auth0) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await request.formData(), { schema: loginSchema });
  // The sign-in limit refused this attempt before it got here (rate-limit.server.ts, which also set
  // Retry-After): the form comes back as typed, with the wait, and no password is checked.
  if (context.signInRetryAfterSeconds !== undefined) {
    return data(
      submission.reply({ formErrors: [tooManyAttempts(context.signInRetryAfterSeconds)], hideFields: ["password"] }),
      { status: 429 },
    );
  }
  if (submission.status !== "success") return data(submission.reply({ hideFields: ["password"] }), { status: 400 });
  if (!config().localLogin) {
    return data(
      submission.reply({ formErrors: ["Password sign-in is turned off on this server."], hideFields: ["password"] }),
      { status: 400 },
    );
  }
  const { email, password, remember, redirectTo } = submission.value;
  const result = await signInWithPassword(email, password, Boolean(remember), {
    ip: context.clientIp,
    userAgent: context.userAgent,
  });
  if (!result.ok) {
    return data(submission.reply({ formErrors: ["Wrong email or password."], hideFields: ["password"] }), {
      status: 400,
    });
  }
  // Only failed attempts count toward the sign-in limits: signing in and out again must not lock anyone out.
  context.markSignInSucceeded();
  // This browser is now a known device for the account: someone else's failures from the same address
  // (a shared NAT or proxy) will not lock it out of this account (device-cookie.server.ts).
  const headers = new Headers({ "Set-Cookie": result.setCookie });
  headers.append("Set-Cookie", result.deviceCookie);
  return redirect(safeRedirectTo(redirectTo), { headers });
}

export default function Login() {
  const { localLogin, auth0Enabled } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const redirectTo = searchParams.get("redirectTo") ?? "";
  const reason = REASONS[searchParams.get("reason") ?? ""];
  // Sign-up sends the address it was given (`?email=`): the form starts with it, the cursor in Password.
  // Only an email address: any link could otherwise put words of its choosing in the field.
  const sentEmail = emailField.safeParse(searchParams.get("email") ?? "");
  const email = sentEmail.success ? sentEmail.data : undefined;
  const [form, fields] = useForm({
    id: "login",
    lastResult,
    defaultValue: { email },
    constraint: formConstraint(loginSchema),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: loginSchema }),
  });

  return (
    <section className="auth-page card">
      <h1>Sign in</h1>
      {reason ? (
        <p className="notice" role="status">
          {reason}
        </p>
      ) : null}
      {/* Above the password form: a blur error appearing in that form would move the button mid-click. */}
      {auth0Enabled ? (
        <Form
          method="post"
          action={`/auth/auth0${redirectTo ? `?${new URLSearchParams({ redirectTo })}` : ""}`}
          className="alt-login"
        >
          <button type="submit" className="secondary">
            Continue with Auth0
          </button>
          <div className="field checkbox">
            <input type="checkbox" id="auth0-remember" name="remember" />
            <label htmlFor="auth0-remember">Keep me signed in for 30 days</label>
          </div>
        </Form>
      ) : null}
      {localLogin ? (
        <Form method="post" {...getFormProps(form)}>
          <FormErrors errors={form.errors} id={form.errorId} />
          <input type="hidden" name="redirectTo" value={redirectTo} />
          <Field label="Email" id={fields.email.id} errors={fields.email.errors}>
            <input {...getInputProps(fields.email, { type: "email" })} autoComplete="email" autoFocus={!email} />
          </Field>
          <Field label="Password" id={fields.password.id} errors={fields.password.errors}>
            <input
              {...getInputProps(fields.password, { type: "password" })}
              autoComplete="current-password"
              autoFocus={Boolean(email)}
            />
          </Field>
          <div className="field checkbox">
            <input {...getInputProps(fields.remember, { type: "checkbox" })} />
            <label htmlFor={fields.remember.id}>Keep me signed in for 30 days</label>
          </div>
          <SubmitButton pending={navigation.state === "submitting" && navigation.formAction === "/login"}>
            Sign in
          </SubmitButton>
        </Form>
      ) : null}
      {localLogin ? (
        <p>
          New here?{" "}
          <Link to={redirectTo ? `/signup?${new URLSearchParams({ redirectTo })}` : "/signup"}>Create an account</Link>
        </p>
      ) : null}
    </section>
  );
}
