import type { z } from "zod";

/**
 * What a handler gets besides its payload: which attempt this is, and a signal aborted at its timeout
 * and when pg-boss gives up on the attempt (shutdown after the grace, claim lost). A handler that can
 * run long checks it between steps: the attempt is already failed once it aborts.
 */
export type JobContext = { id: string; attempt: number; signal: AbortSignal };

/**
 * One kind of background job. Handlers must be idempotent: a job can run again after a crash, an
 * expiry or an operator's Retry, so running it twice must leave the same effect as running it once.
 */
export type JobDefinition<Schema extends z.ZodType = z.ZodType> = {
  /** The queue name; also what operators see on /admin/jobs. */
  name: string;
  payload: Schema;
  /** Retries after the first attempt, with exponential backoff from `delaySeconds` up to `maxDelaySeconds`. */
  retry: { limit: number; delaySeconds: number; maxDelaySeconds: number };
  /**
   * An attempt running longer fails and its signal aborts; one whose worker died is retried a little
   * after this (pg-boss's expiry, see expirySeconds in queue.server.ts).
   */
  timeoutSeconds: number;
  /**
   * At most one queued job per key: sending a second with the same key while one waits does nothing.
   * Scheduled runs carry the key too. The queue's policy is fixed when it is created (ADR 005).
   */
  singletonKey?: (payload: z.infer<Schema>) => string;
  handler: (payload: z.infer<Schema>, context: JobContext) => Promise<void>;
};

/** A cron schedule of a job, evaluated in a time zone; a run missed while ARES was down is sent once. */
export type JobSchedule<Schema extends z.ZodType = z.ZodType> = {
  job: JobDefinition<Schema>;
  cron: string;
  payload: z.infer<Schema>;
};

export function defineJob<Schema extends z.ZodType>(definition: JobDefinition<Schema>): JobDefinition<Schema> {
  return definition;
}
