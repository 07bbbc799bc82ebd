import { type ActionCard, type ActionPreview, REFUSALS, type Refusal, UNDO_MINUTES } from "./action-card";
import { recordAudit, type AuditOrigin } from "~/audit/audit.server";
import { prisma } from "~/db/db.server";
import type { CalendarAction, Prisma } from "~/generated/prisma/client";
import {
  EventChangedError,
  EventNotFoundError,
  EventReadOnlyError,
  type EventDetail,
  OccurrenceNotFoundError,
  OccurrenceRequiredError,
  createEvent,
  deleteEvent,
  eventVersion,
  familyVersions,
  isOwnUidConflict,
  lockFamilies,
  ScopeRequiredError,
  updateEvent,
} from "./events.server";
import { describeRule } from "./recurrence";
import type { EventInput, Scope } from "./schemas";
import { type Temporal, fromDate, parseWall } from "./time";

/**
 * Changes the assistant proposes (issue #13 part 6). A proposal is a row linked to the reply that shows
 * it as a card; nothing changes until its owner confirms. A confirmed change is applied through the
 * calendar's own functions, audit-logged, and can be undone for UNDO_MINUTES: the rows it touched are
 * kept as they were and put back, the rows it created are removed.
 */

/** Someone else's action, or none: the two are indistinguishable (404). */
export class ActionNotFoundError extends Error {
  constructor() {
    super("Action not found");
    this.name = "ActionNotFoundError";
  }
}

/** The action is past the step asked for (already decided, or the undo window closed); `reason` says which. */
export class ActionSettledError extends Error {
  constructor(readonly reason: Refusal) {
    super(REFUSALS[reason]);
    this.name = "ActionSettledError";
  }
}

type Target = {
  event: EventDetail;
  occurrence: string | null;
  scope: Scope;
  current: EventInput;
  /** eventVersion of the event when it was read for the proposal: Confirm refuses it changed since. */
  version: string;
};

export type Proposal =
  | { kind: "create"; input: EventInput }
  | { kind: "update"; target: Target; input: EventInput }
  | { kind: "delete"; target: Target };

/** What is stored as the action's input: enough to apply it without asking the model again. */
type StoredInput = {
  eventId?: string;
  occurrence?: string | null;
  /** Absent for an event that did not repeat when proposed: if it repeats by Confirm, nothing is applied. */
  scope?: Scope;
  event?: EventInput;
  /** The event's version the proposal was made against (absent on proposals stored before it was kept). */
  version?: string;
};

type Preview = ActionPreview;

/** "Tuesday 8 December 2026" (ICU versions differ on a comma after the weekday: written out here). */
const longDay = (date: Temporal.PlainDate) =>
  `${date.toLocaleString("en-GB", { weekday: "long" })} ${date.day} ${date.toLocaleString("en-GB", { month: "long" })} ${date.year}`;
const clock = (wall: Temporal.PlainDateTime) => wall.toPlainTime().toString({ smallestUnit: "minute" });

/** "Tuesday 8 December 2026, 09:00–10:00 (Europe/Berlin)" */
function when(event: Pick<EventInput, "allDay" | "startLocal" | "endLocal" | "timeZone">): string {
  const start = parseWall(event.startLocal);
  const end = parseWall(event.endLocal);
  if (event.allDay) {
    const last = end.toPlainDate().subtract({ days: 1 });
    return last.equals(start.toPlainDate())
      ? `${longDay(start.toPlainDate())}, all day`
      : `${longDay(start.toPlainDate())} to ${longDay(last)}, all day`;
  }
  const span = start.toPlainDate().equals(end.toPlainDate())
    ? `${longDay(start.toPlainDate())}, ${clock(start)}–${clock(end)}`
    : `${longDay(start.toPlainDate())} ${clock(start)} to ${longDay(end.toPlainDate())} ${clock(end)}`;
  return `${span} (${event.timeZone})`;
}

function describe(event: EventInput, withRule: boolean): string[] {
  return [
    event.title,
    when(event),
    ...(withRule && event.rrule ? [`Repeats: ${describeRule(event.rrule)}`] : []),
    ...(event.location ? [`Where: ${event.location}`] : []),
  ];
}

function occurrenceWords(target: Target): string {
  const wall = parseWall(target.occurrence ?? target.current.startLocal);
  const day = longDay(wall.toPlainDate());
  return target.current.allDay ? day : `${day} at ${clock(wall)}`;
}

