import { createHash, randomUUID } from "node:crypto";
import { prisma } from "~/db/db.server";
import { likeLiteral } from "~/db/like";
import { unlessGone } from "~/db/record-gone.server";
import { rowContract, type RowOf } from "~/db/row-contract";
import { isRetryableTransactionFailure } from "~/db/transaction-retry.server";
import { queryRows } from "~/db/sql.server";
import { eventSpanSql } from "./event-span.server";
import { Prisma } from "~/generated/prisma/client";
import type { EventSource } from "~/generated/prisma/enums";
import {
  type EventRecord,
  type Occurrence,
  type Window,
  eventRange,
  expandOccurrences,
  isCancelled,
  isOccurrenceOf,
  occurrenceRange,
  sameOccurrence,
  splitOf,
} from "./occurrences";
import { firstWallStarts, parseRule, wallToUntil, withRulePart } from "./recurrence";
import type { ImportedEvent } from "./ical.server";
import { type EventInput, type Scope, SCOPES } from "./schemas";
import { formatWall, parseWall } from "./time";

/** Asked for an event that does not exist or belongs to someone else: the two are indistinguishable. */
export class EventNotFoundError extends Error {
  constructor() {
    super("Event not found");
    this.name = "EventNotFoundError";
  }
}

/** The event comes from a subscribed calendar: its feed owns it, so it cannot be edited or deleted here. */
export class EventReadOnlyError extends Error {
  constructor(readonly subscription: { id: string; name: string }) {
    super(`This event comes from the subscription “${subscription.name}”: change it in that calendar.`);
    this.name = "EventReadOnlyError";
  }
}

/**
 * An import that met another import or an edit of the same events at every attempt (a unique conflict,
 * a deadlock, a serialization failure): nothing was imported, and the same file sent again a moment
 * later goes through. The message says so in words that fit each of those.
 */
export class ImportContendedError extends Error {
  constructor(options?: ErrorOptions) {
    super("Your calendar was being changed at the same moment. Nothing was imported; try again.", options);
    this.name = "ImportContendedError";
  }
}

/**
 * An import the database could not store: its transaction ran out of time, the connection broke, a
 * statement failed. Nothing was imported (one transaction); the message says so on the import's form.
 */
export class ImportFailedError extends Error {
  constructor(options?: ErrorOptions) {
    super("Your calendar could not be saved just now. Nothing was imported; try again in a moment.", options);
    this.name = "ImportFailedError";
  }
}

function isDatabaseFailure(error: unknown): boolean {
  return (
    error instanceof Prisma.PrismaClientKnownRequestError ||
    error instanceof Prisma.PrismaClientUnknownRequestError ||
    error instanceof Prisma.PrismaClientInitializationError ||
    error instanceof Prisma.PrismaClientRustPanicError
  );
}

/** The occurrence asked for is not one of the series' starts. */
export class OccurrenceNotFoundError extends Error {
  constructor() {
    super("That occurrence is not part of the series");
    this.name = "OccurrenceNotFoundError";
  }
}

/**
 * "This event" of a series with no date named: the date meant must be said (the pages name it), rather
 * than the series' first date taken for it. Nothing is changed.
 */
export class OccurrenceRequiredError extends Error {
  constructor() {
    super("Which date of the repeating event? Name the occurrence to act on alone");
    this.name = "OccurrenceRequiredError";
  }
}

/**
 * A repeating event's form sent without saying which of its events it acts on (this, following, all):
 * nothing is changed, rather than the whole series taken for it.
 */
export class ScopeRequiredError extends Error {
  constructor() {
    super("Which events of the repeating event? Choose this, following or all");
    this.name = "ScopeRequiredError";
  }
}

/**
 * An edit form loaded from a version of the event that is no longer the stored one (changed in another
 * tab, on another device or by the assistant since): nothing is saved, so neither change is lost silently.
 */
export class EventChangedError extends Error {
  constructor() {
    super("The event was changed since the form was loaded");
    this.name = "EventChangedError";
  }
}

/** The columns occurrences are made from: not an event's description (an import's can run to pages). */
const expansionSelect = {
  id: true,
  title: true,
  location: true,
  allDay: true,
  startLocal: true,
  endLocal: true,
  timeZone: true,
  rrule: true,
  exdates: true,
  seriesId: true,
  recurrenceId: true,
} satisfies Prisma.EventSelect;

/** The stored fields occurrence expansion needs (EventRecord), for every query that expands. */
export const recordSelect = { ...expansionSelect, uid: true, description: true } satisfies Prisma.EventSelect;

/** The columns occurrences are made from, as the window statement reads them (docs/decisions/004). */
export const occurrenceWindowColumns = rowContract({
  id: "Event.id",
  title: "Event.title",
  location: "Event.location",
  allDay: "Event.allDay",
  startLocal: "Event.startLocal",
  endLocal: "Event.endLocal",
  timeZone: "Event.timeZone",
  rrule: "Event.rrule",
  exdates: "Event.exdates",
  seriesId: "Event.seriesId",
  recurrenceId: "Event.recurrenceId",
});

/**
 * My events whose UTC span overlaps [start, end), plus overrides whose replaced slot does (their
 * original occurrence must stay hidden). The span test is written twice: as the btree conditions, which
 * say exactly what is meant (a NULL "rangeEnd" is a series that never ends), and as one range overlap
 * (`&&`) on the GiST index of ("userId", span) (eventSpanSql). They agree for every span whose end follows
 * its start; one that does not (no occurrence) is no longer returned. With the btree conditions alone the
 * planner multiplied them as if independent and scanned the table at a few thousand events
 * (docs/decisions/010, phase 6). The window must not be empty (every caller's is at least a second).
 */
export function occurrenceWindowSql(userId: string, start: Date, end: Date): Prisma.Sql {
  const startAt = Prisma.sql`${start.toISOString()}::timestamp(3)`;
  const endAt = Prisma.sql`${end.toISOString()}::timestamp(3)`;
  const window = Prisma.sql`tsrange(${startAt}, ${endAt})`;
  return Prisma.sql`
    SELECT id, title, location, "allDay", "startLocal", "endLocal", "timeZone", rrule, exdates,
           "seriesId", "recurrenceId"
      FROM "Event"
     WHERE "userId" = ${userId}
       AND ((${eventSpanSql()} && ${window}
             AND "rangeStart" < ${endAt} AND ("rangeEnd" IS NULL OR "rangeEnd" > ${startAt}))
            OR ("replacedStart" < ${endAt} AND "replacedEnd" > ${startAt}))`;
}

/**
 * Every occurrence of my events overlapping the window, in my zone: ONE indexed statement whatever the
 * number of events. Every calendar view runs it, so it skips the ORM (docs/decisions/004).
 */
