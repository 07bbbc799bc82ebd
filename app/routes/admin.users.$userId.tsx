import { ScrollBox } from "~/components/scroll-box";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { OneTimeNotice } from "~/components/one-time-notice";
import { redirectWithNotice, takeNotice } from "~/http/notice.server";
import { z } from "zod";
import { createResetLink } from "~/admin/password-reset.server";
import { redirectWithResetLink, takeResetLink } from "~/admin/reset-link-flash.server";
import { RESET_LINK_HOURS } from "~/admin/schemas";
import { viewUser } from "~/admin/users.server";
import { formatDateTime } from "~/accounts/time-zone";
import { recordAudit } from "~/audit/audit.server";
import { requireAdmin } from "~/auth/guards.server";
import { config } from "~/config/env.server";
import { setTokenBudgetOverride, tokenBudgetFor, tokenBudgetOverride } from "~/chat/usage.server";
import { MAX_QUOTA_LIMIT } from "~/chat/quota-limits";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.user.email ?? "User"} · Admin · ARES` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, context);
  const details = await viewUser(admin, params.userId ?? "", { ip: context.clientIp, userAgent: context.userAgent });
  if (!details) throw new Response("There is no account with this id.", { status: 404 });
  const [budget, override] = await Promise.all([tokenBudgetFor(details.user.id), tokenBudgetOverride(details.user.id)]);
  const { notice, headers } = await takeNotice(request, admin.id, { budget: "The budget has been saved." });
  const { resetLink, headers: resetLinkHeaders } = await takeResetLink(request, admin.id, details.user.id);
  for (const cookie of resetLinkHeaders.getSetCookie()) headers.append("Set-Cookie", cookie);
  // An admin's own page offers no reset link (the action refuses it): their password changes in Settings.
  const ownAccount = details.user.id === admin.id;
  return data(
    { ...details, budget, override, notice, resetLink, localLogin: config().localLogin, ownAccount },
    { headers },
  );
}

const OWN_PASSWORD = "Your own password is changed in Settings → Password, with your current one: no link for it.";
const PASSWORDS_OFF =
  "Password sign-in is turned off on this server (LOCAL_LOGIN=false): there is no password to reset.";
// The form that posted: "Reset password" names itself; the budget form has no intent.
const intentSchema = z.object({ intent: z.literal("reset_password") });
const NOT_A_BUDGET = "Enter a whole number of tokens, or leave it empty for the server default.";
const budgetSchema = z.object({
  // Absent (a form without the field) gets the same words, not the parser's "expected string".
  budget: z
    .string({ error: NOT_A_BUDGET })
    .trim()
    .regex(/^\d*$/, NOT_A_BUDGET)
    // A whole number that is too big is told the limit, not that it is not a whole number.
    .refine(
      (value) => value === "" || Number(value) <= MAX_QUOTA_LIMIT,
      `Enter at most ${MAX_QUOTA_LIMIT.toLocaleString("en")} tokens (0 = no limit).`,
    ),
});

// Sets this person's daily token budget (empty = the server default, 0 = no limit), or makes a link for
// them to set a new password (intent=reset_password): shown once, here, for the admin to hand over.
export async function action({ request, context, params }: ActionFunctionArgs) {
  const admin = await requireAdmin(request, context);
  const userId = params.userId ?? "";
  const form = await request.formData();
  if (intentSchema.safeParse(Object.fromEntries(form)).data?.intent === "reset_password") {
    // With LOCAL_LOGIN=false createResetLink refuses (its page offers no button then).
    const link = await createResetLink(admin, userId, { ip: context.clientIp, userAgent: context.userAgent });
    if (!link.ok && link.reason === "passwords_off") return data({ resetError: PASSWORDS_OFF }, { status: 400 });
    if (!link.ok && link.reason === "self") return data({ resetError: OWN_PASSWORD }, { status: 400 });
    if (!link.ok) throw new Response("There is no account with this id.", { status: 404 });
    return redirectWithResetLink(`/admin/users/${userId}`, {
      admin: admin.id,
      target: userId,
      url: new URL(`/reset-password/${link.token}`, request.url).toString(),
      expires: formatDateTime(link.expiresAt, admin.timeZone),
    });
  }
  const parsed = budgetSchema.safeParse(Object.fromEntries(form));
  // What was typed goes back with the error: without JS the page is rendered anew and would otherwise show
  // the saved budget, losing the entry the error is about.
  const typed = form.get("budget");
  if (!parsed.success)
    return data(
      { error: parsed.error.issues[0]!.message, typed: typeof typed === "string" ? typed : "" },
      { status: 400 },
    );
  const budget = parsed.data.budget === "" ? null : Number(parsed.data.budget);
  if (!(await setTokenBudgetOverride(userId, budget))) throw new Response("No such user", { status: 404 });
  await recordAudit(
    { actor: admin, ip: context.clientIp, userAgent: context.userAgent },
    { action: "user.budget_change", outcome: "success", target: { type: "user", id: userId }, details: { budget } },
  );
  return redirectWithNotice(`/admin/users/${userId}`, "budget", admin.id);
}

export default function UserDetails() {
  const {
    user,
    sessions,
    events,
    budget,
    override,
    notice,
    resetLink: reset,
    localLogin,
    ownAccount,
  } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const actionData = result && "error" in result ? result : undefined;
  const resetError = result && "resetError" in result ? result.resetError : undefined;
  return (
    <>
      <section className="card">
        <p>
          <Link to="/admin/users" className="standalone-link">
            ← All users
          </Link>
        </p>
        <h2>{user.email}</h2>
        <dl className="details">
          <dt>Name</dt>
          <dd>{user.name ?? "—"}</dd>
          <dt>Role</dt>
          <dd>{user.role}</dd>
          <dt>Status</dt>
          <dd>
            <span className={`badge ${user.disabled ? "danger" : "ok"}`}>
              {user.disabled ? `disabled since ${user.disabled}` : "active"}
            </span>
          </dd>
          <dt>Created</dt>
          <dd>{user.created}</dd>
          <dt>Time zone</dt>
          <dd>{user.timeZone}</dd>
          <dt>Sign-in</dt>
          <dd>{user.auth0Sub ? "Auth0" : "Email and password"}</dd>
          <dt>User id</dt>
          <dd>
            <code>{user.id}</code>
          </dd>
        </dl>
        <p>
          <Link to={`/admin/audit?${new URLSearchParams({ user: user.id })}`}>Everything this user did</Link>
        </p>
      </section>
      <section className="card">
        <h3>Daily token budget</h3>
        <p>
          Now: {budget > 0 ? `${budget.toLocaleString("en")} tokens a day` : "no limit"}
          {override === null ? " (the server default)." : " (set for this person)."}
        </p>
        <OneTimeNotice notice={notice} hidden={Boolean(actionData)} />
        <Form method="post" className="inline-form">
          <label htmlFor="budget">Tokens a day (empty = server default, 0 = no limit)</label>
          <input
            id="budget"
            name="budget"
            inputMode="numeric"
            defaultValue={actionData?.typed ?? override?.toString() ?? ""}
            aria-invalid={actionData?.error ? true : undefined}
            aria-describedby={actionData?.error ? "budget-error" : undefined}
          />
          {actionData?.error ? (
            <p className="field-error" id="budget-error" role="alert">
              {actionData.error}
            </p>
          ) : null}
          <button type="submit" className="small">
            Save budget
          </button>
        </Form>
      </section>
      <section className="card">
        <h3>Password</h3>
        {reset ? (
          <div className="notice" role="status">
            <p>
              Give this link to {user.email} (it is shown only now). It works once, until {reset.expires}; setting a new
              password with it signs them out everywhere.
            </p>
            <p>
              <code className="reset-link">{reset.url}</code>
            </p>
          </div>
        ) : resetError ? (
          <p className="notice" role="alert">
            {resetError}{" "}
            {resetError === OWN_PASSWORD ? <Link to="/settings/password">Change your password</Link> : null}
          </p>
        ) : !localLogin ? (
          <p>{PASSWORDS_OFF}</p>
        ) : ownAccount ? (
          <p>
            {OWN_PASSWORD} <Link to="/settings/password">Change your password</Link>
          </p>
        ) : (
          <p>
            Someone who forgot their password gets a link from you to set a new one: it works once, for{" "}
            {RESET_LINK_HOURS} hour; a new link replaces the previous one.
          </p>
        )}
        {localLogin && !ownAccount ? (
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="reset_password" />
            <button type="submit" className="small secondary">
              Reset password
            </button>
          </Form>
        ) : null}
      </section>
      <section className="card">
        <h3>Active sessions ({sessions.length})</h3>
        {sessions.length === 0 ? (
          <p>None.</p>
        ) : (
          <ScrollBox label="Sessions">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">IP address</th>
                  <th scope="col">Signed in</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {sessions.map((session, index) => (
                  <tr key={index}>
                    <td>
                      {session.browser} on {session.os} <span className="muted">({session.method})</span>
                    </td>
                    <td>{session.ip ?? "unknown"}</td>
                    <td>{session.created}</td>
                    <td>{session.lastSeen}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
        )}
      </section>
      <section className="card">
        <h3>Recent activity</h3>
        {events.length === 0 ? (
          <p>None.</p>
        ) : (
          <ScrollBox label="Recent events">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">IP address</th>
                </tr>
              </thead>
              <tbody>
                {events.map((event) => (
                  <tr key={event.id}>
                    <td>{event.time}</td>
                    <td>{event.actorEmail ?? "—"}</td>
                    <td>
                      <code>{event.action}</code>
                    </td>
                    <td>
                      <span className={`badge ${event.outcome === "success" ? "ok" : "danger"}`}>{event.outcome}</span>
                    </td>
                    <td>{event.ip ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
        )}
      </section>
    </>
  );
}
