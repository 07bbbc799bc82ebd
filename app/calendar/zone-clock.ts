import { Temporal, parseWall, toZoned } from "./time";

// A view converts every occurrence between wall clock and instant several times. A Temporal
// ZonedDateTime per conversion made a busy month cost tens of milliseconds; a zone changes its offset
// a few times a year at most, so its offsets are read once per year and the conversions become
// arithmetic on epoch milliseconds.
//
// "Wall milliseconds" are a wall-clock reading written as if it were UTC: 2026-03-29T09:00 is
// Date.UTC(2026, 2, 29, 9). Day arithmetic on them is exact (wall days have no DST).

export const DAY_MS = 86_400_000;

// Date.UTC maps years 0–99 to 1900–1999, hence setUTCFullYear for year 0000.
const YEAR_0000 = new Date(0).setUTCFullYear(0, 0, 1);
const YEAR_10000 = Date.UTC(10_000, 0, 1);

/** Years 0000–9999, which Date's ISO strings write as Temporal does (four digits, no sign). */
function fourDigitYear(wallMs: number): boolean {
  return wallMs >= YEAR_0000 && wallMs < YEAR_10000;
}

/** The number written by `length` ASCII digits at `from`, or -1 if any is not a digit. */
function digitsAt(value: string, from: number, length: number): number {
  let number = 0;
  for (let index = from; index < from + length; index++) {
    const digit = value.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    number = number * 10 + digit;
  }
  return number;
}

/**
 * The common stored shapes, "YYYY-MM-DDTHH:MM" and "YYYY-MM-DD" (years 100–9999), read by arithmetic:
 * a view reads two or three per event, and Date.parse with its round-trip check cost more than the
 * rest of an event's expansion. NaN for anything else (wallMsOf then takes the general path).
 */
function commonWallMs(value: string): number {
  const timed = value.length === 16;
  if (!(timed || value.length === 10) || value[4] !== "-" || value[7] !== "-") return Number.NaN;
  if (timed && (value[10] !== "T" || value[13] !== ":")) return Number.NaN;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  const hour = timed ? digitsAt(value, 11, 2) : 0;
  const minute = timed ? digitsAt(value, 14, 2) : 0;
  if (year < 100 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return Number.NaN;
  }
  if (day > daysInMonth(year, month)) return Number.NaN;
  return daysFromCivil(year, month, day) * DAY_MS + hour * 3_600_000 + minute * 60_000;
}

// Calendar arithmetic on day numbers (H. Hinnant's days_from_civil / civil_from_days, proleptic
// Gregorian, as Date and Temporal count): a month view reads and writes a date for each of its hundreds
// of occurrences, and Date.UTC or toISOString cost several times more than this arithmetic.

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  // 31 in odd months up to July, in even ones from August.
  return 30 + ((month + (month >> 3)) & 1);
}

/** Days since 1970-01-01 of a date (month 1–12). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return (
    era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468
  );
}

const twoDigits = (value: number) => (value < 10 ? `0${value}` : String(value));

/**
 * Wall ms of years 0000–9999 as "YYYY-MM-DDTHH:MM:SS" (what toISOString writes before its
 * milliseconds), by arithmetic.
 */
function isoDateTime(wallMs: number): string {
  const days = Math.floor(wallMs / DAY_MS);
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const seconds = Math.floor((wallMs - days * DAY_MS) / 1000);
  const minutes = Math.floor(seconds / 60);
  return (
    `${String(year).padStart(4, "0")}-${twoDigits(month)}-${twoDigits(day)}` +
    `T${twoDigits(Math.floor(minutes / 60))}:${twoDigits(minutes % 60)}:${twoDigits(seconds % 60)}`
  );
}

/** A stored wall-clock value ("2026-03-29T09:00" or "2026-03-29") in wall milliseconds. */
export function wallMsOf(value: string): number {
  const common = commonWallMs(value);
  if (!Number.isNaN(common)) return common;
  const ms = Date.parse(value.length === 10 ? `${value}T00:00Z` : `${value}Z`);
  // Date.parse is lenient (2026-02-30 becomes 2 March): only a reading that writes back the same is
  // taken, anything else goes through Temporal (which rejects what parseWall rejects).
  if (!Number.isNaN(ms) && fourDigitYear(ms) && new Date(ms).toISOString().startsWith(value)) return ms;
  return parseWall(value).toZonedDateTime("UTC").epochMilliseconds;
}

function wallFromMs(wallMs: number): Temporal.PlainDateTime {
  return Temporal.Instant.fromEpochMilliseconds(wallMs).toZonedDateTimeISO("UTC").toPlainDateTime();
}

/** Wall milliseconds as a stored wall-clock value, like formatWall: "2026-03-29T09:00" / "2026-03-29". */
export function formatWallMs(wallMs: number, allDay: boolean): string {
  if (!fourDigitYear(wallMs)) {
    const wall = wallFromMs(wallMs);
    return allDay ? wall.toPlainDate().toString() : wall.toString({ smallestUnit: "minute" });
  }
  return isoDateTime(wallMs).slice(0, allDay ? 10 : 16);
}