export async function listOccurrences(userId: string, window: Window, viewerZone: string): Promise<Occurrence[]> {
  const rows = await queryRows<RowOf<typeof occurrenceWindowColumns>>(
    occurrenceWindowSql(userId, new Date(window.start.epochMilliseconds), new Date(window.end.epochMilliseconds)),
  );
  return expandOccurrences(rows, window, viewerZone);
}

/**
 * Of these events of mine, the ones from a subscribed calendar, with its name: read-only here (its feed
 * replaces them at every refresh). One query, for the assistant's list_events (off the send path).
 */
export async function subscribedCalendarNames(userId: string, eventIds: string[]): Promise<Map<string, string>> {
  if (eventIds.length === 0) return new Map();
  const rows = await prisma.event.findMany({
    where: { userId, id: { in: [...new Set(eventIds)] }, subscriptionId: { not: null } },
    select: { id: true, subscription: { select: { name: true } } },
  });
  return new Map(rows.map((row) => [row.id, row.subscription?.name ?? ""]));
}

export type SearchHit = EventRecord & { rangeStart: Date };

/** The most hits a search shows: the latest ones. */
export const SEARCH_LIMIT = 50;

/** My events whose title, location or description contains the words, across all years (newest first). */
export async function searchEvents(userId: string, query: string, limit = SEARCH_LIMIT): Promise<SearchHit[]> {
  const words = query.split(/\s+/).filter(Boolean).slice(0, 8);
  if (!words.length) return [];
  return prisma.event.findMany({
    where: {
      userId,
      AND: words.map((word) => ({
        OR: [
          { title: { contains: likeLiteral(word), mode: "insensitive" as const } },
          { location: { contains: likeLiteral(word), mode: "insensitive" as const } },
          { description: { contains: likeLiteral(word), mode: "insensitive" as const } },
        ],
      })),
    },
    orderBy: [{ rangeStart: "desc" }, { id: "asc" }],
    take: limit,
    select: { ...recordSelect, rangeStart: true },
  });
}

const detailSelect = {
  ...recordSelect,
  reminders: true,
  source: true,
  // With reminders: an occurrence's edit form shows its override as it is (overrideAt).
  overrides: { select: { ...recordSelect, reminders: true }, orderBy: { recurrenceId: "asc" as const } },
  series: { select: recordSelect },
  subscription: { select: { id: true, name: true } },
  // Set on an imported family's head: deleting it records its UID (rememberDeletedImport).
  importedVersion: true,
} satisfies Prisma.EventSelect;

export type EventDetail = Prisma.EventGetPayload<{ select: typeof detailSelect }>;

/** One of my events with its overrides (a series) or its series (an override); 404 otherwise. */
export async function getEvent(userId: string, eventId: string, db: Tx = prisma): Promise<EventDetail> {
  const event = await db.event.findFirst({ where: { id: eventId, userId }, select: detailSelect });
  if (!event) throw new EventNotFoundError();
  return event;
}

function rowData(input: Omit<EventInput, "timeZone"> & { timeZone: string | null }) {
  return {
    title: input.title,
    description: input.description,
    location: input.location,
    allDay: input.allDay,
    startLocal: input.startLocal,
    endLocal: input.endLocal,
    // An all-day event is on the same dates wherever it is seen: it keeps no zone.
    timeZone: input.allDay ? null : input.timeZone,
    rrule: input.rrule,
    reminders: input.reminders,
    ...eventRange({ ...input, timeZone: input.allDay ? null : input.timeZone }),
  };
}

export async function createEvent(
  userId: string,
  input: EventInput,
  source: EventSource = "local",
): Promise<{ id: string }> {
  return prisma.event.create({
    data: { userId, uid: `${randomUUID()}@ares`, source, ...rowData(input) },
    select: { id: true },
  });
}

type Target = { eventId: string; occurrence?: string | undefined };

type SeriesContext = {
  series: EventDetail;
  /** Which of its events are acted on: a series is never acted on without it being said. */
  scope: Scope;
  /** The occurrence acted on (wall-clock start it had in the series). */
  occurrence: string;
  /** The override row at that occurrence, if it was edited before. */
  override: EventRecord | null;
};

/** Resolves the event acted on: a one-off event, or a series and one of its occurrences. */
async function resolve(
  tx: Tx,
  userId: string,
  target: Target,
  scope: Scope | undefined,
): Promise<{ single: EventDetail } | SeriesContext> {
  const event = await getEvent(userId, target.eventId, tx);
  if (event.subscription) throw new EventReadOnlyError(event.subscription);
  if (!event.rrule && !(event.seriesId && event.recurrenceId)) return { single: event };
  // A form without the choice once defaulted to "all": one date's delete took the whole series.
  if (!scope) throw new ScopeRequiredError();
  if (event.seriesId && event.recurrenceId) {
    const series = await getEvent(userId, event.seriesId, tx);
    return { series, scope, occurrence: event.recurrenceId, override: event };
  }
  // "This" alone must say which date: taking the first one silently changed a date nobody chose.
  if (scope === "this" && !target.occurrence) throw new OccurrenceRequiredError();
  const occurrence = target.occurrence ?? event.startLocal;
  // A date named must still be in the calendar, whatever the scope: a cancelled one would come back, or
  // be the point a change of the whole series is measured from. The first start with the rest of the
  // series ("all", or "following" from it) is the whole series, named or not, whatever that date's state:
  // a series page loaded before its first date was cancelled names it.
  const wholeSeries = scope !== "this" && occurrence === event.startLocal;
  if (!(target.occurrence && !wholeSeries ? isLiveOccurrence(event, occurrence) : isOccurrence(event, occurrence)))
    throw new OccurrenceNotFoundError();
  return { series: event, scope, occurrence, override: overrideAt(event, occurrence) };
}

/**
 * The `?occurrence=` an event's pages were opened with: absent or empty (`?occurrence=`) is the event
 * itself (null); anything else must be one of the series' starts, or there is no such page.
 */
export function askedOccurrence(event: EventDetail, asked: string | null): string | null {
  if (!asked) return null;
  if (!event.rrule || !isLiveOccurrence(event, asked)) throw new OccurrenceNotFoundError();
  return asked;
}

/**
 * The override of a series' date that was changed on its own before, if any: that date's pages show it,
 * not the series' values (an edit form filled from the series wrote them over the earlier change). One
 * made while the date's id was a spring-forward gap time (02:30) is the override of the 03:30 date it
 * became (sameOccurrence): found here, it is changed or deleted rather than a second one made beside it.
 */