const isSeries = (target: Target) => Boolean(target.event.rrule || target.event.seriesId);

function affects(target: Target): string | null {
  if (!isSeries(target)) return null;
  if (target.scope === "this") return `Only the occurrence on ${occurrenceWords(target)}.`;
  if (target.scope === "following") return `The occurrence on ${occurrenceWords(target)} and every later one.`;
  return "Every occurrence of the repeating event.";
}

function previewOf(proposal: Proposal): Preview {
  if (proposal.kind === "create") {
    return {
      title: `Create “${proposal.input.title}”`,
      before: null,
      after: describe(proposal.input, true),
      affects: proposal.input.rrule ? "Every occurrence of the new repeating event." : null,
    };
  }
  const series = isSeries(proposal.target);
  // "This" keeps the series' rule; "following" and "all" show it, as it will be.
  const showRule = series && proposal.target.scope !== "this";
  if (proposal.kind === "update") {
    return {
      title: `Change “${proposal.target.current.title}”`,
      before: describe(proposal.target.current, showRule),
      after: describe(proposal.input, showRule),
      affects: affects(proposal.target),
    };
  }
  return {
    title: `Delete “${proposal.target.current.title}”`,
    before: describe(proposal.target.current, showRule),
    after: null,
    affects: affects(proposal.target),
  };
}

/** Stores the proposal as a pending action on the reply; returns its id. */
export async function proposeAction(
  context: { userId: string; messageId: string },
  proposal: Proposal,
): Promise<{ id: string }> {
  const input: StoredInput =
    proposal.kind === "create"
      ? { event: proposal.input }
      : {
          eventId: proposal.target.event.id,
          occurrence: proposal.target.occurrence,
          // A one-off's "all" would become the whole series if it repeats by Confirm: none is kept for it.
          ...(isSeries(proposal.target) ? { scope: proposal.target.scope } : {}),
          version: proposal.target.version,
          ...(proposal.kind === "update" ? { event: proposal.input } : {}),
        };
  return prisma.calendarAction.create({
    data: {
      userId: context.userId,
      messageId: context.messageId,
      kind: proposal.kind,
      input: input as Prisma.InputJsonObject,
      preview: previewOf(proposal) as unknown as Prisma.InputJsonObject,
    },
    select: { id: true },
  });
}

// ----------------------------------------------------------------------------------------------------
// Cards

/** What a confirmed card says once its Undo was closed early. */
const CLOSED_NOTES: Record<NonNullable<StoredUndo["closed"]>, string> = {
  "imported-again":
    "Confirmed: your calendar was changed. It can no longer be undone: the event was imported again since.",
  "changed-again":
    "Confirmed: your calendar was changed. It can no longer be undone: the event was changed again since.",
  subscribed:
    "Confirmed: your calendar was changed. It can no longer be undone: the event comes from a subscribed calendar now.",
};

const undoDeadline = (decidedAt: Date) => new Date(decidedAt.getTime() + UNDO_MINUTES * 60_000);

export function toCard(action: CalendarAction, now: Date, timeZone: string): ActionCard {
  const undo = action.undo as StoredUndo | null;
  const undoable = action.status === "confirmed" && action.decidedAt && undo && !undo.closed;
  const deadline = undoable ? undoDeadline(action.decidedAt!) : null;
  return {
    id: action.id,
    messageId: action.messageId,
    kind: action.kind,
    status: action.status,
    preview: action.preview as unknown as Preview,
    undoUntil: deadline && deadline > now ? deadline.toISOString() : null,
    undoUntilText:
      deadline && deadline > now
        ? fromDate(deadline, timeZone).toPlainTime().toString({ smallestUnit: "minute" })
        : null,
    note: undo?.failure ?? (undo?.closed ? CLOSED_NOTES[undo.closed] : null),
  };
}

/** The conversation an action's card is in, for my action only. */
export async function actionConversation(userId: string, actionId: string): Promise<string> {
  const action = await prisma.calendarAction.findFirst({
    where: { id: actionId, userId },
    select: { message: { select: { conversationId: true } } },
  });
  if (!action) throw new ActionNotFoundError();
  return action.message.conversationId;
}

// ----------------------------------------------------------------------------------------------------
// Confirm, cancel, undo

