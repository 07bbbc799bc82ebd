import { ScrollBox } from "~/components/scroll-box";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { viewAuditLog } from "~/admin/audit-log.server";
import { AUDIT_ACTIONS } from "~/audit/audit.server";
import { requireAdmin } from "~/auth/guards.server";
import { Field, FormErrors } from "~/components/forms";

export const meta: MetaFunction = () => [{ title: "Audit log · Admin · ARES" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, context);
  const params = new URL(request.url).searchParams;
  const log = await viewAuditLog(admin, params, { ip: context.clientIp, userAgent: context.userAgent });
  return {
    ...log,
    errors: log.ok ? null : log.errors,
    actions: AUDIT_ACTIONS,
    timeZone: admin.timeZone,
    firstPage: !params.get("cursor"),
  };
}

function filterQuery(values: Record<string, string>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...values, ...extra })) if (value) params.set(key, value);
  return params.toString();
}

export default function AuditLog() {
  const { values, errors, rows, next, actions, timeZone, firstPage, ok } = useLoaderData<typeof loader>();
  const query = filterQuery(values);

  return (
    <section className="card">
      <h2>Audit log</h2>
      <Form method="get" className="filters" aria-label="Filter the audit log">
        <Field label="User (email or id)" id="filter-user" errors={errors?.user}>
          <input id="filter-user" name="user" type="text" defaultValue={values.user} maxLength={254} />
        </Field>
        <Field label="Action" id="filter-action" errors={errors?.action}>
          <select id="filter-action" name="action" defaultValue={values.action}>
            <option value="">Any action</option>
            {actions.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
        </Field>
        <Field label="From" id="filter-from" errors={errors?.from}>
          <input id="filter-from" name="from" type="date" defaultValue={values.from} />
        </Field>
        <Field label="To" id="filter-to" errors={errors?.to}>
          <input id="filter-to" name="to" type="date" defaultValue={values.to} />
        </Field>
        <div className="field checkbox">
          <input id="filter-views" name="views" type="checkbox" value="1" defaultChecked={values.views === "1"} />
          <label htmlFor="filter-views">Show views of this log</label>
        </div>
        <div className="filters__buttons">
          <button type="submit">Filter</button>
          {query ? (
            <Link to="/admin/audit" className="button secondary">
              Clear
            </Link>
          ) : null}
        </div>
      </Form>
      <p className="muted">Dates are whole days in your time zone ({timeZone}).</p>
      {ok ? (
        <p>
          {/* A plain link: the CSV is a file download, not a page. */}
          <a className="button secondary small" href={`/admin/audit.csv${query ? `?${query}` : ""}`} download>
            Download CSV
          </a>
        </p>
      ) : (
        <FormErrors errors={["Correct the filters above to see the log."]} />
      )}
      {ok && rows.length === 0 ? <p>No events match these filters.</p> : null}
      {rows.length > 0 ? (
        <ScrollBox label="Audit events">
          <table className="data audit-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Outcome</th>
                <th scope="col">Target</th>
                <th scope="col">IP address</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  <td>
                    <time dateTime={row.createdAt}>{row.time}</time>
                  </td>
                  <td>
                    {row.actorId ? (
                      <Link className="standalone-link" to={`/admin/users/${row.actorId}`}>
                        {row.actorEmail ?? row.actorId}
                      </Link>
                    ) : (
                      (row.actorEmail ?? "—")
                    )}
                  </td>
                  <td>
                    <code>{row.action}</code>
                  </td>
                  <td>
                    <span className={`badge ${row.outcome === "success" ? "ok" : "danger"}`}>{row.outcome}</span>
                  </td>
                  <td>
                    {row.targetUserId ? (
                      // Alone in its cell, a one-line "user <id>" was 19 px high on a phone: a 24 px target.
                      <Link className="standalone-link" to={`/admin/users/${row.targetUserId}`}>
                        {row.target}
                      </Link>
                    ) : (
                      row.target
                    )}
                  </td>
                  <td>{row.ip ?? ""}</td>
                  <td>
                    {row.details.length > 0 ? (
                      <>
                        <dl className="details audit-details">
                          {row.details.map(({ key, value }) => (
                            <div key={key}>
                              <dt>{key}</dt>
                              <dd>{value}</dd>
                            </div>
                          ))}
                        </dl>
                        <details className="audit-json">
                          <summary>JSON</summary>
                          <pre className="details-json">{row.detailsJson}</pre>
                        </details>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      ) : null}
      <nav aria-label="Pages" className="pager">
        {firstPage ? null : <Link to={`/admin/audit${query ? `?${query}` : ""}`}>Newest events</Link>}
        {next ? <Link to={`/admin/audit?${filterQuery(values, { cursor: next })}`}>Next page</Link> : null}
      </nav>
    </section>
  );
}