export function overrideAt(event: EventDetail, occurrence: string | null): EventDetail["overrides"][number] | null {
  if (!occurrence) return null;
  return (
    event.overrides.find((candidate) => candidate.recurrenceId === occurrence) ??
    event.overrides.find(
      (candidate) => candidate.recurrenceId !== null && sameOccurrence(event, candidate.recurrenceId, occurrence),
    ) ??
    null
  );
}

/**
 * What an event's edit and delete forms send and offer, given the occurrence their page names (null: the
 * event itself). The series page stands for its first date: named on the form while that date is in the
 * calendar, so that "This event" acts on the date shown; once it was cancelled there is no "this" one,
 * and only the whole series is offered ("this and following" from the first start is the same thing).
 */
export function seriesPageScope(
  event: EventDetail,
  occurrence: string | null,
): { formOccurrence: string | null; scopes: readonly Scope[]; changedFirst: { id: string; day: string } | null } {
  if (occurrence || !event.rrule) return { formOccurrence: occurrence, scopes: SCOPES, changedFirst: null };
  if (!isLiveOccurrence(event, event.startLocal)) return { formOccurrence: null, scopes: ["all"], changedFirst: null };
  // A first date changed on its own is not what the series page's form is filled with: "This event" from
  // here would write the series' values over it. It is changed from its own page, which shows it as it is.
  const override = overrideAt(event, event.startLocal);
  if (override) {
    return {
      formOccurrence: null,
      scopes: ["all"],
      changedFirst: { id: override.id, day: event.startLocal.slice(0, 10) },
    };
  }
  return { formOccurrence: event.startLocal, scopes: SCOPES, changedFirst: null };
}

/**
 * One of the series' starts that was not cancelled (EXDATE): what the calendar shows. Cancelled as the
 * calendar reads it (isCancelled): an EXDATE at 02:30 hides that spring-forward day's 03:30 date, and a
 * page or "Edit this" of it would bring it back.
 */
export function isLiveOccurrence(series: EventDetail, occurrence: string): boolean {
  return !isCancelled(series, occurrence) && isOccurrence(series, occurrence);
}

/** One of the series' starts, cancelled or not, as the calendar generates them (isOccurrenceOf). */
export function isOccurrence(series: EventDetail, occurrence: string): boolean {
  return isOccurrenceOf(series, occurrence);
}

/** Shifts a wall-clock value by the difference between two others (same kind: timed or all-day). */
function shift(value: string, from: string, to: string, allDay: boolean): string {
  const delta = parseWall(from).until(parseWall(to));
  return formatWall(parseWall(value).add(delta), allDay);
}

/** The rule cut so that its last occurrence is the one before `occurrence`. */
function endBefore(series: EventRecord, occurrence: string): string {
  const last = parseWall(occurrence).subtract(series.allDay ? { days: 1 } : { minutes: 1 });
  const withoutCount = withRulePart(series.rrule ?? "", "COUNT", null);
  return withRulePart(withoutCount, "UNTIL", wallToUntil(formatWall(last, series.allDay)));
}

/**
 * The series row ends before `occurrence` ("this and following" edited or deleted): its rule, skipped
 * dates and range. Cut before the earliest of its starts on that date's instant, with the EXDATEs from
 * that instant on gone (splitOf): a spring-forward 02:30 start stays out of the old series, as its 03:30.
 */
async function endSeriesBefore(tx: Tx, series: EventRecord, occurrence: string): Promise<void> {
  const { cut, following } = splitOf(series, occurrence);
  const truncated = endBefore(series, cut);
  await tx.event.update({
    where: { id: series.id },
    data: {
      rrule: truncated,
      exdates: series.exdates.filter((day) => !following(day)),
      ...eventRange({ ...series, rrule: truncated }),
    },
  });
}

function occurrencesBefore(series: EventRecord, occurrence: string): number {
  const count = Number(parseRule(series.rrule ?? "").COUNT);
  if (!count) return 0;
  const { cut } = splitOf(series, occurrence);
  return firstWallStarts(series.rrule ?? "", series.startLocal, count).filter(
    (wall) => formatWall(wall, series.allDay) < cut,
  ).length;
}

type Tx = Prisma.TransactionClient;

async function saveOverride(tx: Tx, userId: string, context: SeriesContext, input: EventInput): Promise<string> {
  const data = { ...rowData({ ...input, rrule: null }), rrule: null };
  if (context.override) {
    await tx.event.update({ where: { id: context.override.id }, data });
    return context.override.id;
  }
  const replaced = occurrenceRange(context.series, context.occurrence);
  const created = await tx.event.create({
    data: {
      ...data,
      userId,
      uid: context.series.uid,
      seriesId: context.series.id,
      recurrenceId: context.occurrence,
      replacedStart: replaced.start,
      replacedEnd: replaced.end,
    },
    select: { id: true },
  });
  return created.id;
}

/** Moves overrides to `seriesId`, shifting their RECURRENCE-IDs when the series' start moved. */
async function reattachOverrides(
  tx: Tx,
  overrides: EventRecord[],
  target: { id: string; uid: string; allDay: boolean; timeZone: string | null; startLocal: string; endLocal: string },
  from: string,
  to: string,
) {
  for (const override of overrides) {
    if (!override.recurrenceId || override.recurrenceId.length !== to.length) {
      await tx.event.delete({ where: { id: override.id } });
      continue;
    }
    const recurrenceId = shift(override.recurrenceId, from, to, target.allDay);
    const replaced = occurrenceRange(target, recurrenceId);
    await tx.event.update({
      where: { id: override.id },
      data: {
        seriesId: target.id,
        uid: target.uid,
        recurrenceId,
        replacedStart: replaced.start,
        replacedEnd: replaced.end,
      },
    });
  }
}

/**
 * Saves an edit. For an occurrence of a series, `scope` says which: "this" stores an override,
 * "following" ends the series before it and starts a new one (new UID) that takes the later
 * exceptions along, "all" edits the series and keeps its exceptions (moved with it); a series with no
 * scope said is refused (ScopeRequiredError). With `version` (eventVersion when the form was loaded), an
 * event changed since is refused (EventChangedError). Returns the id of the event to show afterwards.
 */
export async function updateEvent(
  userId: string,
  target: Target,
  input: EventInput,
  scope: Scope | undefined,
  version?: string,
  after?: AfterChange,
): Promise<string> {
  return unlessGone(
    () => updateEventNow(userId, target, input, scope, version, after),
    () => new EventNotFoundError(),
  );
}

/**
 * Runs last in a change's transaction, under its family's lock, with the id the change shows: what it
 * reads (familyVersions) is what the change left, with no other change in between.
 */