type SnapshotRow = Omit<
  Prisma.EventUncheckedCreateInput,
  "rangeStart" | "rangeEnd" | "replacedStart" | "replacedEnd" | "createdAt" | "updatedAt"
> & {
  rangeStart: string;
  rangeEnd: string | null;
  replacedStart: string | null;
  replacedEnd: string | null;
  createdAt: string;
};

type StoredUndo = {
  restore: SnapshotRow[];
  remove: string[];
  failure?: string;
  /**
   * The versions (familyVersions) of the families the change left, by head: Undo refuses to put rows
   * back over a family changed since (absent on changes confirmed before they were kept).
   */
  versions?: Record<string, string>;
  /**
   * Why Undo can no longer be done although its time is not up (the event was imported or changed again,
   * or a subscribed calendar's feed owns it now).
   */
  closed?: "imported-again" | "changed-again" | "subscribed";
};

/** A series with its overrides, or a single event, exactly as stored. */
async function snapshot(userId: string, eventId: string): Promise<SnapshotRow[]> {
  const event = await prisma.event.findFirst({ where: { id: eventId, userId }, select: { id: true, seriesId: true } });
  if (!event) return [];
  const root = event.seriesId ?? event.id;
  const rows = await prisma.event.findMany({ where: { userId, OR: [{ id: root }, { seriesId: root }] } });
  // The series first, so its overrides can point at it when put back.
  rows.sort((a, b) => Number(a.seriesId !== null) - Number(b.seriesId !== null));
  return rows.map(({ updatedAt: _updated, rangeStart, rangeEnd, replacedStart, replacedEnd, createdAt, ...row }) => ({
    ...row,
    rangeStart: rangeStart.toISOString(),
    rangeEnd: rangeEnd?.toISOString() ?? null,
    replacedStart: replacedStart?.toISOString() ?? null,
    replacedEnd: replacedEnd?.toISOString() ?? null,
    createdAt: createdAt.toISOString(),
  }));
}

const date = (value: string | null) => (value === null ? null : new Date(value));

function rowData(row: SnapshotRow): Prisma.EventUncheckedCreateInput {
  return {
    ...row,
    rangeStart: new Date(row.rangeStart),
    rangeEnd: date(row.rangeEnd),
    replacedStart: date(row.replacedStart),
    replacedEnd: date(row.replacedEnd),
    createdAt: new Date(row.createdAt),
  };
}

async function apply(userId: string, action: CalendarAction): Promise<{ eventId: string; undo: StoredUndo }> {
  const input = action.input as StoredInput;
  if (action.kind === "create") {
    const created = await createEvent(userId, input.event!);
    // Nobody else has its id yet: its version read now is the one it was created with.
    const versions = { [created.id]: await eventVersion(userId, created.id) };
    return { eventId: created.id, undo: { restore: [], remove: [created.id], versions } };
  }
  const target = { eventId: input.eventId!, ...(input.occurrence ? { occurrence: input.occurrence } : {}) };
  const before = await snapshot(userId, target.eventId);
  if (before.length === 0) throw new EventNotFoundError();
  // Read in the change's transaction, under its lock: the rows as this change left them, nothing after.
  let versions: Record<string, string> = {};
  const record = async (tx: Prisma.TransactionClient, shown: string) => {
    versions = await familyVersions(tx, userId, [before[0]!.id!, shown]);
  };
  if (action.kind === "delete") {
    await deleteEvent(userId, target, input.scope, input.version, record);
    return { eventId: target.eventId, undo: { restore: before, remove: [], versions } };
  }
  const shown = await updateEvent(userId, target, input.event!, input.scope, input.version, record);
  const existed = new Set(before.map((row) => row.id));
  return { eventId: shown, undo: { restore: before, remove: existed.has(shown) ? [] : [shown], versions } };
}

/** Why a confirmed proposal was not applied, as its card says it; nothing was changed. */
function notApplied(error: unknown): string | null {
  if (error instanceof EventNotFoundError || error instanceof OccurrenceNotFoundError) return NOT_APPLIED.gone;
  if (error instanceof OccurrenceRequiredError) return NOT_APPLIED.gone;
  if (error instanceof EventChangedError) return NOT_APPLIED.changed;
  if (error instanceof ScopeRequiredError) return NOT_APPLIED.repeats;
  // Proposed before the tools refused such events (or before it came from a feed): the feed owns it.
  if (error instanceof EventReadOnlyError) return NOT_APPLIED.subscribed(error.subscription.name);
  return null;
}

