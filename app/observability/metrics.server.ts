import { remember } from "@epic-web/remember";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Every Prometheus series ARES exposes on /metrics. Other domains record through the typed helpers
 * below instead of touching prom-client, so the label names stay consistent with the dashboards.
 */

type Metrics = ReturnType<typeof createMetrics>;

/** Supplies the current number of active sessions when Prometheus scrapes; registered by the sessions module. */
type ActiveSessionsProvider = () => number | Promise<number>;

/** Supplies job counts per queue and state when Prometheus scrapes; registered by the jobs module. */
type JobQueueDepthProvider = () => Promise<Array<{ queue: string; state: string; count: number }>>;

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const state: { activeSessions?: ActiveSessionsProvider; jobQueueDepth?: JobQueueDepthProvider } = {};
  return {
    registry,
    state,
    httpDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration by method, route template and status",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    llmDuration: new Histogram({
      name: "ares_llm_request_duration_seconds",
      help: "LLM request duration by provider, model and outcome",
      labelNames: ["provider", "model", "outcome"] as const,
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 80, 160],
      registers: [registry],
    }),
    llmTokens: new Counter({
      name: "ares_llm_tokens_total",
      help: "LLM tokens by provider, model and kind (prompt or completion)",
      labelNames: ["provider", "model", "kind"] as const,
      registers: [registry],
    }),
    llmFallbacks: new Counter({
      name: "ares_llm_fallbacks_total",
      help: "Times a request fell back from one provider to another",
      labelNames: ["from", "to"] as const,
      registers: [registry],
    }),
    llmErrors: new Counter({
      name: "ares_llm_errors_total",
      help: "LLM request failures by provider, model and reason",
      labelNames: ["provider", "model", "reason"] as const,
      registers: [registry],
    }),
    logins: new Counter({
      name: "ares_logins_total",
      help: "Sign-in attempts by method and result",
      labelNames: ["method", "result"] as const,
      registers: [registry],
    }),
    rateLimitRejections: new Counter({
      name: "ares_rate_limit_rejections_total",
      help: "Requests refused with 429 by rate-limit tier",
      labelNames: ["tier"] as const,
      registers: [registry],
    }),
    rateLimitStoreErrors: new Counter({
      name: "ares_rate_limit_store_errors_total",
      help: "Rate-limit store (Redis) failures; the requests were let through",
      registers: [registry],
    }),
    unhandledRejections: new Counter({
      name: "ares_unhandled_rejections_total",
      help: "Promise rejections nothing handled (logged; the process keeps running)",
      registers: [registry],
    }),
    dependencyUnavailable: new Counter({
      name: "ares_dependency_unavailable_total",
      help: "Requests or background tasks that met an unreachable dependency, by dependency",
      labelNames: ["dependency"] as const,
      registers: [registry],
    }),
    auditEvents: new Counter({
      name: "ares_audit_events_total",
      help: "Audit events by action and outcome",
      labelNames: ["action", "outcome"] as const,
      registers: [registry],
    }),
    activeSessions: new Gauge({
      name: "ares_active_sessions",
      help: "Unexpired sign-in sessions",
      registers: [registry],
      async collect() {
        // Read at scrape time so the value is never stale. A failing count (database down) must not
        // fail the whole scrape: the gauge keeps its last value and the health checks report the outage.
        if (!state.activeSessions) return;
        try {
          this.set(await state.activeSessions());
        } catch {
          return;
        }
      },
    }),
    telegramUpdates: new Counter({
      name: "ares_telegram_updates_total",
      help: "Telegram updates by outcome: received, handled, duplicate, in_progress (being handled elsewhere: retried later), unlinked (hint sent), ignored, failed",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    jobQueueDepth: new Gauge({
      name: "ares_job_queue_depth",
      help: "Background jobs by queue and state (created, retry, active, failed; completed: last 24 h)",
      labelNames: ["queue", "state"] as const,
      registers: [registry],
      async collect() {
        if (!state.jobQueueDepth) return;
        try {
          const counts = await state.jobQueueDepth();
          this.reset();
          for (const { queue, state: jobState, count } of counts) this.set({ queue, state: jobState }, count);
        } catch {
          // As for sessions: a database outage must not fail the scrape; the health checks report it.
          return;
        }
      },
    }),
    jobsTotal: new Counter({
      name: "ares_jobs_total",
      help: "Job attempts finished by this process, by queue and result (completed, error, timeout, invalid payload)",
      labelNames: ["queue", "result"] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: "ares_job_duration_seconds",
      help: "Time a job attempt ran, by queue",
      labelNames: ["queue"] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
  };
}

// One registry per process: Vite's dev hot reload re-evaluates modules, which must keep recording
// into the same series (prom-client also refuses a second metric of the same name).
const metrics: Metrics = remember("ares-metrics", createMetrics);

export const metricsRegistry: Registry = metrics.registry;

export function observeHttpRequest(labels: { method: string; route: string; status: number }, seconds: number): void {
  metrics.httpDuration.observe({ ...labels, status: String(labels.status) }, seconds);
}

type LlmLabels = { provider: string; model: string };

export function observeLlmRequest(
  labels: LlmLabels & { outcome: "ok" | "error" | "cancelled" },
  seconds: number,
): void {
  metrics.llmDuration.observe(labels, seconds);
}

export function countLlmTokens(labels: LlmLabels & { kind: "prompt" | "completion" }, tokens: number): void {
  metrics.llmTokens.inc(labels, tokens);
}

export function countLlmFallback(from: string, to: string): void {
  metrics.llmFallbacks.inc({ from, to });
}

export function countLlmError(labels: LlmLabels & { reason: string }): void {
  metrics.llmErrors.inc(labels);
}

export function countLogin(method: string, result: "success" | "failure" | "locked"): void {
  metrics.logins.inc({ method, result });
}

export function countRateLimitRejection(tier: string): void {
  metrics.rateLimitRejections.inc({ tier });
}

export type TelegramUpdateOutcome =
  "received" | "handled" | "duplicate" | "in_progress" | "unlinked" | "ignored" | "failed";

export function countTelegramUpdate(outcome: TelegramUpdateOutcome): void {
  metrics.telegramUpdates.inc({ outcome });
}

export function countRateLimitStoreError(): void {
  metrics.rateLimitStoreErrors.inc();
}

export function countUnhandledRejection(): void {
  metrics.unhandledRejections.inc();
}

export function countDependencyUnavailable(dependency: "database" | "redis"): void {
  metrics.dependencyUnavailable.inc({ dependency });
}

export function countAuditEvent(action: string, outcome: "success" | "failure"): void {
  metrics.auditEvents.inc({ action, outcome });
}

export function setActiveSessionsProvider(provider: ActiveSessionsProvider): void {
  metrics.state.activeSessions = provider;
}

export function setJobQueueDepthProvider(provider: JobQueueDepthProvider | undefined): void {
  metrics.state.jobQueueDepth = provider;
}

/** One finished job attempt; an invalid payload never ran, so it has no duration. */
export function observeJobRun(
  queue: string,
  result: "completed" | "error" | "timeout" | "invalid",
  seconds?: number,
): void {
  metrics.jobsTotal.inc({ queue, result });
  if (seconds !== undefined) metrics.jobDuration.observe({ queue }, seconds);
}
