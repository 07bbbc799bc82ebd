import { z } from "zod";

/**
 * The health endpoints' response shapes. The routes build their bodies with these types and the
 * OpenAPI document is generated from the same schemas, so the two cannot drift apart.
 */
export const dependencyCheckSchema = z.object({
  status: z.enum(["up", "down", "not_configured"]),
  latencyMs: z.number().int().min(0),
  error: z.string().optional().describe("Why the check failed; never contains secrets"),
});
export type DependencyCheck = z.infer<typeof dependencyCheckSchema>;

export const liveResponseSchema = z.object({ status: z.literal("ok") });

export const readyResponseSchema = z.object({
  status: z.enum(["ready", "not_ready"]),
  checks: z.object({
    database: dependencyCheckSchema,
    migrations: dependencyCheckSchema,
    redis: dependencyCheckSchema,
  }),
});
export type ReadyResponse = z.infer<typeof readyResponseSchema>;

export const healthReportSchema = z.object({
  status: z
    .enum(["ok", "degraded", "down"])
    .describe("down: a dependency ARES needs is failing; degraded: only an optional provider is"),
  version: z.string(),
  uptimeSeconds: z.number().int().min(0),
  checkedAt: z.iso.datetime(),
  dependencies: z.object({
    database: dependencyCheckSchema,
    migrations: dependencyCheckSchema,
    redis: dependencyCheckSchema,
    auth0: dependencyCheckSchema,
    openrouter: dependencyCheckSchema,
    ollama: dependencyCheckSchema,
    telegram: dependencyCheckSchema.describe("The Telegram bot (getMe), when TELEGRAM_BOT_TOKEN is set"),
  }),
  jobs: z.object({
    worker: z.object({
      state: z
        .enum(["running", "stopped", "disabled"])
        .describe("Whether this process works background jobs (disabled: JOBS_WORKER=false, another process does)"),
      lastPollAt: z.iso
        .datetime()
        .nullable()
        .describe("When this process's job workers last asked the database for work"),
    }),
  }),
});
export type HealthReport = z.infer<typeof healthReportSchema>;
export type DependencyName = keyof HealthReport["dependencies"];
