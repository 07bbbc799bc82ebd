import { lastWallStart, wallStartMsBetween } from "./recurrence";
import { CALENDAR_YEARS, Temporal, parseWall, toZoned } from "./time";
import { DAY_MS, type ZoneClock, formatWallMs, wallMsOf, zoneClock } from "./zone-clock";

/** The stored fields expansion needs (a subset of the Event row). */
export type EventRecord = {
  id: string;
  uid: string;
  title: string;
  description: string;
  location: string;
  allDay: boolean;
  startLocal: string;
  endLocal: string;
  timeZone: string | null;
  rrule: string | null;
  exdates: string[];
  seriesId: string | null;
  recurrenceId: string | null;
};

export type Occurrence = {
  /** The row to open: the series for a generated occurrence, the override row for an edited one. */
  eventId: string;
  /** The series this occurrence belongs to (null for a one-off event). */
  seriesId: string | null;
  /** Which occurrence of the series (its original wall-clock start); null for a one-off event. */
  readonly recurrenceId: string | null;
  isException: boolean;
  title: string;
  location: string;
  allDay: boolean;
  /** Start and end instants in epoch milliseconds (what views compute with). */
  startMs: number;
  endMs: number;
  /** The same in the viewer's zone. */
  readonly start: Temporal.ZonedDateTime;
  readonly end: Temporal.ZonedDateTime;
  /** The event's own zone (null = floating: shown at the same wall-clock time in every zone). */
  timeZone: string | null;
};

export type Window = { start: Temporal.Instant; end: Temporal.Instant };

/** What expansion reads of an event (no description or UID: views never show them). */
type ExpansionRecord = Omit<EventRecord, "uid" | "description">;

type OccurrenceFields = Omit<Occurrence, "start" | "end">;

/**
 * An occurrence whose ZonedDateTimes and RECURRENCE-ID text are only made if asked for: views work on
 * the epoch milliseconds, and a month cell shows only a few of its day's occurrences.
 */
class ExpandedOccurrence implements Occurrence {
  eventId: string;
  seriesId: string | null;
  isException: boolean;
  title: string;
  location: string;
  allDay: boolean;
  startMs: number;
  endMs: number;
  timeZone: string | null;
  #viewerZone: string;
  #start: Temporal.ZonedDateTime | undefined;
  #end: Temporal.ZonedDateTime | undefined;
  /** The RECURRENCE-ID as text, or the wall-clock start (wall ms) it is written from when first read. */
  #recurrenceId: string | null | number;

  constructor(
    fields: Omit<OccurrenceFields, "recurrenceId">,
    recurrenceId: string | null | number,
    viewerZone: string,
  ) {
    this.eventId = fields.eventId;
    this.seriesId = fields.seriesId;
    this.#recurrenceId = recurrenceId;
    this.isException = fields.isException;
    this.title = fields.title;
    this.location = fields.location;
    this.allDay = fields.allDay;
    this.startMs = fields.startMs;
    this.endMs = fields.endMs;
    this.timeZone = fields.timeZone;
    this.#viewerZone = viewerZone;
  }

