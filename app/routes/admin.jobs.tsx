import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { ScrollBox } from "~/components/scroll-box";
import { StackedCell, StackedRow, StackedTable } from "~/components/stacked-table";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { OneTimeNotice } from "~/components/one-time-notice";
import { redirectWithNotice, takeNotice } from "~/http/notice.server";
import { changeJob, jobsOverview } from "~/admin/jobs.server";
import { jobActionSchema } from "~/admin/schemas";
import { formatDateTime } from "~/accounts/time-zone";
import { requireAdmin } from "~/auth/guards.server";
import { QUEUE_STATES } from "~/jobs/states";

export const meta: MetaFunction = () => [{ title: "Jobs · Admin · ARES" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, context);
  const { notice, headers } = await takeNotice(request, admin.id, {
    retry: "The job is queued again.",
    cancel: "The job is cancelled.",
  });
  const { failed, worker, ...overview } = await jobsOverview();
  // Shown on the admin's clock; the ISO values stay in <time datetime>.
  const shown = (iso: string | null) => (iso ? formatDateTime(new Date(iso), admin.timeZone) : null);
  return data(
    {
      ...overview,
      failed: failed.map((job) => ({ ...job, failed: shown(job.failedAt) })),
      worker: { ...worker, lastPoll: shown(worker.lastPollAt) },
      notice,
    },
    { headers },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireAdmin(request, context);
  const parsed = jobActionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ error: parsed.error.issues[0]!.message }, { status: 400 });
  const { intent, queue, jobId } = parsed.data;
  const result = await changeJob(intent, queue, jobId, {
    actor: admin,
    ip: context.clientIp,
    userAgent: context.userAgent,
  });
  if (!result.ok) return data({ error: result.message }, { status: 409 });
  return redirectWithNotice("/admin/jobs", intent, admin.id);
}

const STATE_LABEL: Record<(typeof QUEUE_STATES)[number], string> = {
  created: "Waiting",
  retry: "Retrying",
  active: "Running",
  failed: "Failed",
  completed: "Completed (24 h)",
};

export default function AdminJobs() {
  const { queues, failed, worker, policyMismatches, notice } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  return (
    <>
      <section className="card">
        <h2>Background jobs</h2>
        {worker.state === "disabled" ? (
          <p>
            Worker: <span className="badge">disabled</span> this process does not work jobs (JOBS_WORKER=false); another
            ARES process on this database does.
          </p>
        ) : (
          <p>
            Worker: <span className={`badge ${worker.state === "running" ? "ok" : "danger"}`}>{worker.state}</span>
            {worker.lastPollAt ? (
              <>
                {" "}
                · last poll <time dateTime={worker.lastPollAt}>{worker.lastPoll}</time>
              </>
            ) : null}
          </p>
        )}
        {policyMismatches.map((mismatch) => (
          <p key={mismatch.queue} role="alert" className="field-error">
            Queue <code>{mismatch.queue}</code> keeps its old &ldquo;{mismatch.policy}&rdquo; policy; its job type asks
            for &ldquo;{mismatch.wanted}&rdquo;. Recreate the queue once it has no waiting or running jobs
            (docs/decisions/005-background-jobs.md).
          </p>
        ))}
        <OneTimeNotice notice={notice} hidden={Boolean(actionData)} />
        {actionData?.error ? (
          <p role="alert" className="field-error">
            {actionData.error}
          </p>
        ) : null}
        <ScrollBox label="Queues">
          <StackedTable headings={["Queue", ...QUEUE_STATES.map((state) => STATE_LABEL[state])]}>
            {queues.map((queue) => (
              <StackedRow key={queue.queue}>
                <StackedCell>
                  <code>{queue.queue}</code>
                </StackedCell>
                {QUEUE_STATES.map((state) => (
                  <StackedCell key={state} label={STATE_LABEL[state]}>
                    {queue.counts[state]}
                  </StackedCell>
                ))}
              </StackedRow>
            ))}
          </StackedTable>
        </ScrollBox>
      </section>
      <section className="card">
        <h3>Failed jobs ({failed.length})</h3>
        <p className="muted">Jobs out of attempts can be retried; jobs waiting for another attempt can be cancelled.</p>
        {failed.length === 0 ? (
          <p>None.</p>
        ) : (
          <ScrollBox label="Failed jobs">
            <StackedTable headings={["Queue", "Job", "State", "Attempts", "Error", "Failed", "Actions"]}>
              {failed.map((job) => (
                <StackedRow key={job.id}>
                  <StackedCell>
                    <code>{job.queue}</code>
                  </StackedCell>
                  <StackedCell label="Job">
                    <code>{job.id}</code>
                  </StackedCell>
                  <StackedCell label="State">{job.state === "failed" ? "failed" : "retrying"}</StackedCell>
                  <StackedCell label="Attempts">{job.attempts}</StackedCell>
                  <StackedCell label="Error">{job.error}</StackedCell>
                  <StackedCell label="Failed">
                    {job.failedAt ? <time dateTime={job.failedAt}>{job.failed}</time> : null}
                  </StackedCell>
                  <StackedCell>
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="queue" value={job.queue} />
                      <input type="hidden" name="jobId" value={job.id} />
                      {job.state === "failed" ? (
                        <button type="submit" name="intent" value="retry" className="small" disabled={busy}>
                          Retry
                        </button>
                      ) : (
                        <button type="submit" name="intent" value="cancel" className="small secondary" disabled={busy}>
                          Cancel
                        </button>
                      )}
                    </Form>
                  </StackedCell>
                </StackedRow>
              ))}
            </StackedTable>
          </ScrollBox>
        )}
      </section>
    </>
  );
}
