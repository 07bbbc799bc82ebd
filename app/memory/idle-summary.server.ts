import { z } from "zod";
import { prisma } from "~/db/db.server";
import { defineJob } from "~/jobs/define.server";
import { sendJob } from "~/jobs/queue.server";
import { logger } from "~/observability/logger.server";
import type { PromptMemory } from "./prompt-memory.server";
import { instanceSettings } from "./settings.server";
import { summarizeConversation } from "./summaries.server";

const log = logger.child({ domain: "memory" });

/** The model could not be reached: the attempt fails and the queue retries it with backoff. */
class SummaryProviderUnavailableError extends Error {
  constructor(reason: string) {
    super(`no provider answered the summary request: ${reason}`);
    this.name = "SummaryProviderUnavailableError";
  }
}

const payload = z.object({ conversationId: z.string().min(1) });

/**
 * Summarises a conversation once it has been idle for the instance's `summaryIdleMinutes`. Every finished
 * reply sends one (scheduleIdleSummary); the dedup key keeps one waiting job per conversation, so a later
 * reply does not add another: the waiting job, when due, sees the newer activity and moves itself to the
 * new idle deadline. Idempotent: summarizeConversation writes each message range once, so a second run in
 * the same idle period finds nothing new.
 */
export const summarizeIdleConversationJob = defineJob({
  name: "memory.summarize-idle",
  payload,
  // Only an unreachable provider is retried; bad model output is dropped, never retried (issue #14).
  retry: { limit: 3, delaySeconds: 60, maxDelaySeconds: 900 },
  timeoutSeconds: 300,
  singletonKey: ({ conversationId }) => conversationId,
  async handler({ conversationId }) {
    await summarizeWhenIdle(conversationId);
  },
});

type IdleOutcome =
  { status: "not-idle"; dueAt: Date } | { status: "no-messages" } | Awaited<ReturnType<typeof summarizeConversation>>;

/** The job's work: summarise now if the conversation has really been idle long enough, else wait again. */
async function summarizeWhenIdle(conversationId: string): Promise<IdleOutcome> {
  const settings = await instanceSettings();
  const idleMs = settings.summaryIdleMinutes * 60_000;
  const [activity, streaming] = await Promise.all([
    prisma.message.aggregate({ where: { conversationId }, _max: { updatedAt: true } }),
    prisma.message.count({ where: { conversationId, status: "streaming" } }),
  ]);
  const lastActivity = activity._max.updatedAt;
  if (!lastActivity) return { status: "no-messages" };
  // A reply still being written is activity: its end sends the next job anyway.
  const dueAt = new Date(Math.max(lastActivity.getTime() + idleMs, streaming > 0 ? Date.now() + idleMs : 0));
  if (dueAt.getTime() > Date.now()) {
    // Null when a later reply already queued one: that job carries this idle period.
    await sendJob(summarizeIdleConversationJob, { conversationId }, { startAfter: dueAt });
    return { status: "not-idle", dueAt };
  }
  const outcome = await summarizeConversation(conversationId);
  if (outcome.status === "unavailable") throw new SummaryProviderUnavailableError(outcome.reason);
  if ((outcome.status === "written" || outcome.status === "skipped") && outcome.remaining > 0) {
    // The input cap left messages over (or a skipped range was only the oldest part): the next job
    // continues at once, one model call per job.
    await sendJob(summarizeIdleConversationJob, { conversationId });
  }
  log.info({ conversationId, status: outcome.status }, "idle conversation summary run");
  return outcome;
}

/**
 * Called once a reply has finished (never before its first token): (re)arms the conversation's idle
 * summary. `memory` is what the reply's prompt statement read (switches and idle time), so this sends
 * the job and reads nothing. Never throws — the reply was already delivered, and a summary that is not
 * scheduled now is scheduled by the next reply.
 */
export async function scheduleIdleSummary(
  conversationId: string,
  memory: Pick<PromptMemory, "enabled" | "summaryIdleMinutes"> | null,
): Promise<void> {
  // `enabled` is the instance, person and conversation switches together.
  if (!memory?.enabled) return;
  try {
    await sendJob(
      summarizeIdleConversationJob,
      { conversationId },
      { startAfter: new Date(Date.now() + memory.summaryIdleMinutes * 60_000) },
    );
  } catch (error) {
    // Whatever failed (queue not started, database gone), it must not reach the finished reply.
    log.warn({ err: error, conversationId }, "could not schedule the idle summary");
  }
}