export type AfterChange = (tx: Tx, shown: string) => Promise<void>;

/**
 * The content of an event's family (the series, or the one-off, and every date of it changed on its own)
 * as a short fingerprint: what an edit form was loaded from. A hash of what is stored, not updatedAt, so
 * that every path that writes events (imports in raw SQL, the assistant's Undo) changes it and two saves
 * in one millisecond cannot look alike. A change to another date of the series counts too: "all events"
 * and "this and following" would carry it.
 */
export async function eventVersion(userId: string, eventId: string, db: Tx = prisma): Promise<string> {
  const event = await db.event.findFirst({ where: { id: eventId, userId }, select: { id: true, seriesId: true } });
  if (!event) throw new EventNotFoundError();
  return familyVersion(db, userId, event.seriesId ?? event.id);
}

/**
 * The versions (familyVersion) of the families the events are in now, by family head; an id no longer
 * stored stands for its own (empty) family, so a family a change removed keeps a version too.
 */
export async function familyVersions(db: Tx, userId: string, eventIds: string[]): Promise<Record<string, string>> {
  const rows = await db.event.findMany({
    where: { userId, id: { in: eventIds } },
    select: { id: true, seriesId: true },
  });
  const heads = new Set(eventIds.map((id) => rows.find((row) => row.id === id)?.seriesId ?? id));
  const versions: Record<string, string> = {};
  for (const head of [...heads].sort()) versions[head] = await familyVersion(db, userId, head);
  return versions;
}

async function familyVersion(db: Tx, userId: string, headId: string): Promise<string> {
  const rows = await db.event.findMany({
    where: { userId, OR: [{ id: headId }, { seriesId: headId }] },
    orderBy: { id: "asc" },
    select: { ...recordSelect, reminders: true },
  });
  return createHash("sha256").update(JSON.stringify(rows)).digest("base64url").slice(0, 22);
}

/**
 * Takes the row lock of an event's family head (the series, or the event itself) for the transaction:
 * changes to one series wait for each other, so a form sent twice at once cannot make two overrides of
 * one occurrence or split a series twice. The second one then reads what the first one left. Returns the
 * id it locked (null: no such event of mine).
 */
