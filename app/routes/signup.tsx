import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { formConstraint } from "~/validation/constraints";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { redirectIfSignedIn } from "~/auth/guards.server";
import { safeRedirectTo } from "~/auth/redirect-to";
import { tooManyAttempts } from "~/auth/too-many-attempts";
import { isWeakPassword, WEAK_PASSWORD_MESSAGE } from "~/auth/password-strength.server";
import { MIN_PASSWORD, signupSchema } from "~/auth/schemas";
import { signUpWithPassword } from "~/auth/sign-in.server";
import { Field, FormErrors, SubmitButton } from "~/components/forms";
import { config } from "~/config/env.server";

export const meta: MetaFunction = () => [{ title: "Create an account · ARES" }];

export function loader({ context }: LoaderFunctionArgs) {
  redirectIfSignedIn(context);
  if (!config().localLogin) throw redirect("/login");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (!config().localLogin) throw redirect("/login");
  const submission = parseWithZod(await request.formData(), { schema: signupSchema });
  // The auth limit refused this attempt before it got here (rate-limit.server.ts, which also set
  // Retry-After): the form comes back as typed, with the wait, and nothing is created.
  if (context.signInRetryAfterSeconds !== undefined) {
    return data(
      submission.reply({ formErrors: [tooManyAttempts(context.signInRetryAfterSeconds)], hideFields: ["password"] }),
      { status: 429 },
    );
  }
  if (submission.status !== "success") return data(submission.reply({ hideFields: ["password"] }), { status: 400 });
  const { name, email, password, website, redirectTo } = submission.value;
  if (website) {
    return data(
      submission.reply({
        formErrors: ["This form could not be submitted. Please try again."],
        hideFields: ["password"],
      }),
      { status: 400 },
    );
  }
  if (isWeakPassword(password, [email, name])) {
    return data(submission.reply({ fieldErrors: { password: [WEAK_PASSWORD_MESSAGE] }, hideFields: ["password"] }), {
      status: 400,
    });
  }
  await signUpWithPassword({ name, email, password }, { ip: context.clientIp, userAgent: context.userAgent });
  // The same answer for a new and a taken address: the form must not tell anyone who has an account.
  // The address typed goes along, so the sign-in form starts with it (the same for both, too).
  const params = new URLSearchParams({ reason: "account_ready", email });
  const target = safeRedirectTo(redirectTo, "");
  if (target) params.set("redirectTo", target);
  return redirect(`/login?${params}`);
}

/**
 * The sign-in link, with the address typed so far (Conform keeps `value` current as it is typed; without
 * JS, the one a refused sign-up sent back) so nobody types it twice. Nothing here depends on whether an
 * account has it.
 */
function signInAddress(typed: unknown, redirectTo: string): string {
  const params = new URLSearchParams();
  const email = typeof typed === "string" ? typed.trim() : "";
  if (email && email.length <= 254) params.set("email", email);
  if (redirectTo) params.set("redirectTo", redirectTo);
  // Not params.size: browsers before 2023 lack it, and would drop the address silently.
  const query = params.toString();
  return query ? `/login?${query}` : "/login";
}

export default function Signup() {
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "signup",
    lastResult,
    constraint: formConstraint(signupSchema),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: signupSchema }),
  });
  const redirectTo = searchParams.get("redirectTo") ?? "";

  return (
    <section className="auth-page card">
      <h1>Create your account</h1>
      <Form method="post" {...getFormProps(form)}>
        <FormErrors errors={form.errors} id={form.errorId} />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field label="Name (optional)" id={fields.name.id} errors={fields.name.errors}>
          <input {...getInputProps(fields.name, { type: "text" })} autoComplete="name" />
        </Field>
        <Field label="Email" id={fields.email.id} errors={fields.email.errors}>
          <input {...getInputProps(fields.email, { type: "email" })} autoComplete="email" />
        </Field>
        <Field
          label="Password"
          id={fields.password.id}
          errors={fields.password.errors}
          hint={`At least ${MIN_PASSWORD} characters. A few unrelated words make a strong one.`}
        >
          <input {...getInputProps(fields.password, { type: "password" })} autoComplete="new-password" />
        </Field>
        <div className="visually-hidden" aria-hidden="true">
          <label htmlFor="website">Leave this empty</label>
          <input id="website" name="website" type="text" tabIndex={-1} autoComplete="off" />
        </div>
        <SubmitButton pending={navigation.state === "submitting"}>Create account</SubmitButton>
      </Form>
      <p>
        Already have an account? <Link to={signInAddress(fields.email.value, redirectTo)}>Sign in</Link>
      </p>
    </section>
  );
}
