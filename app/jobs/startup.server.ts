import { z } from "zod";
import { prisma } from "~/db/db.server";
import { logger } from "~/observability/logger.server";
import { defineJob, type JobContext, type JobDefinition } from "./define.server";

/** What a start sends: the version of the work the sending process does. */
const startupPayload = z.object({ version: z.number().int().nonnegative().optional() });
type StartupPayload = z.infer<typeof startupPayload>;

/** A start-up job, with the payload each start sends. */
export type StartupJob = { job: JobDefinition<typeof startupPayload>; startPayload: StartupPayload };

/** A job for a version newer than this process's code: failed, so a retry reaches a newer process. */
export class StartupJobTooNewError extends Error {
  override name = "StartupJobTooNewError";
}

/**
 * A job sent once each time ARES starts (worker.server.ts), for data work SQL cannot do. It runs to its end
 * once per `version` of what it does: the end is recorded (StartupJobDone), and later starts skip the
 * work until the version changes. Every process sends it; the dedup key keeps that to one queued run per
 * version, and a run that overlaps another anyway (the work is idempotent) records the same row.
 *
 * In a rolling deploy old and new processes share the queue, so the version travels in the payload and
 * the dedup key: a process whose code is older than the job's version fails it (pg-boss retries it, in
 * time on a newer process) rather than doing the old work and recording nothing new; one whose code is
 * newer ignores it (it sent its own). A job without a version was sent before versions were sent.
 */
export function defineStartupJob(definition: {
  name: string;
  /** Raise it when the work would now do something different: the next start runs it again. */
  version: number;
  timeoutSeconds: number;
  run: (context: JobContext) => Promise<void>;
}): StartupJob {
  const { name, version } = definition;
  const job = defineJob({
    name,
    payload: startupPayload,
    // Enough retries to outlast a rolling deploy in which older processes take the job first.
    retry: { limit: 8, delaySeconds: 60, maxDelaySeconds: 900 },
    timeoutSeconds: definition.timeoutSeconds,
    singletonKey: (payload) => `${name}:v${payload.version ?? 0}`,
    async handler(payload, context) {
      const wanted = payload.version ?? 0;
      if (wanted > version) {
        throw new StartupJobTooNewError(`${name} v${wanted} sent by a newer process; this one runs v${version}`);
      }
      if (wanted < version) {
        logger.info({ job: name, version, sent: wanted }, "start-up job of an older version ignored");
        return;
      }
      if (await prisma.startupJobDone.findUnique({ where: { name_version: { name, version } } })) return;
      await definition.run(context);
      await prisma.startupJobDone.createMany({ data: [{ name, version }], skipDuplicates: true });
      logger.info({ job: name, version }, "start-up job done; later starts skip it until its version changes");
    },
  });
  return { job, startPayload: { version } };
}