const NOT_APPLIED = {
  gone: "Not applied: the event no longer exists as proposed.",
  changed:
    "Not applied: the event was changed since this was proposed, and nothing was changed. Ask again to see the change against the event as it is now.",
  repeats:
    "Not applied: the event repeats now, and this change did not say which of its dates. Nothing was changed; ask again.",
  subscribed: (name: string) =>
    `Not applied: this event comes from the subscribed calendar “${name}”; change it at its source. Its feed replaces it at every refresh, so nothing was changed here.`,
};

type Decision = "confirm" | "cancel" | "undo";

/**
 * Applies my decision on one of my actions; throws ActionNotFoundError for anyone else's (or none) and
 * ActionSettledError when it is past that step.
 */
export async function decideAction(
  user: { id: string; email: string },
  actionId: string,
  decision: Decision,
  origin: Omit<AuditOrigin, "actor">,
): Promise<void> {
  const action = await prisma.calendarAction.findFirst({ where: { id: actionId, userId: user.id } });
  if (!action) throw new ActionNotFoundError();
  if (decision === "cancel") {
    const { count } = await prisma.calendarAction.updateMany({
      where: { id: action.id, status: "pending" },
      data: { status: "cancelled", decidedAt: new Date() },
    });
    if (count === 0) throw new ActionSettledError("decided");
    return;
  }
  if (decision === "confirm") return confirm(user, action, origin);
  return undo(user, action, origin);
}

async function confirm(
  user: { id: string; email: string },
  action: CalendarAction,
  origin: Omit<AuditOrigin, "actor">,
): Promise<void> {
  // Claimed first, so a double submit (two tabs, a resent form) applies the change once.
  const { count } = await prisma.calendarAction.updateMany({
    where: { id: action.id, status: "pending" },
    data: { status: "confirmed", decidedAt: new Date() },
  });
  if (count === 0) throw new ActionSettledError("decided");
  let applied: { eventId: string; undo: StoredUndo };
  try {
    applied = await apply(user.id, action);
  } catch (error) {
    // The event changed or went away since the proposal, it repeats now and the proposal named none of
    // its dates, or it named no date for "this": nothing was applied.
    const failure = notApplied(error);
    if (failure === null) throw error;
    await prisma.calendarAction.update({
      where: { id: action.id },
      data: { status: "cancelled", undo: { restore: [], remove: [], failure } },
    });
    return;
  }
  await prisma.calendarAction.update({
    where: { id: action.id },
    data: { eventId: applied.eventId, undo: applied.undo as unknown as Prisma.InputJsonObject },
  });
  await recordAudit(
    { actor: user, ...origin },
    {
      action: "calendar.assistant_change",
      outcome: "success",
      target: { type: "event", id: applied.eventId },
      details: { actionId: action.id, kind: action.kind, scope: (action.input as StoredInput).scope ?? null },
    },
  );
}

async function undo(
  user: { id: string; email: string },
  action: CalendarAction,
  origin: Omit<AuditOrigin, "actor">,
): Promise<void> {
  const stored = action.undo as StoredUndo | null;
  const cutoff = new Date(Date.now() - UNDO_MINUTES * 60_000);
  if (action.status === "undone") throw new ActionSettledError("undone");
  if (stored?.closed) throw new ActionSettledError(stored.closed);
  if (action.status !== "confirmed" || !stored || !action.decidedAt || action.decidedAt < cutoff) {
    throw new ActionSettledError("expired");
  }
  await prisma
    .$transaction(async (tx) => {
      const { count } = await tx.calendarAction.updateMany({
        where: { id: action.id, status: "confirmed", decidedAt: { gte: cutoff } },
        data: { status: "undone" },
      });
      if (count === 0) throw new ActionSettledError("undone");
      // The series' locks first, as every other change of the calendar takes them: an edit of the series
      // (or of the one a split made) waits for the undo, or the undo for it, instead of the two writing
      // each other's rows in opposite orders (a deadlock, a 500 for one of them).
      const touched = [...stored.restore.flatMap((row) => (row.id ? [row.id] : [])), ...stored.remove];
      await lockFamilies(tx, user.id, touched);
      // A feed owns the event now (read-only here): the rows put back would turn it into mine again, or
      // the removal delete the feed's event. Its version does not cover where it comes from, so asked here.
      if (await subscribedNow(tx, user.id, touched, stored.restore, action.decidedAt!)) {
        throw new ActionSettledError("subscribed");
      }
      // Changed again since (a form, another proposal, an import): putting the rows back would throw that
      // change away unseen. Read under the locks, so a change committed while Undo waited counts.
      if (stored.versions && (await changedSince(tx, user.id, stored.versions))) {
        throw new ActionSettledError("changed-again");
      }
      // Put back what was there first: a re-attached occurrence then no longer hangs off a row removed below.
      for (const row of stored.restore) {
        const data = rowData(row);
        const { id: _id, ...update } = data;
        await tx.event.upsert({ where: { id: row.id }, create: data, update });
      }
      await tx.event.deleteMany({ where: { userId: user.id, id: { in: stored.remove } } });
      // A deleted imported event is back: the record that kept importing its file from bringing it back goes.
      const restoredUids = [...new Set(stored.restore.map((row) => row.uid))];
      if (restoredUids.length > 0) {
        await tx.deletedImportedEvent.deleteMany({ where: { userId: user.id, uid: { in: restoredUids } } });
      }
      await recordAudit(
        { actor: user, ...origin },
        {
          action: "calendar.assistant_undo",
          outcome: "success",
          target: { type: "event", id: action.eventId ?? "" },
          details: { actionId: action.id, kind: action.kind },
        },
        tx,
      );
    })
    .catch((error: unknown) => settledIfOvertaken(action.id, stored, error));
}

