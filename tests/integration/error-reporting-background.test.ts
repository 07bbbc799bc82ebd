/**
 * Error reporting (issue #18) for work no response waits on, in this process against the stand-in
 * Sentry ingest: a job that fails for good is reported once — not once per attempt — with its queue and
 * id, by the real worker on this file's own database, unless it failed because a model provider or the
 * database was down (expected states, ADR 007); an unhandled rejection is reported with the request it
 * came from.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { startStandInSentry, type StandInSentry } from "../../e2e/stand-ins/sentry-server";
import { defineJob } from "~/jobs/define.server";
import { LlmUnavailableError } from "~/llm/errors";
import { logUnhandledRejections } from "~/observability/process-failures.server";
import { runInRequestScope } from "~/observability/request-scope.server";
import type * as QueueModule from "~/jobs/queue.server";

let sentry: StandInSentry;
let queue: typeof QueueModule;
let attempts = 0;
const failing = defineJob({
  name: "test.always-fails",
  payload: z.object({ note: z.string() }),
  retry: { limit: 1, delaySeconds: 1, maxDelaySeconds: 1 },
  timeoutSeconds: 30,
  async handler() {
    attempts += 1;
    throw new Error("the test job fails on purpose");
  },
});

let outageAttempts = 0;
const providerDown = defineJob({
  name: "test.provider-down",
  payload: z.object({}),
  retry: { limit: 1, delaySeconds: 1, maxDelaySeconds: 1 },
  timeoutSeconds: 30,
  async handler() {
    outageAttempts += 1;
    throw new LlmUnavailableError([
      { provider: "ollama", model: "stub/large", reason: "connection", message: "Ollama could not be reached" },
    ]);
  },
});

beforeAll(async () => {
  sentry = await startStandInSentry();
  const { startErrorReporting } = await import("~/observability/error-reporting.server");
  expect(
    await startErrorReporting({
      serverDsn: sentry.dsn(),
      browserDsn: undefined,
      environment: "integration",
      release: "ares@0.1.0+0123456789ab",
      tracesSampleRate: 0,
    }),
  ).toBe(true);
  queue = await import("~/jobs/queue.server");
  await queue.startJobs({
    jobs: [failing, providerDown],
    tuning: { superviseIntervalSeconds: 1, monitorIntervalSeconds: 1 },
  });
}, 60_000);

afterAll(async () => {
  await queue?.stopJobs(2_000);
  const { flushErrorReports } = await import("~/observability/error-reporting.server");
  await flushErrorReports(2_000);
  await sentry?.close();
});

it("a job that fails on every attempt is reported once, with its queue and id, and not its payload", async () => {
  const id = await queue.sendJob(failing, { note: "payload text that stays home" });
  const deadline = Date.now() + 30_000;
  while (sentry.events().length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  // The first attempt failed too, and was retried: only the last failure is a report.
  expect(attempts).toBe(2);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const events = sentry.events() as Array<{
    tags?: Record<string, unknown>;
    release?: string;
    exception?: { values?: Array<{ value?: string }> };
  }>;
  expect(events).toHaveLength(1);
  expect(events[0]!.tags).toMatchObject({ source: "job", job_queue: "test.always-fails", job_id: id, job_attempt: 2 });
  expect(events[0]!.exception?.values?.at(-1)?.value).toBe("the test job fails on purpose");
  expect(events[0]!.release).toBe("ares@0.1.0+0123456789ab");
  expect(sentry.envelopes.map((envelope) => envelope.raw).join("\n")).not.toContain("payload text that stays home");
}, 45_000);

it("a job that fails for good because no model provider answered is not reported", async () => {
  sentry.reset();
  await queue.sendJob(providerDown, {});
  const deadline = Date.now() + 30_000;
  while (outageAttempts < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  // Both attempts failed, the last with no retry left: exactly when a fault would be reported.
  expect(outageAttempts).toBe(2);
  // A fault reported after it shows reports still flow, so the missing one was left out, not delayed.
  await queue.sendJob(failing, { note: "after the outage" });
  const later = Date.now() + 30_000;
  while (sentry.events().length === 0 && Date.now() < later) await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const events = sentry.events() as Array<{ tags?: Record<string, unknown> }>;
  expect(events.map((event) => event.tags?.job_queue)).toEqual(["test.always-fails"]);
}, 70_000);

it("an unhandled rejection is reported once, with the request id of the work that started it", async () => {
  sentry.reset();
  const before = new Set(process.listeners("unhandledRejection"));
  logUnhandledRejections();
  const handler = process.listeners("unhandledRejection").find((listener) => !before.has(listener))!;
  // Called directly: emitting the event would also reach the test runner's own handler.
  process.off("unhandledRejection", handler);
  runInRequestScope("req-rejected-1234", () => handler(new Error("nobody caught me"), Promise.resolve()));
  const deadline = Date.now() + 10_000;
  while (sentry.events().length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const events = sentry.events() as Array<{
    tags?: Record<string, unknown>;
    exception?: { values?: Array<{ value?: string }> };
  }>;
  expect(events).toHaveLength(1);
  expect(events[0]!.tags).toMatchObject({ source: "unhandled_rejection", request_id: "req-rejected-1234" });
  expect(events[0]!.exception?.values?.at(-1)?.value).toBe("nobody caught me");
});
