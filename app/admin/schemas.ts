import { z } from "zod";

const userId = z.string({ error: "Choose a user." }).min(1).max(64);

export const userActionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("role"),
    userId,
    role: z.enum(["admin", "user"], { error: "Choose admin or user." }),
  }),
  z.object({ intent: z.literal("disable"), userId }),
  z.object({ intent: z.literal("enable"), userId }),
]);

export const jobActionSchema = z.object({
  intent: z.enum(["retry", "cancel"], { error: "Choose Retry or Cancel." }),
  queue: z.string({ error: "Choose a job." }).min(1).max(200),
  jobId: z.uuid({ error: "Choose a job." }),
});

/** How long a password reset link made by an admin works: long enough to hand over, short if it leaks. */
export const RESET_LINK_HOURS = 1;