async function lockFamily(tx: Tx, userId: string, eventId: string): Promise<string | null> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM "Event"
     WHERE "userId" = ${userId}
       AND id = COALESCE((SELECT "seriesId" FROM "Event" WHERE id = ${eventId} AND "userId" = ${userId}), ${eventId})
       FOR NO KEY UPDATE`;
  return rows[0]?.id ?? null;
}

/**
 * lockFamily for rows of several families at once (the assistant's Undo puts one family back and removes
 * rows another may hold): the heads of the families the rows are in, locked by id before any row is
 * written, as an import locks the heads it replaces. A row that moved to another family while a lock was
 * awaited (a "this and following" split of its series) brings that family's head along.
 */
export async function lockFamilies(tx: Tx, userId: string, eventIds: string[]): Promise<void> {
  const locked = new Set<string>();
  for (;;) {
    const rows = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM "Event"
       WHERE "userId" = ${userId}
         AND id IN (SELECT COALESCE("seriesId", id) FROM "Event" WHERE "userId" = ${userId} AND id = ANY(${eventIds}::text[]))
       ORDER BY id
         FOR UPDATE`;
    for (const row of rows) locked.add(row.id);
    const heads = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT DISTINCT COALESCE("seriesId", id) AS id FROM "Event"
       WHERE "userId" = ${userId} AND id = ANY(${eventIds}::text[])`;
    if (heads.every((head) => locked.has(head.id))) return;
  }
}

/**
 * The target resolved under its family's lock. An override can move to another series while its old
 * series' lock is awaited (a "this and following" split of it): then the new series is locked and the
 * target read again.
 */
async function resolveLocked(
  tx: Tx,
  userId: string,
  target: Target,
  scope: Scope | undefined,
): Promise<{ single: EventDetail } | SeriesContext> {
  let locked = await lockFamily(tx, userId, target.eventId);
  for (;;) {
    const resolved = await resolve(tx, userId, target, scope);
    const head = "single" in resolved ? resolved.single.id : resolved.series.id;
    if (head === locked) return resolved;
    locked = await lockFamily(tx, userId, target.eventId);
  }
}

function updateEventNow(
  userId: string,
  target: Target,
  input: EventInput,
  scope: Scope | undefined,
  version: string | undefined,
  after: AfterChange | undefined,
): Promise<string> {
  return prisma.$transaction(async (tx) => {
    const resolved = await resolveLocked(tx, userId, target, scope);
    await checkVersion(tx, userId, resolved, version);
    const shown = await updateResolved(tx, userId, resolved, input);
    await after?.(tx, shown);
    return shown;
  });
}

/** Under the family's lock: a change that commits meanwhile is seen here, not after. */
async function checkVersion(
  tx: Tx,
  userId: string,
  resolved: { single: EventDetail } | SeriesContext,
  version: string | undefined,
): Promise<void> {
  if (version === undefined) return;
  const head = "single" in resolved ? resolved.single.id : resolved.series.id;
  if ((await familyVersion(tx, userId, head)) !== version) throw new EventChangedError();
}

async function updateResolved(
  tx: Tx,
  userId: string,
  resolved: { single: EventDetail } | SeriesContext,
  input: EventInput,
): Promise<string> {
  if ("single" in resolved) {
    await tx.event.update({ where: { id: resolved.single.id }, data: rowData(input) });
    return resolved.single.id;
  }
  const { series, scope, occurrence } = resolved;
  if (scope === "this") return saveOverride(tx, userId, resolved, input);
  // The form shows the chosen occurrence: its move is applied to the series' first start.
  const sameKind = input.allDay === series.allDay;
  if (scope === "all" || occurrence === series.startLocal) {
    const startLocal = sameKind
      ? shift(series.startLocal, occurrence, input.startLocal, input.allDay)
      : input.startLocal;
    const endLocal = sameKind ? shift(startLocal, input.startLocal, input.endLocal, input.allDay) : input.endLocal;
    const moved = { ...input, startLocal, endLocal };
    const saved = await tx.event.update({
      where: { id: series.id },
      data: {
        ...rowData(moved),
        exdates: sameKind ? series.exdates.map((day) => shift(day, series.startLocal, startLocal, input.allDay)) : [],
      },
      select: { id: true, uid: true, allDay: true, timeZone: true, startLocal: true, endLocal: true },
    });
    if (!input.rrule) await tx.event.deleteMany({ where: { seriesId: series.id } });
    else await reattachOverrides(tx, series.overrides, saved, series.startLocal, startLocal);
    return series.id;
  }
  // "This and following": the series splits at the occurrence.
  {
    const before = occurrencesBefore(series, occurrence);
    let rrule = input.rrule;
    const oldCount = Number(parseRule(series.rrule ?? "").COUNT);
    if (rrule && oldCount && Number(parseRule(rrule).COUNT) === oldCount) {
      rrule = withRulePart(rrule, "COUNT", String(Math.max(1, oldCount - before)));
    }
    // By instant, as the old series is cut (endSeriesBefore): an EXDATE or override at a spring-forward
    // 02:30 is of the 03:30 date it names, one of those following.
    const { following } = splitOf(series, occurrence);
    const later = series.overrides.filter((override) => following(override.recurrenceId ?? ""));
    const laterExdates = series.exdates.filter(following);
    await endSeriesBefore(tx, series, occurrence);
    const created = await tx.event.create({
      data: {
        ...rowData({ ...input, rrule }),
        userId,
        uid: `${randomUUID()}@ares`,
        source: series.source,
        exdates:
          sameKind && rrule ? laterExdates.map((day) => shift(day, occurrence, input.startLocal, input.allDay)) : [],
      },
      select: { id: true, uid: true, allDay: true, timeZone: true, startLocal: true, endLocal: true },
    });
    if (sameKind && rrule) await reattachOverrides(tx, later, created, occurrence, input.startLocal);
    else await tx.event.deleteMany({ where: { id: { in: later.map((override) => override.id) } } });
    return created.id;
  }
}

/**
 * Deletes an event; for an occurrence of a series, only it, it and the later ones, or the whole series
 * (a series with no scope said is refused: ScopeRequiredError). With `version` (eventVersion when the
 * page was loaded), an event changed since is refused (EventChangedError), as an edit is.
 */
export async function deleteEvent(
  userId: string,
  target: Target,
  scope: Scope | undefined,
  version?: string,
  after?: AfterChange,
): Promise<void> {
  return unlessGone(
    () => deleteEventNow(userId, target, scope, version, after),
    () => new EventNotFoundError(),
  );
}

async function deleteEventNow(
  userId: string,
  target: Target,
  scope: Scope | undefined,
  version: string | undefined,
  after: AfterChange | undefined,
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const resolved = await resolveLocked(tx, userId, target, scope);
    await checkVersion(tx, userId, resolved, version);
    await deleteResolved(tx, userId, resolved);
    await after?.(tx, target.eventId);
  });
}

async function deleteResolved(
  tx: Tx,
  userId: string,
  resolved: { single: EventDetail } | SeriesContext,
): Promise<void> {
  if ("single" in resolved) {
    await rememberDeletedImport(tx, userId, resolved.single);
    await tx.event.delete({ where: { id: resolved.single.id } });
    return;
  }
  const { series, scope: chosen, occurrence, override } = resolved;
  if (chosen === "all" || (chosen === "following" && occurrence === series.startLocal)) {
    await rememberDeletedImport(tx, userId, series);
    await tx.event.delete({ where: { id: series.id } });
    return;
  }
  if (chosen === "this") {
    if (override) await tx.event.delete({ where: { id: override.id } });
    await tx.event.update({
      where: { id: series.id },
      data: { exdates: [...new Set([...series.exdates, occurrence])].sort() },
    });
    return;
  }
  const { following } = splitOf(series, occurrence);
  const later = series.overrides.filter((candidate) => following(candidate.recurrenceId ?? ""));
  await tx.event.deleteMany({ where: { seriesId: series.id, id: { in: later.map((candidate) => candidate.id) } } });
  await endSeriesBefore(tx, series, occurrence);
}

/**
 * A whole imported family (series or one-off) about to be deleted here: its UID is recorded so that importing
 * its file again does not bring it back (docs/decisions/016), with when its last occurrence ends (read before
 * the rows go), which tells the purge when the record may go. A date or the dates following one deleted change
 * the family, which the next import keeps as changed here already. An event made here was never imported: its
 * UID (in my own export) is the file's to create again.
 */
async function rememberDeletedImport(
  tx: Tx,
  userId: string,
  head: { id: string; uid: string; importedVersion: string | null },
): Promise<void> {
  if (head.importedVersion === null) return;
  // The family's latest end: an exception moved past the series' last date counts; any open row (a series
  // that never ends) makes it null, never purged.
  const [span] = await tx.$queryRaw<{ lastEnd: Date | null }[]>`
    SELECT CASE WHEN bool_or("rangeEnd" IS NULL) THEN NULL ELSE max("rangeEnd") END AS "lastEnd"
      FROM "Event" WHERE "userId" = ${userId} AND (id = ${head.id} OR "seriesId" = ${head.id})`;
  const lastEnd = span?.lastEnd ?? null;
  await tx.deletedImportedEvent.upsert({
    where: { userId_uid: { userId, uid: head.uid } },
    create: { userId, uid: head.uid, lastEnd },
    update: { deletedAt: new Date(), lastEnd },
  });
}

/**
 * How long after a deleted imported event's last occurrence its record is kept. Within it, importing the
 * same file again (a yearly export, last year's file kept) still leaves the event deleted; past it the event
 * is long over, and if an old file brings it back it only shows in a past that the person no longer pages
 * through. Without a bound every delete of an imported event was kept for as long as the account.
 */
export const DELETED_IMPORT_KEPT_AFTER_END_MS = 365 * 24 * 60 * 60_000;

/**
 * Deletes everyone's records of deleted imported events whose last occurrence ended over a year ago (the
 * hourly purge job). Records of series that never end, or made before their end was kept, stay. Returns how many.
 */
export async function purgeDeletedImportRecords(now = new Date(), signal?: AbortSignal): Promise<number> {
  signal?.throwIfAborted();
  const { count } = await prisma.deletedImportedEvent.deleteMany({
    where: { lastEnd: { lt: new Date(now.getTime() - DELETED_IMPORT_KEPT_AFTER_END_MS) } },
  });
  return count;
}

/** Every event I own, as stored (series, one-offs, overrides): the .ics export and feed. */
export function exportableEvents(userId: string) {
  return prisma.event.findMany({
    where: { userId },
    orderBy: [{ seriesId: { sort: "asc", nulls: "first" } }, { rangeStart: "asc" }, { id: "asc" }],
    select: { ...recordSelect, reminders: true, updatedAt: true },
  });
}

export type ImportReport = {
  created: { uid: string; title: string }[];
  updated: { uid: string; title: string }[];
  /** Imported before and changed in ARES since: left as they are here (title as here). */
  kept: { uid: string; title: string }[];
  /** Imported before and deleted in ARES since: not created again (title as in the file). */
  deletedHere: { uid: string; title: string }[];
  skipped: { uid: string; title: string; reason: string }[];
};

export type ImportOptions = {
  /** Create again the events of the file I deleted here since they were imported, and forget their deletion. */
  restoreDeleted?: boolean;
};

type Parsed = { events: ImportedEvent[]; skipped: ImportReport["skipped"] };

/** A file's series and one-offs by UID, its overrides, and the overrides whose series is missing (skipped). */
function splitParsed(parsed: Parsed) {
  const skipped = [...parsed.skipped];
  const masters = new Map<string, ImportedEvent>();
  for (const event of parsed.events) if (!event.recurrenceId) masters.set(event.uid, event);
  const overrides = parsed.events.filter((event) => event.recurrenceId);
  for (const override of overrides) {
    if (!masters.get(override.uid)?.rrule) {
      skipped.push({
        uid: override.uid,
        title: override.title,
        reason: "It changes one occurrence of a repeating event that is not in the file.",
      });
    }
  }
  return { masters, overrides, skipped };
}

type Origin = { source: EventSource; subscriptionId: string | null };

/** The rows of a series' overrides in a file (each replacing the occurrence its RECURRENCE-ID names). */
function overrideRows(master: ImportedEvent, seriesId: string, overrides: ImportedEvent[]) {
  return overrides
    .filter((candidate) => candidate.uid === master.uid)
    .map((override) => {
      const recurrenceId = override.recurrenceId as string;
      const replaced = occurrenceRange(master, recurrenceId);
      return {
        ...override,
        rrule: null,
        exdates: [],
        seriesId,
        recurrenceId,
        replacedStart: replaced.start,
        replacedEnd: replaced.end,
        ...eventRange({ ...override, rrule: null }),
      };
    });
}

async function createOverrides(
  tx: Tx,
  userId: string,
  origin: Origin,
  master: ImportedEvent,
  seriesId: string,
  overrides: ImportedEvent[],
) {
  const rows = overrideRows(master, seriesId, overrides);
  if (rows.length > 0) await tx.event.createMany({ data: rows.map((row) => ({ ...row, userId, ...origin })) });
}

function masterData(master: ImportedEvent) {
  const { recurrenceId: _unused, ...fields } = master;
  void _unused;
  return { ...fields, ...eventRange(master) };
}

/**
 * Locks the events (series or single) an import replaces, before anything of theirs is deleted, in one
 * order (by id): an edit locks a series before its exceptions (lockFamily), so a delete by UID that
 * reached an exception first and then waited for its series would deadlock with it (PostgreSQL ends
 * one of the two with 40P01, a 500 for whoever it was).
 */
function lockImportedHeads(tx: Tx, userId: string, uids: string[]): Promise<{ id: string; uid: string }[]> {
  return tx.$queryRaw<{ id: string; uid: string }[]>`
    SELECT id, uid FROM "Event"
     WHERE "userId" = ${userId} AND "subscriptionId" IS NULL AND "seriesId" IS NULL AND uid = ANY(${uids}::text[])
     ORDER BY id
       FOR UPDATE`;
}

/** What an import writes over a row it keeps (a series or one-off, or one of a series' overrides). */
type ImportedRow = ReturnType<typeof masterData> & {
  id: string;
  seriesId: string | null;
  recurrenceId: string | null;
  replacedStart: Date | null;
  replacedEnd: Date | null;
};

/**
 * Creates an import's new series and one-offs, one INSERT … SELECT FROM jsonb_to_recordset per batch
 * (Prisma's createMany takes seconds for thousands of rows, one bound parameter per column and row).
 * Returns each one's id by UID (a file's series and one-offs have one UID each).
 */
async function insertImportedHeads(
  tx: Tx,
  userId: string,
  rows: ReturnType<typeof masterData>[],
): Promise<{ id: string; uid: string }[]> {
  const created: { id: string; uid: string }[] = [];
  for (let from = 0; from < rows.length; from += UPDATE_BATCH) {
    const batch = JSON.stringify(rows.slice(from, from + UPDATE_BATCH).map((row) => ({ ...row, id: newEventId() })));
    created.push(
      ...(await tx.$queryRaw<{ id: string; uid: string }[]>`
        INSERT INTO "Event" (id, "userId", uid, title, description, location, "allDay", "startLocal", "endLocal",
                             "timeZone", rrule, exdates, reminders, source, "rangeStart", "rangeEnd", "createdAt",
                             "updatedAt")
        SELECT d.id, ${userId}, d.uid, d.title, d.description, d.location, d."allDay", d."startLocal", d."endLocal",
               d."timeZone", d.rrule, d.exdates, d.reminders, 'import'::"EventSource", d."rangeStart", d."rangeEnd",
               now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM jsonb_to_recordset(${batch}::jsonb) AS d(
               id text, uid text, title text, description text, location text, "allDay" boolean, "startLocal" text,
               "endLocal" text, "timeZone" text, rrule text, exdates text[], reminders integer[],
               "rangeStart" timestamp(3), "rangeEnd" timestamp(3))
        RETURNING id, uid`),
    );
  }
  return created;
}

/**
 * The content of families (a series and its exceptions, or a one-off) as a fingerprint, by head id: one
 * statement for any number of them. A hash of what is stored (as familyVersion is), not updatedAt, so that
 * a write that changes nothing (a form saved as it was, the assistant's change undone) leaves it as it was.
 * The derived ranges, the timestamps and importedVersion itself are left out. The migration that added
 * importedVersion (20261204163830_event_imported_at) computes it with the same expression: keep the two alike.
 */
export function familyFingerprints(userId: string, headIds: string[]): Prisma.Sql {
  return Prisma.sql`
    SELECT COALESCE(r."seriesId", r.id) AS id,
           md5(string_agg(jsonb_build_array(r.id, r.uid, r.title, r.description, r.location, r."allDay",
                                            r."startLocal", r."endLocal", r."timeZone", r.rrule, r.exdates,
                                            r."seriesId", r."recurrenceId", r.reminders, r.source,
                                            r."subscriptionId")::text, ',' ORDER BY r.id)) AS version
      FROM "Event" r JOIN unnest(${headIds}::text[]) AS h(id) ON h.id = COALESCE(r."seriesId", r.id)
     WHERE r."userId" = ${userId}
     GROUP BY 1`;
}

/**
 * Of the imported series and one-offs an import would write over, the ones changed in ARES since their last
 * import (their family's fingerprint is no longer the one that import stored): kept as they are. One never
 * imported (made here, and its UID is in the file: my own export) is the file's to update.
 */
async function changedSinceImport(tx: Tx, userId: string, headIds: string[]): Promise<Map<string, string>> {
  if (headIds.length === 0) return new Map();
  const rows = await tx.$queryRaw<{ id: string; title: string }[]>`
    SELECT h.id, h.title FROM "Event" h JOIN (${familyFingerprints(userId, headIds)}) f ON f.id = h.id
     WHERE h."importedVersion" IS NOT NULL AND h."importedVersion" <> f.version`;
  return new Map(rows.map((row) => [row.id, row.title]));
}

/**
 * Of the file's UIDs, the ones I deleted here after importing them (rememberDeletedImport), in one statement.
 * With `restore` their records are removed in the same statement: the import creates them again.
 */
async function deletedImports(tx: Tx, userId: string, uids: string[], restore: boolean): Promise<Set<string>> {
  if (uids.length === 0) return new Set();
  const rows = restore
    ? await tx.$queryRaw<{ uid: string }[]>`
        DELETE FROM "DeletedImportedEvent" WHERE "userId" = ${userId} AND uid = ANY(${uids}::text[]) RETURNING uid`
    : await tx.$queryRaw<{ uid: string }[]>`
        SELECT uid FROM "DeletedImportedEvent" WHERE "userId" = ${userId} AND uid = ANY(${uids}::text[])`;
  return new Set(rows.map((row) => row.uid));
}

/** Stores, on each head an import wrote, its family's fingerprint as the import left it (one statement). */
async function stampImportedVersions(tx: Tx, userId: string, headIds: string[]): Promise<void> {
  if (headIds.length === 0) return;
  await tx.$executeRaw`
    UPDATE "Event" h SET "importedVersion" = f.version
      FROM (${familyFingerprints(userId, headIds)}) f
     WHERE h.id = f.id`;
}

/** An id for a row written by SQL rather than through Prisma (which makes a cuid): unique, opaque, URL-safe. */
function newEventId(): string {
  return `i${randomUUID().replaceAll("-", "")}`;
}

/** Rows per INSERT or UPDATE of an import: one statement's JSON stays a few hundred KB. */
const UPDATE_BATCH = 1_000;

/**
 * Writes an import's values over rows it keeps, in place (same id, so links to them keep working):
 * one UPDATE … FROM jsonb_to_recordset per batch rather than one statement per event.
 */
async function updateImportedRows(tx: Tx, userId: string, rows: ImportedRow[]): Promise<void> {
  for (let from = 0; from < rows.length; from += UPDATE_BATCH) {
    const batch = JSON.stringify(rows.slice(from, from + UPDATE_BATCH));
    await tx.$executeRaw`
      UPDATE "Event" AS e
         SET title = d.title, description = d.description, location = d.location, "allDay" = d."allDay",
             "startLocal" = d."startLocal", "endLocal" = d."endLocal", "timeZone" = d."timeZone",
             rrule = d.rrule, exdates = d.exdates, reminders = d.reminders, source = 'import'::"EventSource",
             "recurrenceId" = d."recurrenceId", "replacedStart" = d."replacedStart", "replacedEnd" = d."replacedEnd",
             "rangeStart" = d."rangeStart", "rangeEnd" = d."rangeEnd", "updatedAt" = now() AT TIME ZONE 'UTC'
        FROM jsonb_to_recordset(${batch}::jsonb) AS d(
             id text, title text, description text, location text, "allDay" boolean, "startLocal" text,
             "endLocal" text, "timeZone" text, rrule text, exdates text[], reminders integer[], "recurrenceId" text,
             "replacedStart" timestamp(3), "replacedEnd" timestamp(3), "rangeStart" timestamp(3), "rangeEnd" timestamp(3))
       WHERE e.id = d.id AND e."userId" = ${userId}`;
  }
}

/**
 * A second copy of one of my events by UID, refused by the database (the partial unique index
 * "Event_userId_uid_own_series_key", prisma/migrations/20261203010527_event_own_uid_unique): the only
 * unique key of Event besides its generated id.
 */
export function isOwnUidConflict(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === "P2002") return error.meta?.modelName === "Event";
  // The same refusal of the import's own INSERT (raw SQL: insertImportedHeads), named by its index.
  const adapter = error.meta?.driverAdapterError as { cause?: { originalMessage?: unknown } } | undefined;
  const message = adapter?.cause?.originalMessage;
  return error.code === "P2010" && typeof message === "string" && message.includes('"Event_userId_uid_own_series_key"');
}

/**
 * Attempts of one import: each conflict means another import of the UID committed meanwhile, or
 * PostgreSQL ended this one to let another transaction on the same rows go on.
 */
const IMPORT_ATTEMPTS = 3;

/**
 * Stores parsed iCalendar events in one transaction (all or nothing), in a few batched statements: an
 * event whose UID I already have is updated in place, keeping its id (re-importing my own export keeps
 * every event's address), and so are its exceptions for the dates the file still changes; others are
 * created; overrides attach to their series.
 * Events of my subscriptions are left alone: they belong to their feed. An imported event I deleted here
 * (rememberDeletedImport) is not created again, unless `options.restoreDeleted` asks for it (ADR 016).
 * A new UID has no row to lock: two imports of it at once both create it, and the database refuses the
 * second copy once the first commits. That import then runs again, finds the copy and updates it, as
 * if it had come second: importing a file twice at once leaves one copy, the later one's. An import
 * PostgreSQL ends to break a deadlock or a serialization conflict runs again too. After
 * IMPORT_ATTEMPTS it gives up with ImportContendedError, having imported nothing; any other database
 * failure (its transaction timing out among them) is an ImportFailedError.
 * `record` runs last in the import's transaction: what it writes commits with the import, or not at all.
 */
export async function importEvents(
  userId: string,
  parsed: Parsed,
  record?: (tx: Tx, report: ImportReport) => Promise<void>,
  options: ImportOptions = {},
): Promise<ImportReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await importEventsOnce(userId, parsed, record, options);
    } catch (error) {
      if (isOwnUidConflict(error) || isRetryableTransactionFailure(error)) {
        if (attempt === IMPORT_ATTEMPTS) throw new ImportContendedError({ cause: error });
        continue;
      }
      // The transaction ran out of time (P2028), the connection broke, a statement was cancelled: the
      // import's own message on its form, not the error page.
      if (isDatabaseFailure(error)) throw new ImportFailedError({ cause: error });
      throw error;
    }
  }
}

/**
 * The time one import's transaction may take. With MAX_IMPORT_EVENTS and its batched statements an
 * import takes a second or two; past this, it is ended (and says so) rather than holding the calendar
 * (and, on the embedded database, every other request) any longer.
 */
const IMPORT_TRANSACTION_MS = 30_000;

async function importEventsOnce(
  userId: string,
  parsed: Parsed,
  record: ((tx: Tx, report: ImportReport) => Promise<void>) | undefined,
  options: ImportOptions,
): Promise<ImportReport> {
  const { masters, overrides, skipped } = splitParsed(parsed);
  const origin: Origin = { source: "import", subscriptionId: null };
  return prisma.$transaction(
    async (tx) => {
      const report: ImportReport = { created: [], updated: [], kept: [], deletedHere: [], skipped };
      // A UID I already have is updated in place (its id, and so its page's address, stays). A new UID
      // another import commits after this look is refused by the unique index when created below, and
      // the import runs again (importEvents), then finding it here.
      const locked = await lockImportedHeads(tx, userId, [...masters.keys()]);
      // Changed here since it was imported: the change made here stays, the file's version of the event
      // (and of its exceptions) is not applied; the report counts it as kept.
      const changed = await changedSinceImport(
        tx,
        userId,
        locked.map((head) => head.id),
      );
      const heads = locked.filter((head) => !changed.has(head.id));
      for (const head of locked) {
        const title = changed.get(head.id);
        if (title !== undefined) {
          report.kept.push({ uid: head.uid, title });
          masters.delete(head.uid);
        }
      }
      // Deleted here since imported, and not asked back: not created again; the report counts them. One
      // still (or again) here is the file's as any other.
      const deleted = await deletedImports(tx, userId, [...masters.keys()], options.restoreDeleted === true);
      const present = new Set(locked.map((head) => head.uid));
      if (!options.restoreDeleted) {
        for (const uid of deleted) {
          const master = masters.get(uid);
          if (!master || present.has(uid)) continue;
          report.deletedHere.push({ uid, title: master.title });
          masters.delete(uid);
        }
      }
      const headIds = new Map(heads.map((head) => [head.uid, head.id]));
      const oldOverrides =
        heads.length === 0
          ? []
          : await tx.$queryRaw<{ id: string; seriesId: string; recurrenceId: string | null }[]>`
              SELECT id, "seriesId", "recurrenceId" FROM "Event"
               WHERE "userId" = ${userId} AND "seriesId" = ANY(${heads.map((head) => head.id)}::text[])`;
      const updates: ImportedRow[] = [];
      const fresh: ImportedEvent[] = [];
      for (const [uid, master] of masters) {
        const id = headIds.get(uid);
        if (id) {
          updates.push({
            ...masterData(master),
            id,
            seriesId: null,
            recurrenceId: null,
            replacedStart: null,
            replacedEnd: null,
          });
          report.updated.push({ uid, title: master.title });
        } else {
          fresh.push(master);
          report.created.push({ uid, title: master.title });
        }
      }
      for (const row of await insertImportedHeads(tx, userId, fresh.map(masterData))) headIds.set(row.uid, row.id);
      // A series' overrides: one for a date it already had is updated in place, a new one created,
      // one the file no longer has removed (the occurrence goes back to the series' own values).
      const oldByDate = new Map(oldOverrides.map((row) => [`${row.seriesId} ${row.recurrenceId}`, row.id]));
      const kept = new Set<string>();
      const newOverrides = [];
      for (const master of masters.values()) {
        if (!master.rrule) continue;
        const seriesId = headIds.get(master.uid) as string;
        for (const row of overrideRows(master, seriesId, overrides)) {
          const id = oldByDate.get(`${seriesId} ${row.recurrenceId}`);
          if (id && !kept.has(id)) {
            kept.add(id);
            updates.push({ ...row, id });
          } else {
            newOverrides.push({ ...row, userId, ...origin });
          }
        }
      }
      const gone = oldOverrides.filter((row) => !kept.has(row.id)).map((row) => row.id);
      if (gone.length > 0) await tx.event.deleteMany({ where: { id: { in: gone } } });
      await updateImportedRows(tx, userId, updates);
      if (newOverrides.length > 0) await tx.event.createMany({ data: newOverrides });
      // What the import left, so that the next one can tell a change made here since (changedSinceImport).
      await stampImportedVersions(tx, userId, [...headIds.values()]);
      await record?.(tx, report);
      return report;
    },
    { timeout: IMPORT_TRANSACTION_MS },
  );
}

export type RefreshReport = {
  created: number;
  updated: number;
  removed: number;
  skipped: { title: string; reason: string }[];
};

/**
 * Replaces a subscription's events with a fresh read of its feed, in one transaction (all or nothing):
 * a UID still in the feed is updated in place (its id, and so its links and reminders, stay), a new
 * UID is created, a UID gone from the feed is removed; every exception is rebuilt from the feed.
 * `lock` runs first inside the transaction: it takes the subscription's row lock, so two refreshes of
 * one subscription (the schedule and "Refresh now") run one after the other.
 */
export async function replaceSubscriptionEvents(
  userId: string,
  subscriptionId: string,
  parsed: Parsed,
  lock: (tx: Tx) => Promise<unknown>,
): Promise<RefreshReport> {
  // A feed's alarms are not mine to be woken by (as Nextcloud and Thunderbird do by default): dropped.
  const { masters, overrides, skipped } = splitParsed({
    ...parsed,
    events: parsed.events.map((event) => ({ ...event, reminders: [] })),
  });
  const origin: Origin = { source: "subscription", subscriptionId };
  return prisma.$transaction(
    async (tx) => {
      await lock(tx);
      const existing = await tx.event.findMany({
        where: { subscriptionId, seriesId: null },
        select: { id: true, uid: true },
      });
      const byUid = new Map(existing.map((row) => [row.uid, row.id]));
      const gone = existing.filter((row) => !masters.has(row.uid)).map((row) => row.id);
      // Overrides go with their series (ON DELETE CASCADE); the kept ones are rebuilt below.
      await tx.event.deleteMany({ where: { subscriptionId, OR: [{ id: { in: gone } }, { seriesId: { not: null } }] } });
      let created = 0;
      let updated = 0;
      for (const [uid, master] of masters) {
        const id = byUid.get(uid);
        const data = { ...masterData(master), userId, ...origin };
        let seriesId: string;
        if (id) {
          await tx.event.update({ where: { id }, data, select: { id: true } });
          seriesId = id;
          updated += 1;
        } else {
          seriesId = (await tx.event.create({ data, select: { id: true } })).id;
          created += 1;
        }
        if (master.rrule) await createOverrides(tx, userId, origin, master, seriesId, overrides);
      }
      return {
        created,
        updated,
        removed: gone.length,
        skipped: skipped.map(({ title, reason }) => ({ title, reason })),
      };
    },
    { timeout: 60_000 },
  );
}
