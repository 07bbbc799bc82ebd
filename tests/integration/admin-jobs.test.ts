/** /admin/jobs on the built server: counts by state, failed jobs, Retry and Cancel (audited), admin-only. */
import { describe, expect, inject, it } from "vitest";
import { formatDateTime } from "~/accounts/time-zone";
import { prisma } from "~/db/db.server";
import { serverForThisFile, signedUp } from "../support/app-server";
import { browserClient } from "../support/cookie-jar";
import { failJobElsewhere } from "../support/jobs";
import { startServer } from "../support/server-process";

const QUEUE = "sessions.purge-ended";
const METRICS_TOKEN = "admin-jobs-test-metrics-token-0123456789";
let server: ReturnType<typeof serverForThisFile>;
const signUp = (email: string) => signedUp(server.url, email);

const pageText = async (client: ReturnType<typeof browserClient>) => {
  const response = await client.get("/admin/jobs");
  expect(response.status).toBe(200);
  return (await response.text()).replaceAll("<!-- -->", "");
};

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// Making a job fail from outside needs a second connection: PostgreSQL only.
describe.runIf(inject("databaseMode") === "postgres")("/admin/jobs", () => {
  server = serverForThisFile({ METRICS_TOKEN });

  it("shows a failed job with its error and attempts; Retry runs it with the real handler, audited", async () => {
    const admin = await signUp("jobs-admin@example.test");
    const id = await failJobElsewhere(process.env.DATABASE_URL!, QUEUE, "the database was unreachable");
    const before = await pageText(admin);
    expect(before).toContain(`<code>${QUEUE}</code>`);
    expect(before).toContain(id);
    expect(before).toContain("the database was unreachable");
    expect(before).toMatch(
      new RegExp(
        `<td [^>]*data-label="State">failed</td><td [^>]*data-label="Attempts">1</td><td [^>]*data-label="Error">the database was unreachable`,
      ),
    );

    const retried = await admin.post("/admin/jobs", { intent: "retry", queue: QUEUE, jobId: id });
    expect(retried.status).toBe(302);
    expect(retried.headers.get("location")).toBe("/admin/jobs");
    await until(
      async () =>
        (await prisma.$queryRaw<Array<{ state: string }>>`SELECT state::text FROM pgboss.job WHERE id = ${id}::uuid`)[0]
          ?.state === "completed",
      15_000,
      "the retried job to complete",
    );
    expect(await pageText(admin)).not.toContain(id);
    const audit = await prisma.auditEvent.findMany({ where: { action: "job.retry" } });
    expect(audit).toMatchObject([
      { outcome: "success", targetType: "job", targetId: id, actorEmail: "jobs-admin@example.test" },
    ]);

    // Retrying it again is refused with a message, not a 500.
    const again = await admin.post("/admin/jobs", { intent: "retry", queue: QUEUE, jobId: id });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("cannot be retried");
    // ARES starts its queue in the background after it is ready: the first test may wait for it.
  }, 90_000);

  it("Retry while another run of the job waits to retry answers with a message, not a 500, audited", async () => {
    const admin = browserClient(server.url);
    expect(
      (await admin.post("/login", { email: "jobs-admin@example.test", password: "correct horse battery staple" }))
        .status,
    ).toBe(302);
    // Two runs without a dedup key (as the cron used to send them): one failed, one waiting to retry.
    // The purge queue is stately, and its unique index allows one job per state and key.
    const failed = await failJobElsewhere(process.env.DATABASE_URL!, QUEUE, "the database was busy", {
      singletonKey: null,
    });
    const waiting = await failJobElsewhere(process.env.DATABASE_URL!, QUEUE, "the database was busy", {
      retryLaterInstead: true,
      singletonKey: null,
    });
    const response = await admin.post("/admin/jobs", { intent: "retry", queue: QUEUE, jobId: failed });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain(
      "A run of this job is already waiting to retry; retry this one after that run finishes.",
    );
    const [row] = await prisma.$queryRaw<
      Array<{ state: string }>
    >`SELECT state::text FROM pgboss.job WHERE id = ${failed}::uuid`;
    expect(row!.state).toBe("failed");
    expect(await prisma.auditEvent.findMany({ where: { action: "job.retry", targetId: failed } })).toMatchObject([
      { outcome: "failure", details: { queue: QUEUE, reason: "already-waiting" } },
    ]);

    // Once the waiting run is cancelled, Retry works.
    expect((await admin.post("/admin/jobs", { intent: "cancel", queue: QUEUE, jobId: waiting })).status).toBe(302);
    expect((await admin.post("/admin/jobs", { intent: "retry", queue: QUEUE, jobId: failed })).status).toBe(302);
  }, 60_000);

  it("a process with JOBS_WORKER=false says it does not work jobs", async () => {
    const sender = await startServer({
      DATABASE_URL: process.env.DATABASE_URL,
      NODE_ENV: "test",
      ARES_SKIP_MIGRATIONS: "true",
      METRICS_TOKEN,
      JOBS_WORKER: "false",
    });
    try {
      const admin = browserClient(sender.url);
      expect(
        (await admin.post("/login", { email: "jobs-admin@example.test", password: "correct horse battery staple" }))
          .status,
      ).toBe(302);
      // It starts its queue (send-only) in the background once ready.
      let text = "";
      await until(
        async () => (text = await pageText(admin)).includes("this process does not work jobs"),
        30_000,
        "the send-only worker state",
      );
      expect(text).not.toContain(">running<");
      const health = (await (
        await fetch(`${sender.url}/api/v1/health`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })
      ).json()) as { jobs: { worker: { state: string; lastPollAt: string | null } } };
      expect(health.jobs.worker).toEqual({ state: "disabled", lastPollAt: null });
    } finally {
      await sender.stop();
    }
  }, 120_000);

  it("Cancel stops a job waiting to retry; bad input gets a message; others get 403", async () => {
    const admin = browserClient(server.url);
    expect(
      (await admin.post("/login", { email: "jobs-admin@example.test", password: "correct horse battery staple" }))
        .status,
    ).toBe(302);
    const id = await failJobElsewhere(process.env.DATABASE_URL!, QUEUE, "provider timeout", {
      retryLaterInstead: true,
    });
    expect(await pageText(admin)).toMatch(new RegExp(`${id}</code></td><td [^>]*data-label="State">retrying</td>`));
    expect((await admin.post("/admin/jobs", { intent: "cancel", queue: QUEUE, jobId: id })).status).toBe(302);
    const [row] = await prisma.$queryRaw<
      Array<{ state: string }>
    >`SELECT state::text FROM pgboss.job WHERE id = ${id}::uuid`;
    expect(row!.state).toBe("cancelled");
    expect(await prisma.auditEvent.count({ where: { action: "job.cancel", targetId: id, outcome: "success" } })).toBe(
      1,
    );

    const bad = await admin.post("/admin/jobs", { intent: "delete", queue: QUEUE, jobId: "nope" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Choose Retry or Cancel.");

    const member = await signUp("jobs-member@example.test");
    expect((await member.get("/admin/jobs")).status).toBe(403);
    expect((await member.post("/admin/jobs", { intent: "retry", queue: QUEUE, jobId: id })).status).toBe(403);
  }, 60_000);

  it("shows the worker's last poll and when a job failed on the admin's clock, not as ISO strings", async () => {
    const admin = await signUp("jobs-clock@example.test");
    await prisma.user.update({
      where: { email: "jobs-clock@example.test" },
      data: { timeZone: "Asia/Tokyo", role: "admin" },
    });
    await failJobElsewhere(process.env.DATABASE_URL!, QUEUE, "a failure to show the time of");
    let html = "";
    await until(async () => (html = await pageText(admin)).includes("last poll"), 10_000, "the worker's first poll");
    // What a person reads: no tags, no page data (whose ISO values are for the browser's code).
    const shown = html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]*>/g, "");
    expect(shown).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    const times = [...html.matchAll(/<time dateTime="([^"]+)">([^<]*)<\/time>/g)];
    expect(html).toMatch(/last poll <time dateTime="[^"]+Z">/);
    expect(times.length).toBeGreaterThanOrEqual(2);
    for (const [, at, text] of times) expect(text).toBe(formatDateTime(new Date(at!), "Asia/Tokyo"));
  });

  it("reports the worker's last poll in /api/v1/health and real queue depths in /metrics", async () => {
    // The full report is for operators (finding 7): the metrics token opens it, as it opens /metrics.
    const operator = { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } };
    const health = (await (await fetch(`${server.url}/api/v1/health`, operator)).json()) as {
      jobs: { worker: { state: string; lastPollAt: string | null } };
    };
    expect(health.jobs.worker.state).toBe("running");
    expect(Date.now() - Date.parse(health.jobs.worker.lastPollAt!)).toBeLessThan(10_000);
    const metrics = await (await fetch(`${server.url}/metrics`, operator)).text();
    expect(metrics).toContain(`ares_job_queue_depth{queue="${QUEUE}",state="completed"}`);
    expect(metrics).toMatch(new RegExp(`ares_jobs_total\\{queue="${QUEUE}",result="completed"\\} [1-9]`));
  });
});
