import { z } from "zod";
import { prisma } from "~/db/db.server";
import { logger } from "~/observability/logger.server";
import { defineJob, type JobContext, type JobDefinition } from "./define.server";

/**
 * A job sent once each time ARES starts (worker.server.ts), for data work SQL cannot do. It runs to its end
 * once per `version` of what it does: the end is recorded (StartupJobDone), and later starts skip the
 * work until the version changes. Every process sends it; the dedup key keeps that to one queued run,
 * and a run that overlaps another anyway (the work is idempotent) records the same row.
 */
export function defineStartupJob(definition: {
  name: string;
  /** Raise it when the work would now do something different: the next start runs it again. */
  version: number;
  timeoutSeconds: number;
  run: (context: JobContext) => Promise<void>;
}): JobDefinition {
  const { name, version } = definition;
  return defineJob({
    name,
    payload: z.object({}),
    retry: { limit: 3, delaySeconds: 60, maxDelaySeconds: 900 },
    timeoutSeconds: definition.timeoutSeconds,
    singletonKey: () => name,
    async handler(_payload, context) {
      if (await prisma.startupJobDone.findUnique({ where: { name_version: { name, version } } })) return;
      await definition.run(context);
      await prisma.startupJobDone.createMany({ data: [{ name, version }], skipDuplicates: true });
      logger.info({ job: name, version }, "start-up job done; later starts skip it until its version changes");
    },
  });
}
