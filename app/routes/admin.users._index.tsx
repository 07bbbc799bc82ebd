import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { OneTimeNotice } from "~/components/one-time-notice";
import { redirectWithNotice, takeNotice } from "~/http/notice.server";
import { formatDateTime } from "~/accounts/time-zone";
import { decodeCreatedAtCursor, encodeCreatedAtCursor } from "~/validation/cursor";
import { userActionSchema } from "~/admin/schemas";
import { changeUserRole, listUsers, setUserDisabled, type AdminChangeResult } from "~/admin/users.server";
import { requireAdmin } from "~/auth/guards.server";
import { ScrollBox } from "~/components/scroll-box";
import { FormErrors } from "~/components/forms";

export const meta: MetaFunction = () => [{ title: "Users · Admin · ARES" }];

const DONE: Record<string, string> = {
  role: "The role has been changed.",
  disable: "The account has been disabled and signed out everywhere.",
  enable: "The account has been enabled.",
  unchanged: "Nothing needed to change.",
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, context);
  const params = new URL(request.url).searchParams;
  const q = (params.get("q") ?? "").trim().slice(0, 254);
  const page = await listUsers({ search: q, cursor: decodeCreatedAtCursor(params.get("cursor")) });
  const { notice, headers } = await takeNotice(request, admin.id, DONE);
  const body = {
    notice,
    q,
    me: admin.id,
    firstPage: !params.get("cursor"),
    users: page.users.map((user) => ({
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      disabled: Boolean(user.disabledAt),
      created: formatDateTime(user.createdAt, admin.timeZone),
      createdAt: user.createdAt.toISOString(),
      activeSessions: user.activeSessions,
    })),
    next: page.next ? encodeCreatedAtCursor(page.next) : null,
  };
  return data(body, { headers });
}

const REFUSALS: Record<Exclude<AdminChangeResult, { ok: true }>["reason"], string> = {
  not_found: "That account no longer exists.",
  last_admin: "This is the only active administrator. Make someone else an administrator first.",
  self_disable: "You cannot disable your own account.",
};

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireAdmin(request, context);
  const origin = { ip: context.clientIp, userAgent: context.userAgent };
  const submission = parseWithZod(await request.formData(), { schema: userActionSchema });
  if (submission.status !== "success") {
    return data({ error: "That request was not understood. Please try again.", userId: null }, { status: 400 });
  }
  const input = submission.value;
  const result =
    input.intent === "role"
      ? await changeUserRole(admin, input.userId, input.role, origin)
      : await setUserDisabled(admin, input.userId, input.intent === "disable", origin);
  if (!result.ok) return data({ error: REFUSALS[result.reason], userId: input.userId }, { status: 400 });
  // Back to the same search and page; Remix adds "index" to an index route's form action.
  const back = new URL(request.url).searchParams;
  back.delete("index");
  const query = back.size > 0 ? `?${back}` : "";
  return redirectWithNotice(`/admin/users${query}`, result.changed ? input.intent : "unchanged", admin.id);
}

export default function Users() {
  const { notice, q, me, users, next, firstPage } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";

  return (
    <section className="card">
      <h2>Users</h2>
      <Form method="get" className="filters" role="search">
        <div className="field">
          <label htmlFor="q">Search by email or name</label>
          <input id="q" name="q" type="search" defaultValue={q} maxLength={254} />
        </div>
        <button type="submit">Search</button>
        {q ? (
          <Link to="/admin/users" className="button secondary">
            Clear
          </Link>
        ) : null}
      </Form>
      <OneTimeNotice notice={notice} hidden={Boolean(actionData)} />
      <FormErrors errors={actionData ? [actionData.error] : undefined} />
      {users.length === 0 ? (
        <p>{q ? `No accounts match “${q}”.` : "No accounts yet."}</p>
      ) : (
        <ScrollBox label="Accounts">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Sessions</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id} data-email={user.email} aria-invalid={actionData?.userId === user.id || undefined}>
                  <td>
                    <Link to={`/admin/users/${user.id}`}>{user.email}</Link>
                    {user.id === me ? <span className="muted"> (you)</span> : null}
                  </td>
                  <td>{user.name ?? ""}</td>
                  <td>
                    {/* Changing a role is a step of its own: open, choose, confirm (works without JS). */}
                    <details className="confirm">
                      <summary className="button secondary small">
                        {user.role} ▾<span className="visually-hidden"> (change the role of {user.email})</span>
                      </summary>
                      <Form method="post" className="inline-form confirm__panel">
                        <input type="hidden" name="intent" value="role" />
                        <input type="hidden" name="userId" value={user.id} />
                        <label className="visually-hidden" htmlFor={`role-${user.id}`}>
                          Role for {user.email}
                        </label>
                        <select id={`role-${user.id}`} name="role" defaultValue={user.role} key={user.role}>
                          <option value="user">user</option>
                          <option value="admin">admin</option>
                        </select>
                        <button
                          type="submit"
                          className="secondary small"
                          disabled={busy}
                          aria-label={`Save role for ${user.email}`}
                        >
                          Save
                        </button>
                      </Form>
                    </details>
                  </td>
                  <td>
                    <span className={`badge ${user.disabled ? "danger" : "ok"}`}>
                      {user.disabled ? "disabled" : "active"}
                    </span>
                  </td>
                  <td>
                    <time dateTime={user.createdAt}>{user.created}</time>
                  </td>
                  <td>{user.activeSessions}</td>
                  <td>
                    {user.id === me ? null : user.disabled ? (
                      <Form method="post">
                        <input type="hidden" name="intent" value="enable" />
                        <input type="hidden" name="userId" value={user.id} />
                        <button
                          type="submit"
                          className="secondary small"
                          disabled={busy}
                          aria-label={`Enable ${user.email}`}
                        >
                          Enable
                        </button>
                      </Form>
                    ) : (
                      // Disabling signs the person out everywhere: it asks first (a <details>, no JS needed).
                      <details className="confirm">
                        <summary className="button secondary small">
                          Disable…<span className="visually-hidden"> {user.email}</span>
                        </summary>
                        <Form method="post" className="confirm__panel">
                          <input type="hidden" name="intent" value="disable" />
                          <input type="hidden" name="userId" value={user.id} />
                          <p>Disable {user.email}? They are signed out everywhere and cannot sign in.</p>
                          <button
                            type="submit"
                            className="danger small"
                            disabled={busy}
                            aria-label={`Disable ${user.email}`}
                          >
                            Disable account
                          </button>
                        </Form>
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      <nav aria-label="Pages" className="pager">
        {firstPage ? null : (
          <Link to={q ? `/admin/users?${new URLSearchParams({ q })}` : "/admin/users"}>First page</Link>
        )}
        {next ? (
          <Link to={`/admin/users?${new URLSearchParams({ ...(q ? { q } : {}), cursor: next })}`}>Next page</Link>
        ) : null}
      </nav>
    </section>
  );
}
