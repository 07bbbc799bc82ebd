import { remember } from "@epic-web/remember";
import { computed, rowContract, type RowOf } from "~/db/row-contract";
import { queryRows } from "~/db/sql.server";
import { Prisma } from "~/generated/prisma/client";

/**
 * Replies being generated in this process are written to the database as they grow, so another process
 * (or a reload) can follow them and a crash keeps the text so far. ONE statement per beat writes every
 * growing reply of the process, instead of a query per reply per beat: 200 replies streaming at once
 * were ~500 Prisma updates a second, and most of the memory the streams cost. The same statement tells
 * each reply whether Stop was pressed for it in another process (it can only say so through the row).
 */
const WRITE_INTERVAL_MS = 250;

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

/** Never rejects: a failed write is each reply's to handle (onFailed). */
async function writeAll(): Promise<void> {
  const due = [...writer.replies].filter(([, reply]) => reply.content().length !== reply.written);
  if (due.length === 0) return;
  const contents = due.map(([, reply]) => reply.content());
  // PostgreSQL text cannot hold U+0000, and one bad value would fail every reply's write in the beat:
  // a model's NUL is written as U+FFFD (same length, so `written` still matches the live text).
  const storable = contents.map((content) => content.replaceAll("\u0000", "\uFFFD"));
  const ids = due.map(([id]) => id);
  let rows: GrowingReplyRow[];
  try {
    rows = await queryRows<GrowingReplyRow>(growingRepliesSql(ids, storable));
  } catch (error) {
    for (const [id, reply] of due) {
      writer.replies.delete(id);
      reply.onFailed(error);
    }
    return;
  }
  const stopRequested = new Set(rows.filter((row) => row.stopRequested).map((row) => row.id));
  due.forEach(([id, reply], index) => {
    reply.written = contents[index]!.length;
    if (stopRequested.has(id)) reply.onStopRequested();
  });
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