  get recurrenceId(): string | null {
    if (typeof this.#recurrenceId === "number") this.#recurrenceId = formatWallMs(this.#recurrenceId, this.allDay);
    return this.#recurrenceId;
  }

  get start(): Temporal.ZonedDateTime {
    return (this.#start ??= Temporal.Instant.fromEpochMilliseconds(this.startMs).toZonedDateTimeISO(this.#viewerZone));
  }

  get end(): Temporal.ZonedDateTime {
    return (this.#end ??= Temporal.Instant.fromEpochMilliseconds(this.endMs).toZonedDateTimeISO(this.#viewerZone));
  }
}

/** An occurrence shown in the viewer's zone. */
export function occurrenceOf(fields: OccurrenceFields, viewerZone: string): Occurrence {
  return new ExpandedOccurrence(fields, fields.recurrenceId, viewerZone);
}

type Timing = Pick<EventRecord, "allDay" | "timeZone" | "startLocal" | "endLocal">;

/** Start and end instants (epoch ms) of an occurrence that starts at a wall-clock time (wall ms). */
type Spanner = (wallStart: number) => { startMs: number; endMs: number };

/**
 * The span function of one event: what is the same for every occurrence (its zone, its length) is
 * worked out once, and each occurrence is then arithmetic on its zone's offsets.
 */
function spanner(event: Timing, viewerZone: string): Spanner {
  const clock = zoneClock(event.allDay ? viewerZone : (event.timeZone ?? viewerZone));
  const firstStart = wallMsOf(event.startLocal);
  const firstEnd = wallMsOf(event.endLocal);
  if (event.allDay) {
    const days = Math.round((firstEnd - firstStart) / DAY_MS);
    return (wallStart) => ({ startMs: clock.epochAt(wallStart), endMs: clock.epochAt(wallStart + days * DAY_MS) });
  }
  // RFC 5545: every occurrence lasts the exact duration of the first one.
  const duration = clock.epochAt(firstEnd) - clock.epochAt(firstStart);
  return (wallStart) => {
    const startMs = clock.epochAt(wallStart);
    return { startMs, endMs: startMs + duration };
  };
}

/** The span of one occurrence: all-day and floating events follow the viewer's zone. */
export function spanOf(
  event: Timing,
  wallStart: Temporal.PlainDateTime,
  viewerZone: string,
): { start: Temporal.ZonedDateTime; end: Temporal.ZonedDateTime } {
  const { startMs, endMs } = spanner(event, viewerZone)(wallStart.toZonedDateTime("UTC").epochMilliseconds);
  const zoned = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(viewerZone);
  return { start: zoned(startMs), end: zoned(endMs) };
}

/** What an occurrence's RECURRENCE-ID says (formatWallMs) as wall ms: its minute, or its day if all-day. */
function recurrenceKey(wallStart: number, allDay: boolean): number {
  const unit = allDay ? DAY_MS : 60_000;
  return wallStart - (((wallStart % unit) + unit) % unit);
}

type SeriesZone = Pick<EventRecord, "allDay" | "timeZone">;

/** Whether the series happens at instants of its own zone, where a wall time can be skipped or repeated. */
function zoned(series: SeriesZone): series is SeriesZone & { timeZone: string } {
  return !series.allDay && series.timeZone !== null;
}

/**
 * What tells one occurrence of a series from another, from its wall start (wall ms). A timed series in a
 * zone: the instant its RECURRENCE-ID's minute names there (epoch ms). A wall time in a spring-forward
 * gap (02:30) names the instant it is shifted to (03:30), as RFC 5545 reads it, so 02:30 and 03:30 on
 * that day are one occurrence whichever of the two a series generates and whichever an EXDATE or an
 * override names (one made while 02:30 was the id, or imported from a UTC RECURRENCE-ID, which reads as
 * 03:30). All-day and floating series have no instant of their own: the RECURRENCE-ID's wall value.
 */
function occurrenceKeyer(series: SeriesZone): (wallStart: number) => number {
  if (!zoned(series)) return (wallStart) => recurrenceKey(wallStart, series.allDay);
  const clock = zoneClock(series.timeZone);
  return (wallStart) => clock.epochAt(recurrenceKey(wallStart, false));
}

/** A RECURRENCE-ID or EXDATE as wall ms, or null if it is no value an occurrence of the series can have. */
function recurrenceWallMs(series: SeriesZone, recurrenceId: string): number | null {
  let wallMs: number;
  try {
    wallMs = wallMsOf(recurrenceId);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  // The same kind of value, written as formatWallMs writes it (an all-day id on a timed series is none).
  return formatWallMs(wallMs, series.allDay) === recurrenceId ? wallMs : null;
}

/** The keys (occurrenceKeyer) of the occurrences that `recurrenceIds` name. */
function occurrenceKeys(series: SeriesZone, recurrenceIds: Iterable<string>): Set<number> {
  const keyOf = occurrenceKeyer(series);
  const keys = new Set<number>();
  for (const recurrenceId of recurrenceIds) {
    const wallMs = recurrenceWallMs(series, recurrenceId);
    if (wallMs !== null) keys.add(keyOf(wallMs));
  }
  return keys;
}

/** A series' EXDATEs and overridden occurrences as occurrence keys: what expansion leaves out. */
function leftOut(event: ExpansionRecord, overridden: Set<string> | undefined): Set<number> | null {
  if (!event.exdates.length && !overridden) return null;
  return occurrenceKeys(event, [...event.exdates, ...(overridden ?? [])]);
}

/**
 * Whether the series' date `occurrence` was cancelled (an EXDATE names it): the same keys the calendar
 * leaves its dates out by, so a date it hides has no page or form either (an EXDATE at 02:30 cancels the
 * 03:30 date of that spring-forward day, and an EXDATE at 03:30 the 02:30 one of a series at 02:30 alone).
 */
export function isCancelled(series: SeriesZone & Pick<EventRecord, "exdates">, occurrence: string): boolean {
  if (!series.exdates.length) return false;
  const wallMs = recurrenceWallMs(series, occurrence);
  return wallMs !== null && occurrenceKeys(series, series.exdates).has(occurrenceKeyer(series)(wallMs));
}

/**
 * The rule's wall starts (wall ms) that are occurrences of a timed series in the zone of `clock`. Two
 * wall times on one instant (02:30 shifted forward, as ARES does with gap times, and 03:30 on a
 * spring-forward day) are one instance (RFC 5545 §3.8.5.3: duplicate instances are counted once): the
 * one whose wall time exists that day (03:30), as that is the recurrence id a client sees and excludes
 * or overrides. A wall time in the gap is an occurrence only if no existing one took its instant (a
 * series at 02:30 alone). The calendar's expansion and the check of a named date (isOccurrenceOf) both
 * go through here, so they agree. All-day and floating series are placed in each viewer's zone and have
 * every wall start their rule gives (a Samoa viewer's all-day 30 December 2011 is still a date).
 */
function distinctStarts(wallStarts: readonly number[], clock: ZoneClock): number[] {
  const kept: number[] = [];
  const seen = new Set<number>();
  let skipped: Map<number, number> | null = null;
  for (const wallStart of wallStarts) {
    const startMs = clock.epochAt(wallStart);
    if (clock.wallAt(startMs) !== wallStart) {
      skipped ??= new Map();
      if (!skipped.has(startMs)) skipped.set(startMs, wallStart);
      continue;
    }
    if (seen.has(startMs)) continue;
    seen.add(startMs);
    kept.push(wallStart);
  }
  for (const [startMs, wallStart] of skipped ?? []) if (!seen.has(startMs)) kept.push(wallStart);
  return kept;
}

type SeriesTiming = Pick<EventRecord, "allDay" | "timeZone" | "startLocal" | "rrule">;

/**
 * Whether `occurrence` is the recurrence id of one of the series' occurrences (cancelled or not), as the
 * calendar generates them: on a spring-forward day a series at 02:30 and 03:30 has only its 03:30 one.
 * Its DTSTART is always one (RFC 5545: the first instance), even a gap time whose instant an existing
 * wall time took (an imported series starting at 02:30 that day): the whole series is named by it.
 */
export function isOccurrenceOf(series: SeriesTiming, occurrence: string): boolean {
  if (occurrence === series.startLocal) return true;
  if (occurrence.length !== series.startLocal.length) return false;
  const wallMs = recurrenceWallMs(series, occurrence);
  if (wallMs === null) return false;
  // A gap is at most a day long (Samoa skipped 30 December 2011): the start sharing its instant is within it.
  const near = wallStartMsBetween(series.rrule ?? "", series.startLocal, wallMs - DAY_MS, wallMs + DAY_MS);
  const starts = zoned(series) ? distinctStarts(near, zoneClock(series.timeZone)) : near;
  return starts.some((wallStart) => recurrenceKey(wallStart, series.allDay) === wallMs);
}

/**
 * Whether two recurrence ids of a series name one occurrence (the keys expansion leaves dates out by):
 * the same text, or (timed, in a zone) wall times on one instant, as a date changed on its own while
 * 02:30 was its id and the 03:30 it is now, or the other way round.
 */
export function sameOccurrence(series: SeriesZone, a: string, b: string): boolean {
  if (a === b) return true;
  const aMs = recurrenceWallMs(series, a);
  const bMs = recurrenceWallMs(series, b);
  if (aMs === null || bMs === null) return false;
  const keyOf = occurrenceKeyer(series);
  return keyOf(aMs) === keyOf(bMs);
}

/**
 * Where "this and following" from `occurrence` splits a series: `cut`, the earliest of its starts on
 * that date's instant, and which of its EXDATEs and overrides go with the dates following. On a
 * spring-forward day a series at 02:30 and 03:30 has one date, 03:30, whose instant its 02:30 start
 * (shifted forward) shares: a cut at 03:30 left that 02:30 start in the old series, where it showed at
 * 03:30 again, and kept an EXDATE or override at 02:30 there. Timed series in a zone compare by instant
 * (the keys the calendar leaves dates out by); all-day and floating ones by their wall values.
 */
export function splitOf(
  series: SeriesTiming,
  occurrence: string,
): { cut: string; following: (recurrenceId: string) => boolean } {
  const wallMs = recurrenceWallMs(series, occurrence);
  if (!zoned(series) || wallMs === null) return { cut: occurrence, following: (id) => id >= occurrence };
  const keyOf = occurrenceKeyer(series);
  const key = keyOf(wallMs);
  // A gap is at most a day long: a start sharing the instant is within the day before.
  const sameInstant = wallStartMsBetween(series.rrule ?? "", series.startLocal, wallMs - DAY_MS, wallMs).filter(
    (wallStart) => keyOf(wallStart) === key,
  );
  const cutMs = Math.min(wallMs, ...sameInstant.map((wallStart) => recurrenceKey(wallStart, false)));
  return {
    cut: formatWallMs(cutMs, false),
    following: (recurrenceId) => {
      const idMs = recurrenceWallMs(series, recurrenceId);
      return idMs === null ? recurrenceId >= occurrence : keyOf(idMs) >= key;
    },
  };
}

/**
 * Every occurrence of `events` that overlaps the window, in the viewer's zone, sorted by start.
 * Series are expanded with their EXDATEs removed and each overridden occurrence replaced by its
 * override (wherever the override was moved to).
 */
export function expandOccurrences(events: ExpansionRecord[], window: Window, viewerZone: string): Occurrence[] {
  const windowStart = window.start.epochMilliseconds;
  const windowEnd = window.end.epochMilliseconds;
  // A zero-length event at the window's start still belongs to it.
  const overlaps = (span: { startMs: number; endMs: number }) =>
    span.startMs < windowEnd && (span.endMs > windowStart || span.startMs >= windowStart);
  const overridden = new Map<string, Set<string>>();
  for (const event of events) {
    if (event.seriesId && event.recurrenceId) {
      const set = overridden.get(event.seriesId) ?? new Set<string>();
      set.add(event.recurrenceId);
      overridden.set(event.seriesId, set);
    }
  }
  const result: Occurrence[] = [];
  const add = (
    event: ExpansionRecord,
    span: { startMs: number; endMs: number },
    fields: Pick<Occurrence, "seriesId" | "isException">,
    recurrenceId: string | null | number,
  ) =>
    result.push(
      new ExpandedOccurrence(
        {
          eventId: event.id,
          ...fields,
          title: event.title,
          location: event.location,
          allDay: event.allDay,
          startMs: span.startMs,
          endMs: span.endMs,
          timeZone: event.allDay ? null : event.timeZone,
        },
        recurrenceId,
        viewerZone,
      ),
    );
  for (const event of events) {
    const span = spanner(event, viewerZone);
    const firstSpan = span(wallMsOf(event.startLocal));
    if (!event.rrule) {
      if (overlaps(firstSpan)) {
        const isOverride = Boolean(event.seriesId && event.recurrenceId);
        add(event, firstSpan, { seriesId: event.seriesId, isException: isOverride }, event.recurrenceId);
      }
      continue;
    }
    const clock = zoneClock(event.allDay ? viewerZone : (event.timeZone ?? viewerZone));
    const length = firstSpan.endMs - firstSpan.startMs;
    // Search on wall clocks a day wider than the window (offsets differ by at most 26 h) and minus
    // the event's length, then keep exactly the occurrences that overlap.
    const from = clock.wallAt(windowStart) - length - DAY_MS;
    const to = clock.wallAt(windowEnd) + DAY_MS;
    const left = leftOut(event, overridden.get(event.id));
    const keyOf = occurrenceKeyer(event);
    const starts = wallStartMsBetween(event.rrule, event.startLocal, from, to);
    for (const wallStart of zoned(event) ? distinctStarts(starts, clock) : starts) {
      if (left && left.has(keyOf(wallStart))) continue;
      const occurrenceSpan = span(wallStart);
      if (overlaps(occurrenceSpan)) add(event, occurrenceSpan, { seriesId: event.id, isException: false }, wallStart);
    }
  }
  // Last by id: events alike otherwise come in the order the database happened to give them.
  return result.sort(
    (a, b) =>
      a.startMs - b.startMs ||
      Number(b.allDay) - Number(a.allDay) ||
      a.title.localeCompare(b.title) ||
      a.eventId.localeCompare(b.eventId),
  );
}

// Floating times (all-day, or imports without a zone) happen at that wall clock in whichever zone
// the viewer is in: UTC+14 is the earliest and UTC−12 the latest such instant.
const EARLIEST_ZONE = "Etc/GMT-14";
const LATEST_ZONE = "Etc/GMT+12";

/** The UTC span that holds every occurrence of an event (null end: the series never ends). */
export function eventRange(event: Pick<EventRecord, "allDay" | "timeZone" | "startLocal" | "endLocal" | "rrule">): {
  rangeStart: Date;
  rangeEnd: Date | null;
} {
  const floating = event.allDay || !event.timeZone;
  const startZone = floating ? EARLIEST_ZONE : (event.timeZone as string);
  const endZone = floating ? LATEST_ZONE : (event.timeZone as string);
  const rangeStart = new Date(toZoned(parseWall(event.startLocal), startZone).epochMilliseconds);
  const firstStart = parseWall(event.startLocal);
  const firstEnd = parseWall(event.endLocal);
  let lastStart = firstStart;
  if (event.rrule) {
    const last = lastWallStart(event.rrule, event.startLocal);
    // A series that runs past the years ARES shows has no end it needs to keep (nor one the database can hold).
    if (last === "never" || last.year > CALENDAR_YEARS.last) return { rangeStart, rangeEnd: null };
    lastStart = last;
  }
  // Wall-clock length plus a day covers a DST change inside the event.
  const lastEnd = lastStart.add(firstStart.until(firstEnd)).add({ days: floating ? 0 : 1 });
  return { rangeStart, rangeEnd: new Date(toZoned(lastEnd, endZone).epochMilliseconds) };
}

/** The UTC span of one occurrence (of an override's original slot), widened for floating events. */
export function occurrenceRange(
  event: Pick<EventRecord, "allDay" | "timeZone" | "startLocal" | "endLocal">,
  recurrenceId: string,
): { start: Date; end: Date } {
  const floating = event.allDay || !event.timeZone;
  const wall = parseWall(recurrenceId);
  const length = parseWall(event.startLocal).until(parseWall(event.endLocal));
  const start = toZoned(wall, floating ? EARLIEST_ZONE : (event.timeZone as string));
  const end = toZoned(
    wall.add(length).add({ days: floating ? 0 : 1 }),
    floating ? LATEST_ZONE : (event.timeZone as string),
  );
  return { start: new Date(start.epochMilliseconds), end: new Date(end.epochMilliseconds) };
}
