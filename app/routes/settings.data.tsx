import { refusedFormReply, retryAfterHeaders } from "~/http/write-limit.server";
import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { formConstraint } from "~/validation/constraints";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { redirectWithNotice } from "~/http/notice.server";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { deleteMyAccount } from "~/accounts/deletion.server";
import { deleteAccountSchema } from "~/accounts/schemas";
import { requireUser } from "~/auth/guards.server";
import { Field, FormErrors, SubmitButton } from "~/components/forms";
import { clearSessionCookie } from "~/sessions/cookie.server";

export const meta: MetaFunction = () => [{ title: "Your data · Settings · ARES" }];

export { retryAfterHeaders as headers };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return { email: user.email };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const submission = parseWithZod(await request.formData(), { schema: deleteAccountSchema });
  // Refused before it got here (a NUL in it, or a rate limit): the page, with the form as sent and why.
  const refused = refusedFormReply(context, (options) => submission.reply(options));
  if (refused) return refused;
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const result = await deleteMyAccount(user, submission.value.confirmEmail, {
    ip: context.clientIp,
    userAgent: context.userAgent,
  });
  if (!result.ok) {
    const message =
      result.reason === "email_mismatch"
        ? // Not "exactly": capitals and spaces around the address do not matter (emails are case-insensitive).
          { fieldErrors: { confirmEmail: [`Type ${user.email} to confirm.`] } }
        : {
            formErrors: [
              "You are the only administrator. Make someone else an administrator before deleting your account.",
            ],
          };
    return data(submission.reply(message), { status: 400 });
  }
  // The landing page says it was done: the account is gone, so there is nobody left to tell otherwise.
  return redirectWithNotice("/", "deleted", null, { headers: { "Set-Cookie": await clearSessionCookie() } });
}

export default function YourData() {
  const { email } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "delete-account",
    lastResult,
    constraint: formConstraint(deleteAccountSchema),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: deleteAccountSchema }),
  });

  return (
    <>
      <section className="card">
        <h2>Download your data</h2>
        <p>
          Everything ARES holds about you — your profile, conversations, memory, calendar, notifications, linked
          Telegram chats, sessions and activity log — as one JSON file.
        </p>
        {/* A plain link: the browser saves the file, with or without JavaScript. */}
        <a className="button secondary" href="/settings/data/export" download>
          Download all my data
        </a>
      </section>
      <section className="card danger-zone">
        <h2>Delete your account</h2>
        <p>
          This deletes your account and everything in it, and signs you out everywhere. It cannot be undone. The audit
          log keeps a record that the account existed and was deleted.
        </p>
        <Form method="post" {...getFormProps(form)}>
          <FormErrors errors={form.errors} id={form.errorId} />
          <Field label={`Type ${email} to confirm`} id={fields.confirmEmail.id} errors={fields.confirmEmail.errors}>
            <input {...getInputProps(fields.confirmEmail, { type: "text" })} autoComplete="off" spellCheck={false} />
          </Field>
          <SubmitButton className="danger" pending={navigation.state === "submitting"}>
            Delete my account
          </SubmitButton>
        </Form>
      </section>
    </>
  );
}
