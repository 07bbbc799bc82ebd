import { describeError } from "~/db/availability.server";
import { prisma } from "~/db/db.server";
import { queryRows } from "~/db/sql.server";
import { Prisma } from "~/generated/prisma/client";
import { logger } from "~/observability/logger.server";
import { liveContent } from "./generation.server";
import { storableText } from "./model-text";
import { storedReplyHtml } from "./reply-html.server";
import { abortLocalGeneration, localGenerationIds, publish } from "./stream-bus.server";

/**
 * Replies left `streaming` by a process that died (crash, `kill -9`, a drain longer than the grace
 * period) are settled as `aborted`, keeping the text persisted so far.
 *
 * Several ARES processes share one database, so a process must never settle a reply another live
 * process is still writing. Ownership is proven by a heartbeat on the row itself: every process bumps
 * `updatedAt` of the replies it is generating every HEARTBEAT_MS (content writes bump it too), and a
 * reply is an orphan only when nobody has touched it for ORPHAN_AFTER_MS — several missed heartbeats.
 * That needs no registry of instances and no clock but the database's rows; a reply orphaned just
 * before a restart is settled by the periodic sweep within ORPHAN_AFTER_MS + SWEEP_INTERVAL_MS.
 * A process that shuts down settles its own unfinished replies itself, at once (settleLocalReplies).
 */
const HEARTBEAT_MS = 10_000;
const ORPHAN_AFTER_MS = 60_000;
const SWEEP_INTERVAL_MS = 30_000;

const log = logger.child({ domain: "chat" });

/** Settles every reply no live process has touched for ORPHAN_AFTER_MS; returns how many. */
export async function settleOrphanedReplies(olderThanMs = ORPHAN_AFTER_MS): Promise<number> {
  const { count } = await prisma.message.updateMany({
    where: { status: "streaming", updatedAt: { lt: new Date(Date.now() - olderThanMs) } },
    data: { status: "aborted" },
  });
  if (count > 0) log.warn({ count }, "settled replies abandoned by a stopped process");
  return count;
}

/**
 * The heartbeat's statement. It waits for no row: a reply locked right now is being written — its
 * growing text or its final statement (finished-replies.server.ts, many replies at once) by this
 * process, or a Stop — and that write stamps `updatedAt` itself. Waiting instead, rows in whatever
 * order, could deadlock with such a write (PostgreSQL ends one of the two only after deadlock_timeout, 1 s).
 */
export function heartbeatSql(ids: string[]): Prisma.Sql {
  // `updatedAt` is UTC without a zone, as Prisma stores it.
  return Prisma.sql`
    UPDATE "Message" SET "updatedAt" = now() AT TIME ZONE 'UTC'
     WHERE id IN (SELECT id FROM "Message"
                   WHERE id = ANY(${ids}::text[]) AND status = 'streaming'::"MessageStatus"
                   FOR NO KEY UPDATE SKIP LOCKED)`;
}

async function heartbeat(): Promise<void> {
  const ids = localGenerationIds();
  if (ids.length === 0) return;
  await queryRows(heartbeatSql(ids));
}

/**
 * At shutdown, after the grace period: the replies this process is still writing are stopped and
 * stored as `aborted` with the text generated so far. Returns how many.
 */
export async function settleLocalReplies(): Promise<number> {
  const ids = localGenerationIds();
  let settled = 0;
  for (const id of ids) {
    const content = liveContent(id);
    abortLocalGeneration(id);
    // Each on its own: one reply that cannot be stored must not leave the others `streaming`.
    try {
      const { count } = await prisma.message.updateMany({
        where: { id, status: "streaming" },
        data: {
          status: "aborted",
          ...(content === undefined
            ? {}
            : { content: storableText(content), ...storedReplyHtml(storableText(content)) }),
        },
      });
      settled += count;
      // No row changed: the reply was stored finished in the same instant, and its own `done` told its readers.
      if (count > 0) publish(id, { type: "done", status: "aborted" });
    } catch (error) {
      // Left `streaming`: the orphan sweep of the next process to start settles it. Its generation is
      // stopped all the same, so its readers here are told it ended.
      log.error({ messageId: id, error: describeError(error) }, "could not store a reply stopped at shutdown");
      publish(id, { type: "done", status: "aborted" });
    }
  }
  if (settled > 0) log.warn({ count: settled }, "stopped replies still being written at shutdown");
  return settled;
}

/** Sweeps at once (start-up) and then periodically, and heartbeats this process's replies. Returns a stop function. */
export function startReplyMaintenance(): () => void {
  // Called before the server listens: no reply of this process is older than this.
  const startedAt = Date.now();
  const owned = (task: string, run: () => Promise<unknown>) => () => {
    run().catch((error: unknown) => log.warn({ task, error: describeError(error) }, "reply maintenance failed"));
  };
  const sweep = owned("orphan sweep", () => settleOrphanedReplies());
  // On the embedded database this is the only process (its data folder's lock): a reply left `streaming`
  // from before it started has nobody writing it (the last process was killed mid-reply), and is settled
  // now. The heartbeat wait is for a shared database, where another live process may own such a reply;
  // here it kept a reply "being written", refusing Retry and Edit, for a minute and more after a restart.
  if (process.env.ARES_EMBEDDED_DB === "1")
    owned("orphan sweep", () => settleOrphanedReplies(Date.now() - startedAt))();
  else sweep();
  const timers = [setInterval(sweep, SWEEP_INTERVAL_MS), setInterval(owned("heartbeat", heartbeat), HEARTBEAT_MS)];
  for (const timer of timers) timer.unref();
  return () => timers.forEach(clearInterval);
}
