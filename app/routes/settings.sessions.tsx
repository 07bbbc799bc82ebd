import { ScrollBox } from "~/components/scroll-box";
import { StackedCell, StackedRow, StackedTable } from "~/components/stacked-table";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { OneTimeNotice } from "~/components/one-time-notice";
import { redirectWithNotice, takeNotice } from "~/http/notice.server";
import { listMySessions, revokeMyOtherSessions, revokeMySession } from "~/accounts/my-sessions.server";
import { sessionActionSchema } from "~/accounts/schemas";
import { requireUser } from "~/auth/guards.server";
import { FormErrors } from "~/components/forms";

export const meta: MetaFunction = () => [{ title: "Sessions · Settings · ARES" }];

const REFUSALS = {
  current: "This is the session you are using. To end it, sign out.",
  not_found: "That session has already ended.",
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const { notice, headers } = await takeNotice(request, user.id, {
    revoked: "The session has been signed out.",
    others: (count) =>
      count === 0
        ? "There were no other sessions to sign out."
        : `Signed out of ${count} other ${count === 1 ? "session" : "sessions"}.`,
  });
  return data({ notice, sessions: await listMySessions(user, context.auth.session!.id) }, { headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const currentId = context.auth.session!.id;
  const origin = { ip: context.clientIp, userAgent: context.userAgent };
  const submission = parseWithZod(await request.formData(), { schema: sessionActionSchema });
  if (submission.status !== "success") {
    return data({ error: "That request was not understood. Please try again." }, { status: 400 });
  }
  if (submission.value.intent === "revoke-others") {
    const { count, deviceCookie } = await revokeMyOtherSessions(user, currentId, origin, request.headers.get("cookie"));
    return redirectWithNotice("/settings/sessions", "others", user.id, {
      count,
      headers: deviceCookie ? { "Set-Cookie": deviceCookie } : {},
    });
  }
  const result = await revokeMySession(user, currentId, submission.value.sessionId, origin);
  if (!result.ok) return data({ error: REFUSALS[result.reason] }, { status: 400 });
  return redirectWithNotice("/settings/sessions", "revoked", user.id);
}

export default function Sessions() {
  const { notice, sessions } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const others = sessions.filter((session) => !session.current).length;

  return (
    <section className="card">
      <h2>Sessions</h2>
      <p>These are the browsers and devices signed in to your account. Sign out any you do not recognise.</p>
      <OneTimeNotice notice={notice} hidden={Boolean(actionData)} />
      <FormErrors errors={actionData ? [actionData.error] : undefined} />
      <ScrollBox label="Your sessions">
        <StackedTable
          headings={[
            "Device",
            "IP address",
            "Signed in",
            "Last seen",
            <span key="actions" className="visually-hidden">
              Actions
            </span>,
          ]}
        >
          {sessions.map((session) => (
            <StackedRow key={session.id} data-current={session.current || undefined}>
              <StackedCell title={session.userAgent ?? undefined}>
                <strong>{session.browser}</strong> on {session.os}
                <div className="muted">{session.device}</div>
                {session.current ? <span className="badge ok">This device</span> : null}
              </StackedCell>
              <StackedCell label="IP address">{session.ip ?? "unknown"}</StackedCell>
              <StackedCell label="Signed in">
                <time dateTime={session.createdAt}>{session.created}</time>
              </StackedCell>
              <StackedCell label="Last seen">
                <time dateTime={session.lastSeenAt}>{session.lastSeen}</time>
              </StackedCell>
              <StackedCell>
                {session.current ? null : (
                  <Form method="post">
                    <input type="hidden" name="intent" value="revoke" />
                    <input type="hidden" name="sessionId" value={session.id} />
                    <button
                      type="submit"
                      className="secondary small"
                      disabled={busy}
                      aria-label={`Revoke ${session.browser} on ${session.os}, last seen ${session.lastSeen}`}
                    >
                      Revoke
                    </button>
                  </Form>
                )}
              </StackedCell>
            </StackedRow>
          ))}
        </StackedTable>
      </ScrollBox>
      {others > 0 ? (
        <Form method="post" className="section-actions">
          <input type="hidden" name="intent" value="revoke-others" />
          <button type="submit" className="danger" disabled={busy}>
            Sign out everywhere else
          </button>
        </Form>
      ) : (
        <p className="muted">You are not signed in anywhere else.</p>
      )}
    </section>
  );
}
