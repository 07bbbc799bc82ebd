import type { z } from "zod";

/** What a handler gets besides its payload: which attempt this is, and a signal aborted at its timeout. */
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
  /** An attempt running longer is aborted; one whose worker died is retried once this has passed. */
  timeoutSeconds: number;
  /** At most one queued job per key: sending a second with the same key while one waits does nothing. */
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