/**
 * Whether any of these rows, or of the series they head, is a subscribed calendar's now; or a row to be put
 * back that is gone (a delete undone) has a UID a subscribed calendar's feed has made since the change
 * (`decidedAt`): put back, it would be a second copy of the feed's event, mine, beside it. A feed's event
 * of that UID that was there before the change was beside my copy then too: Undo puts things back as they were.
 */
async function subscribedNow(
  tx: Prisma.TransactionClient,
  userId: string,
  ids: string[],
  restore: SnapshotRow[],
  decidedAt: Date,
): Promise<boolean> {
  const owned = await tx.event.count({
    where: { userId, subscriptionId: { not: null }, OR: [{ id: { in: ids } }, { seriesId: { in: ids } }] },
  });
  if (owned > 0) return true;
  const restoreIds = restore.flatMap((row) => (row.id ? [row.id] : []));
  if (restoreIds.length === 0) return false;
  const present = new Set(
    (await tx.event.findMany({ where: { userId, id: { in: restoreIds } }, select: { id: true } })).map((row) => row.id),
  );
  const goneUids = [...new Set(restore.filter((row) => !row.id || !present.has(row.id)).map((row) => row.uid))];
  if (goneUids.length === 0) return false;
  // Heads only: a refresh updates a feed's series and one-offs in place (createdAt stays) but makes its
  // exceptions anew every time, so theirs says nothing about when the feed first had the UID.
  const madeSince = await tx.event.count({
    where: {
      userId,
      subscriptionId: { not: null },
      seriesId: null,
      uid: { in: goneUids },
      createdAt: { gt: decidedAt },
    },
  });
  return madeSince > 0;
}

async function changedSince(
  tx: Prisma.TransactionClient,
  userId: string,
  versions: Record<string, string>,
): Promise<boolean> {
  const now = await familyVersions(tx, userId, Object.keys(versions));
  return Object.entries(versions).some(([head, version]) => now[head] !== version);
}

/**
 * A deleted event put back whose UID is mine again meanwhile (the file it came from imported again), an
 * event changed again since the change, or one a subscribed calendar's feed owns now: the import's copy,
 * the later change or the feed's event stays, and this change
 * can no longer be undone. That is recorded (the transaction that found it was rolled back), so the card
 * stops offering an Undo that can only be refused.
 */
async function settledIfOvertaken(actionId: string, stored: StoredUndo, error: unknown): Promise<never> {
  const reason =
    error instanceof ActionSettledError && (error.reason === "changed-again" || error.reason === "subscribed")
      ? error.reason
      : isOwnUidConflict(error)
        ? "imported-again"
        : null;
  if (reason === null) throw error;
  const closed: StoredUndo = { ...stored, closed: reason };
  await prisma.calendarAction.updateMany({
    where: { id: actionId, status: "confirmed" },
    data: { undo: closed as unknown as Prisma.InputJsonObject },
  });
  throw new ActionSettledError(reason);
}