/** "09:00" */
export function hourMinute(wallMs: number): string {
  const minutes = Math.floor((((wallMs % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** The wall day (days since 1970-01-01) a wall-clock reading falls on. */
export function wallDay(wallMs: number): number {
  return Math.floor(wallMs / DAY_MS);
}

export function dayOfDate(date: Temporal.PlainDate): number {
  return new Date(0).setUTCFullYear(date.year, date.month - 1, date.day) / DAY_MS;
}

type YearOffsets = { starts: number[]; offsets: number[] };

/** The offset in force at an instant of the table's year. */
function offsetIn({ starts, offsets }: YearOffsets, epochMs: number): number {
  let index = starts.length - 1;
  while (starts[index]! > epochMs) index -= 1;
  return offsets[index]!;
}

/** Years a zone keeps offset tables for before it starts over (dates are user input: keep it bounded). */
const MAX_YEARS_PER_ZONE = 400;

/**
 * One zone's UTC offsets, read from its transitions a calendar year (UTC) at a time and kept: a zone's
 * rules do not change while the process runs. Conversions are then arithmetic on epoch milliseconds,
 * with the same answers as Temporal (zone-clock.test.ts compares them across zones and DST changes).
 */
export class ZoneClock {
  private readonly years = new Map<number, YearOffsets>();

  constructor(readonly zone: string) {}

  private yearOffsets(year: number): YearOffsets {
    let table = this.years.get(year);
    if (table) return table;
    const from = Date.UTC(year, 0, 1);
    const to = Date.UTC(year + 1, 0, 1);
    let cursor = Temporal.Instant.fromEpochMilliseconds(from).toZonedDateTimeISO(this.zone);
    table = { starts: [from], offsets: [cursor.offsetNanoseconds / 1e6] };
    for (;;) {
      const next = cursor.getTimeZoneTransition("next");
      if (!next || next.epochMilliseconds >= to) break;
      table.starts.push(next.epochMilliseconds);
      table.offsets.push(next.offsetNanoseconds / 1e6);
      cursor = next;
    }
    if (this.years.size >= MAX_YEARS_PER_ZONE) this.years.clear();
    this.years.set(year, table);
    return table;
  }

  /** The year table offsetAt used last and the instants it covers: a view asks about one year or two. */
  private last: { from: number; to: number; table: YearOffsets } | null = null;

  /** The zone's UTC offset (ms) at an instant. */
  offsetAt(epochMs: number): number {
    const last = this.last;
    if (last && epochMs >= last.from && epochMs < last.to) return offsetIn(last.table, epochMs);
    const year = new Date(epochMs).getUTCFullYear();
    // Date.UTC reads years 0–99 as 1900–1999; those (and invalid instants) go through Temporal.
    if (!(year >= 100 && year < 10_000)) {
      return Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(this.zone).offsetNanoseconds / 1e6;
    }
    const table = this.yearOffsets(year);
    this.last = { from: Date.UTC(year, 0, 1), to: Date.UTC(year + 1, 0, 1), table };
    return offsetIn(table, epochMs);
  }

  /** The wall clock at an instant, in wall milliseconds. */
  wallAt(epochMs: number): number {
    return epochMs + this.offsetAt(epochMs);
  }

  /**
   * The instant a wall-clock time names, disambiguated as toZoned does ("compatible", RFC 5545): a
   * time in a DST gap moves forward by the gap, an ambiguous time takes the earlier instant.
   */
  epochAt(wallMs: number): number {
    // As Temporal does: the offsets a day either side bound the candidates.
    const before = this.offsetAt(wallMs - DAY_MS);
    const after = this.offsetAt(wallMs + DAY_MS);
    const early = wallMs - before;
    const late = wallMs - after;
    const earlyFits = this.offsetAt(early) === before;
    const lateFits = this.offsetAt(late) === after;
    if (earlyFits && lateFits) return Math.min(early, late);
    if (earlyFits) return early;
    if (lateFits) return late;
    // In a gap: the wall time read with the offset before it, i.e. shifted forward by the gap.
    if (before !== after) return early;
    // Two changes within two days (never seen in practice): Temporal decides.
    return toZoned(wallFromMs(wallMs), this.zone).epochMilliseconds;
  }

  /** ISO 8601 with the UTC offset and no zone annotation, like isoWithOffset: 2026-03-29T09:00:00+02:00. */
  iso(epochMs: number): string {
    const offset = this.offsetAt(epochMs);
    const wallMs = epochMs + offset;
    // Offsets with seconds (local mean time before 1900) and years beyond four digits: Temporal's format.
    if (offset % 60_000 !== 0 || !fourDigitYear(wallMs)) {
      return Temporal.Instant.fromEpochMilliseconds(epochMs)
        .toZonedDateTimeISO(this.zone)
        .toString({ timeZoneName: "never", smallestUnit: "second" });
    }
    const minutes = Math.abs(offset) / 60_000;
    const sign = offset < 0 ? "-" : "+";
    const hours = String(Math.floor(minutes / 60)).padStart(2, "0");
    return `${isoDateTime(wallMs)}${sign}${hours}:${String(minutes % 60).padStart(2, "0")}`;
  }
}

const clocks = new Map<string, ZoneClock>();
/** Far more than the IANA database names: only odd spellings of the same zones could get near it. */
const MAX_ZONES = 2_000;

/** The clock of an IANA zone (kept for the life of the process; throws RangeError for an unknown zone). */
export function zoneClock(zone: string): ZoneClock {
  let clock = clocks.get(zone);
  if (!clock) {
    clock = new ZoneClock(zone);
    if (clocks.size >= MAX_ZONES) clocks.clear();
    // Validates the zone before it is kept (Temporal throws RangeError for an unknown one).
    clock.offsetAt(Date.now());
    clocks.set(zone, clock);
  }
  return clock;
}
