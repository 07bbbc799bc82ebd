import { remember } from "@epic-web/remember";
import { describeError, isDatabaseUnavailable } from "~/db/availability.server";
import { computed, rowContract, type RowOf } from "~/db/row-contract";
import { queryRows } from "~/db/sql.server";
import { Prisma } from "~/generated/prisma/client";
import { reportFailure } from "~/observability/error-reporting.server";
import { logger } from "~/observability/logger.server";

/**
 * Replies being generated in this process are written to the database as they grow, so another process
 * (or a reload) can follow them and a crash keeps the text so far. ONE statement per beat writes every
 * growing reply of the process, instead of a query per reply per beat: 200 replies streaming at once
 * were ~500 Prisma updates a second, and most of the memory the streams cost. The same statement tells
 * each reply whether Stop was pressed for it in another process (it can only say so through the row);
 * replies that did not grow in the beat (waiting for a first token, a stalled model) ask the row directly.
 * Model text is made storable where it enters the reply (model-text.ts), so the batch never holds a NUL.
 */
const WRITE_INTERVAL_MS = 250;

const log = logger.child({ domain: "chat" });

export const growingRepliesColumns = rowContract({
  id: "Message.id",
  stopRequested: computed("boolean"),
});
type GrowingReplyRow = RowOf<typeof growingRepliesColumns>;

/** The statement behind each beat (its columns: growingRepliesColumns); a finished reply is left alone. */
export function growingRepliesSql(ids: string[], contents: string[]): Prisma.Sql {
  // `updatedAt` is the reply's heartbeat too (reply-maintenance.server.ts): UTC without a zone, as Prisma stores it.
  return Prisma.sql`
    UPDATE "Message" AS m SET content = v.content, "updatedAt" = now() AT TIME ZONE 'UTC'
      FROM unnest(${ids}::text[], ${contents}::text[]) AS v(id, content)
     WHERE m.id = v.id AND m.status = 'streaming'::"MessageStatus"
    RETURNING m.id, m."stopRequestedAt" IS NOT NULL AS "stopRequested"`;
}

export const stopRequestedColumns = rowContract({ id: "Message.id" });
type StopRequestedRow = RowOf<typeof stopRequestedColumns>;

/** Which of these replies Stop was pressed for (its columns: stopRequestedColumns). */
export function stopRequestedSql(ids: string[]): Prisma.Sql {
  return Prisma.sql`SELECT id FROM "Message" WHERE id = ANY(${ids}::text[]) AND "stopRequestedAt" IS NOT NULL`;
}

export type GrowingReply = {
  /** The text so far. */
  content: () => string;
  /** Stop was pressed in another process. */
  onStopRequested: () => void;
  /** The text can no longer be written as it grows (the database is unreachable); no further writes. */
  onFailed: (error: unknown) => void;
};

type Entry = GrowingReply & { written: number };
type Writer = { replies: Map<string, Entry>; timer: NodeJS.Timeout | undefined; writing: Promise<void> | undefined };

// One writer per process, kept across `npm run dev`'s hot reloads (a reload must not orphan live replies).
const writer: Writer = remember("ares-growing-replies", () => ({
  replies: new Map<string, Entry>(),
  timer: undefined,
  writing: undefined,
}));

function fail(id: string, reply: Entry, error: unknown): void {
  writer.replies.delete(id);
  reply.onFailed(error);
}

/** Writes these replies' text in one statement; returns the ids Stop was pressed for. */
async function write(due: Array<[string, Entry]>): Promise<Set<string>> {
  const ids = due.map(([id]) => id);
  const contents = due.map(([, reply]) => reply.content());
  const rows = await queryRows<GrowingReplyRow>(growingRepliesSql(ids, contents));
  due.forEach(([, reply], index) => (reply.written = contents[index]!.length));
  return new Set(rows.filter((row) => row.stopRequested).map((row) => row.id));
}

/** Never rejects: a failed write is each reply's to handle (onFailed). */
async function writeAll(): Promise<void> {
  const live = [...writer.replies];
  const due = live.filter(([, reply]) => reply.content().length !== reply.written);
  const idle = live.filter(([, reply]) => reply.content().length === reply.written);
  const stopRequested = new Set<string>();
  try {
    if (due.length > 0) for (const id of await write(due)) stopRequested.add(id);
    if (idle.length > 0) {
      const rows = await queryRows<StopRequestedRow>(stopRequestedSql(idle.map(([id]) => id)));
      for (const row of rows) stopRequested.add(row.id);
    }
  } catch (error) {
    // The database is unreachable: no reply can be kept as it grows.
    if (isDatabaseUnavailable(error)) return live.forEach(([id, reply]) => fail(id, reply, error));
    // Anything else is one reply's text or row at fault: only that reply fails, the others carry on.
    await writeOneByOne(due, stopRequested);
  }
  for (const [id, reply] of live) if (stopRequested.has(id)) reply.onStopRequested();
}

async function writeOneByOne(due: Array<[string, Entry]>, stopRequested: Set<string>): Promise<void> {
  for (const entry of due) {
    const [id, reply] = entry;
    try {
      for (const stopped of await write([entry])) stopRequested.add(stopped);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) {
        log.error({ messageId: id, error: describeError(error) }, "could not write a growing reply");
        reportFailure(error, { source: "generation", tags: { message_id: id } });
      }
      fail(id, reply, error);
    }
  }
}

function beat(): void {
  // A slow database must not pile writes up: the next beat starts after this one ends.
  writer.writing ??= writeAll().finally(() => (writer.writing = undefined));
}

/**
 * Writes the reply's text every beat while it grows. Returns `stop`: no further writes, resolving once
 * a write in flight has landed (so the reply's final write comes after it).
 */
export function writeAsItGrows(messageId: string, reply: GrowingReply): () => Promise<void> {
  // The row starts empty (send.server.ts), so there is nothing to write until the first token.
  writer.replies.set(messageId, { ...reply, written: 0 });
  if (!writer.timer) {
    writer.timer = setInterval(beat, WRITE_INTERVAL_MS);
    // The generations keep the process alive, not this loop.
    writer.timer.unref();
  }
  return async () => {
    writer.replies.delete(messageId);
    if (writer.replies.size === 0 && writer.timer) {
      clearInterval(writer.timer);
      writer.timer = undefined;
    }
    await writer.writing;
  };
}
