import ICAL from "ical.js";
import { tzlib_get_ical_block } from "timezones-ical-library";
import { isTimeZone } from "~/accounts/time-zone";
import { MAX_IMPORT_BYTES, MAX_IMPORT_EVENTS, tooManyEventsMessage } from "./import-limits";
import type { EventRecord } from "./occurrences";
import { parseRule, ruleProblem, untilToWall, wallToUntil, withRulePart } from "./recurrence";
import { CALENDAR_YEARS, Temporal, formatWall, inCalendarYears, lastWallOf, parseWall, toZoned } from "./time";

// iCalendar (RFC 5545) in and out through ical.js; nothing here parses the text format by hand.

// RFC 5545 §3.1: a line SHOULD NOT be longer than 75 octets. ical.js folds after `foldLength` octets of
// text and then starts the next line with a space: at its default (75) every continuation line was 76.
ICAL.foldLength = 74;

export type ExportedEvent = EventRecord & { reminders: number[]; updatedAt: Date };

function icalTime(wall: string, allDay: boolean): ICAL.Time {
  const value = parseWall(wall);
  return ICAL.Time.fromData({
    year: value.year,
    month: value.month,
    day: value.day,
    hour: allDay ? 0 : value.hour,
    minute: allDay ? 0 : value.minute,
    second: 0,
    isDate: allDay,
  });
}

function utcTime(instant: Temporal.ZonedDateTime): ICAL.Time {
  const utc = instant.withTimeZone("UTC");
  return ICAL.Time.fromData(
    { year: utc.year, month: utc.month, day: utc.day, hour: utc.hour, minute: utc.minute, second: utc.second },
    ICAL.Timezone.utcTimezone,
  );
}

function timeProperty(name: string, wall: string, event: Pick<EventRecord, "allDay" | "timeZone">): ICAL.Property {
  const property = new ICAL.Property(name);
  if (!event.allDay && event.timeZone === "UTC") {
    property.setValue(utcTime(toZoned(parseWall(wall), "UTC")));
  } else {
    property.setValue(icalTime(wall, event.allDay));
    if (!event.allDay && event.timeZone) property.setParameter("tzid", event.timeZone);
  }
  return property;
}

/** RFC 5545: with a zoned DTSTART, UNTIL must be in UTC; ARES stores it as wall clock in the event's zone. */
function exportRule(event: EventRecord): string {
  const rule = event.rrule ?? "";
  const until = parseRule(rule).UNTIL;
  if (!until || event.allDay || !event.timeZone || until.endsWith("Z")) return rule;
  const instant = toZoned(parseWall(untilToWall(until)), event.timeZone);
  return withRulePart(
    rule,
    "UNTIL",
    `${wallToUntil(instant.withTimeZone("UTC").toPlainDateTime().toString({ smallestUnit: "minute" }))}Z`,
  );
}

/**
 * The VTIMEZONE of an IANA zone, generated from the IANA database by timezones-ical-library, so a
 * reader that does not know the zone's name (Outlook, older clients) still gets its offsets and DST
 * rules. The block keeps our TZID even where the library files the zone under another name (UTC is
 * Etc/UTC there). Null for a zone the library does not have: the TZID alone is then all we can say.
 */
function vtimezone(zone: string): ICAL.Component | null {
  const block = tzlib_get_ical_block(zone);
  if (!Array.isArray(block) || !block[0]?.startsWith("BEGIN:VTIMEZONE")) return null;
  const component = ICAL.Component.fromString(block[0]);
  component.updatePropertyWithValue("tzid", zone);
  component.removeAllProperties("x-lic-location");
  return component;
}

/** My events as one VCALENDAR: series with RRULE and EXDATE, overrides with RECURRENCE-ID, reminders as VALARMs. */
export function toICalendar(events: ExportedEvent[], name: string): string {
  const calendar = new ICAL.Component(["vcalendar", [], []]);
  calendar.addPropertyWithValue("prodid", "-//ARES//Calendar//EN");
  calendar.addPropertyWithValue("version", "2.0");
  calendar.addPropertyWithValue("calscale", "GREGORIAN");
  calendar.addPropertyWithValue("x-wr-calname", name);
  const zones = new Set(events.flatMap((event) => (!event.allDay && event.timeZone ? [event.timeZone] : [])));
  // UTC times are written with "Z" and need no VTIMEZONE.
  zones.delete("UTC");
  for (const zone of [...zones].sort()) {
    const component = vtimezone(zone);
    if (component) calendar.addSubcomponent(component);
  }
  const byId = new Map(events.map((event) => [event.id, event]));
  for (const event of events) {
    const vevent = new ICAL.Component("vevent");
    vevent.addPropertyWithValue("uid", event.uid);
    vevent.addPropertyWithValue(
      "dtstamp",
      utcTime(Temporal.Instant.fromEpochMilliseconds(event.updatedAt.getTime()).toZonedDateTimeISO("UTC")),
    );
    vevent.addProperty(timeProperty("dtstart", event.startLocal, event));
    // An instant (start = end) has no DTEND, which RFC 5545 requires to be later than DTSTART (§3.6.1).
    if (event.endLocal !== event.startLocal) vevent.addProperty(timeProperty("dtend", event.endLocal, event));
    vevent.addPropertyWithValue("summary", event.title);
    if (event.location) vevent.addPropertyWithValue("location", event.location);
    if (event.description) vevent.addPropertyWithValue("description", event.description);
    if (event.rrule) {
      vevent.addPropertyWithValue("rrule", ICAL.Recur.fromString(exportRule(event)));
      for (const exdate of event.exdates) vevent.addProperty(timeProperty("exdate", exdate, event));
    }
    const series = event.seriesId ? byId.get(event.seriesId) : undefined;
    if (series && event.recurrenceId) vevent.addProperty(timeProperty("recurrence-id", event.recurrenceId, series));
    for (const minutes of event.reminders) {
      const alarm = new ICAL.Component("valarm");
      alarm.addPropertyWithValue("action", "DISPLAY");
      alarm.addPropertyWithValue("description", event.title);
      alarm.addPropertyWithValue("trigger", ICAL.Duration.fromSeconds(-minutes * 60));
      vevent.addSubcomponent(alarm);
    }
    calendar.addSubcomponent(vevent);
  }
  return calendar.toString();
}

// Windows zone names Outlook writes as TZID, for the most common zones (the VTIMEZONE is used otherwise).
const WINDOWS_ZONES: Record<string, string> = {
  "W. Europe Standard Time": "Europe/Berlin",
  "Romance Standard Time": "Europe/Paris",
  "Central Europe Standard Time": "Europe/Budapest",
  "GMT Standard Time": "Europe/London",
  "Eastern Standard Time": "America/New_York",
  "Central Standard Time": "America/Chicago",
  "Mountain Standard Time": "America/Denver",
  "Pacific Standard Time": "America/Los_Angeles",
  "India Standard Time": "Asia/Kolkata",
  "AUS Eastern Standard Time": "Australia/Sydney",
  "New Zealand Standard Time": "Pacific/Auckland",
  "Tokyo Standard Time": "Asia/Tokyo",
  UTC: "UTC",
};

/** An event as read from a file: the stored fields before it has a row (no id, no series link yet). */
export type ImportedEvent = Omit<EventRecord, "id" | "seriesId"> & { reminders: number[] };

export type Skipped = { uid: string; title: string; reason: string };

/**
 * A file or feed with nothing usable in it. `message` is said to the person; `cause`, when there is one,
 * is the parser's own complaint (its wording, a line of the file): for the log, not the page.
 */
export class ICalendarError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ICalendarError";
  }
}

/**
 * The parser's own error, as the log keeps it: its message quotes the line it stopped at, and a file
 * without line breaks is one line — the whole upload (people's event text) would be logged.
 */
export function causeForLog(cause: unknown): { name: string; message: string } {
  const error = cause instanceof Error ? cause : new Error(String(cause));
  return { name: error.name, message: error.message.slice(0, 200) };
}

/** A file of more events than one import takes (MAX_IMPORT_EVENTS); a feed says it in its own words. */
export class TooManyEventsError extends ICalendarError {
  constructor(readonly count: number) {
    super(tooManyEventsMessage(count));
    this.name = "TooManyEventsError";
  }
}

/** What a file the iCalendar parser cannot read at all is told (random bytes, a picture, a web page). */
export const UNREADABLE_ICALENDAR_MESSAGE =
  "This file is not a calendar (.ics) file, or it is damaged: it could not be read.";

type ZoneResolver = (tzid: string | null, time: ICAL.Time) => { wall: Temporal.PlainDateTime; zone: string | null };

/**
 * Maps an iCalendar time to a wall clock and an IANA zone: IANA TZIDs and known Windows names are
 * kept; any other TZID is resolved through the file's own VTIMEZONE (held per file, not registered
 * process-wide, so one person's file cannot change how another's is read) into `fallbackZone`.
 */
function zoneResolver(vtimezones: Map<string, ICAL.Timezone>, fallbackZone: string): ZoneResolver {
  return (tzid, time) => {
    const wall = Temporal.PlainDateTime.from({
      year: time.year,
      month: time.month,
      day: time.day,
      hour: time.isDate ? 0 : time.hour,
      minute: time.isDate ? 0 : time.minute,
    });
    if (time.isDate) return { wall, zone: null };
    if (time.zone === ICAL.Timezone.utcTimezone) return { wall, zone: "UTC" };
    if (!tzid) return { wall, zone: null };
    const known = isTimeZone(tzid) ? tzid : WINDOWS_ZONES[tzid];
    if (known) return { wall, zone: known };
    const vtimezone = vtimezones.get(tzid);
    if (!vtimezone)
      throw new ICalendarError(`The time zone “${tzid}” is neither a known zone nor described in the file.`);
    const offsetSeconds = vtimezone.utcOffset(time);
    // Temporal, not Date.UTC, which reads years 0–99 as 1900–1999.
    const instant = wall.toZonedDateTime("UTC").toInstant().subtract({ seconds: offsetSeconds });
    return { wall: instant.toZonedDateTimeISO(fallbackZone).toPlainDateTime(), zone: fallbackZone };
  };
}

/**
 * ical.js decodes a property's value when it is first read and throws a plain Error for one it cannot
 * decode ("invalid date-time value"): the event is skipped, naming the property, not the whole import.
 */
/** The reason an event is skipped for one of its values: the property named, as the file spells it. */
function invalidValue(propertyName: string, options?: ErrorOptions): ICalendarError {
  return new ICalendarError(`Its ${propertyName.toUpperCase()} is not a valid iCalendar value.`, options);
}

function decoded<T>(propertyName: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ICalendarError || !(error instanceof Error)) throw error;
    throw invalidValue(propertyName, { cause: error });
  }
}

/**
 * The property's date or date-time values, each exactly as written: ical.js reads a value by its
 * character positions and rolls over what is out of range, so 2026-12-25 (dashes are not iCalendar)
 * became 2 November 2025 and a 13th month the next year's. A value that does not read back as written
 * skips the event rather than storing another date.
 */
function timeValues(property: ICAL.Property): ICAL.Time[] {
  const name = property.name;
  const values = decoded(name, () => property.getValues());
  const written = property.toJSON().slice(3);
  return values
    .map((value, index) => {
      if (value instanceof ICAL.Time && !readsAsWritten(value, written[index])) throw invalidValue(name);
      return value;
    })
    .filter((value): value is ICAL.Time => value instanceof ICAL.Time);
}

/** ical.js's jCal form of what was written: 2026-12-25 or 2026-12-25T10:00:00(Z). */
const JCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})Z?)?$/;

function readsAsWritten(value: ICAL.Time, written: unknown): boolean {
  const parts = typeof written === "string" ? JCAL_TIME.exec(written) : null;
  if (!parts) return false;
  const [year, month, day, hour = "0", minute = "0", second = "0"] = parts.slice(1);
  return [value.year, value.month, value.day, value.hour, value.minute, value.second].every(
    (component, index) => component === Number([year, month, day, hour, minute, second][index]),
  );
}

/** The repeat rule, its UNTIL held to what was written as DTSTART's value is (timeValues). */
function readRule(property: ICAL.Property | null): ICAL.Recur | null {
  if (!property) return null;
  const recur = decoded("rrule", () => property.getFirstValue());
  if (!(recur instanceof ICAL.Recur)) return null;
  const written: unknown = property.toJSON()[3];
  const writtenUntil = written && typeof written === "object" && "until" in written ? written.until : undefined;
  if (recur.until && !readsAsWritten(recur.until, writtenUntil)) throw invalidValue("rrule");
  return recur;
}

function readTime(
  resolve: ZoneResolver,
  property: ICAL.Property | null,
): { wall: Temporal.PlainDateTime; zone: string | null; allDay: boolean } | null {
  if (!property) return null;
  const value = timeValues(property)[0];
  if (!value) return null;
  const tzid = property.getParameter("tzid");
  return { ...resolve(typeof tzid === "string" ? tzid : null, value), allDay: value.isDate };
}

function inZone(
  time: { wall: Temporal.PlainDateTime; zone: string | null },
  zone: string | null,
): Temporal.PlainDateTime {
  if (!time.zone || !zone || time.zone === zone) return time.wall;
  return toZoned(time.wall, time.zone).withTimeZone(zone).toPlainDateTime();
}

export { MAX_IMPORT_BYTES };
/**
 * The largest import request: the file plus the multipart framing and the form's other fields. The
 * body guard lets the calendar page's posts grow to this size (app/http/express.server.ts), so an
 * over-size file gets the import form's own message, not the generic 413 page.
 */
export const MAX_IMPORT_REQUEST_BYTES = MAX_IMPORT_BYTES + 16_384;

/**
 * A text cut to `max` UTF-16 units without leaving half of a character behind (an emoji cut in two):
 * a lone surrogate is not valid JSON text for PostgreSQL, and the import sends its rows as jsonb.
 */
function cutAt(text: string, max: number): string {
  const cut = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** The time one file's events may take to read. */
const READ_BUDGET_MS = 5_000;

/** Parses an .ics file; throws ICalendarError (nothing usable) for a malformed file. */
export function fromICalendar(
  text: string,
  fallbackZone: string,
  readBudgetMs = READ_BUDGET_MS,
): { events: ImportedEvent[]; skipped: Skipped[] } {
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (error) {
    // The parser's message names its own internals ("invalid line (no token ...)"): logged by the caller.
    if (error instanceof Error) throw new ICalendarError(UNREADABLE_ICALENDAR_MESSAGE, { cause: error });
    throw error;
  }
  if (root.name !== "vcalendar") throw new ICalendarError("This is not an iCalendar file (it has no VCALENDAR).");
  const vtimezones = new Map<string, ICAL.Timezone>();
  for (const component of root.getAllSubcomponents("vtimezone")) {
    const timezone = new ICAL.Timezone(component);
    if (timezone.tzid) vtimezones.set(timezone.tzid, timezone);
  }
  const resolve = zoneResolver(vtimezones, fallbackZone);
  const events: ImportedEvent[] = [];
  const skipped: Skipped[] = [];
  const vevents = root.getAllSubcomponents("vevent");
  if (vevents.length > MAX_IMPORT_EVENTS) throw new TooManyEventsError(vevents.length);
  const started = performance.now();
  for (const vevent of vevents) {
    // A repeat rule that never occurs takes up to ~0.2 s to tell (followed to 2200: see ruleProblem),
    // and a file may hold thousands: past the budget, the file is refused rather than the server held.
    if (performance.now() - started > readBudgetMs) {
      throw new ICalendarError(
        `Reading it took too long (over ${readBudgetMs / 1000} seconds): it has too many events, or repeat rules that take long to work out.`,
      );
    }
    // NUL is not storable in PostgreSQL text, as in the other fields.
    const uid = String(vevent.getFirstPropertyValue("uid") ?? "")
      .replaceAll("\u0000", "")
      .trim();
    const title =
      String(vevent.getFirstPropertyValue("summary") ?? "")
        .replaceAll("\u0000", "")
        .trim() || "(no title)";
    const skip = (reason: string) => skipped.push({ uid, title, reason });
    try {
      if (!uid) {
        skip("It has no UID.");
        continue;
      }
      const start = readTime(resolve, vevent.getFirstProperty("dtstart"));
      if (!start) {
        skip("It has no start (DTSTART).");
        continue;
      }
      const zone = start.zone;
      let end = readTime(resolve, vevent.getFirstProperty("dtend"));
      let endWall: Temporal.PlainDateTime;
      if (end) endWall = inZone(end, zone);
      else {
        const duration = decoded("duration", () => vevent.getFirstPropertyValue("duration"));
        // RFC 5545 §3.6.1: with neither DTEND nor DURATION, a date lasts the day and a date-time is an instant.
        if (duration instanceof ICAL.Duration) endWall = start.wall.add({ seconds: duration.toSeconds() });
        else endWall = start.allDay ? start.wall.add({ days: 1 }) : start.wall;
        end = null;
      }
      const allDay = start.allDay;
      if (Temporal.PlainDateTime.compare(endWall, start.wall) < 0) {
        skip("It ends before it starts.");
        continue;
      }
      if (allDay && Temporal.PlainDateTime.compare(endWall, start.wall) === 0) endWall = endWall.add({ days: 1 });
      // An event on 31 December 2200 ends (exclusive) on 1 January 2201: its last day is what counts.
      const lastWall = lastWallOf(endWall, allDay);
      const outside = [start.wall, lastWall].find((wall) => !inCalendarYears(wall.year));
      if (outside) {
        skip(
          `It falls in the year ${outside.year}: ARES keeps events from ${CALENDAR_YEARS.first} to ${CALENDAR_YEARS.last}.`,
        );
        continue;
      }
      const startLocal = formatWall(start.wall, allDay);
      const endLocal = formatWall(endWall, allDay);
      let rrule: string | null = null;
      const recur = readRule(vevent.getFirstProperty("rrule"));
      if (recur) {
        rrule = recur.toString();
        if (recur.until) {
          const until = resolve(null, recur.until);
          const wall = inZone(until, zone);
          rrule = withRulePart(rrule, "UNTIL", wallToUntil(formatWall(wall, allDay)));
        }
        const problem = ruleProblem(rrule, startLocal);
        if (problem) {
          skip(`Its repeat rule (${recur.toString()}) cannot be used: ${problem}.`);
          continue;
        }
      }
      const exdates: string[] = [];
      for (const property of vevent.getAllProperties("exdate")) {
        const tzid = property.getParameter("tzid");
        for (const value of timeValues(property)) {
          exdates.push(formatWall(inZone(resolve(typeof tzid === "string" ? tzid : null, value), zone), allDay));
        }
      }
      const recurrence = readTime(resolve, vevent.getFirstProperty("recurrence-id"));
      const replacedWall = recurrence ? inZone(recurrence, zone) : null;
      if (replacedWall && !inCalendarYears(replacedWall.year)) {
        skip(
          `It replaces an occurrence in the year ${replacedWall.year}, outside ${CALENDAR_YEARS.first}–${CALENDAR_YEARS.last}.`,
        );
        continue;
      }
      const reminders: number[] = [];
      for (const alarm of vevent.getAllSubcomponents("valarm")) {
        const trigger = decoded("trigger", () => alarm.getFirstPropertyValue("trigger"));
        if (trigger instanceof ICAL.Duration && trigger.toSeconds() <= 0)
          reminders.push(Math.round(-trigger.toSeconds() / 60));
      }
      events.push({
        uid,
        title: cutAt(title, 200),
        description: cutAt(String(vevent.getFirstPropertyValue("description") ?? "").replaceAll("\u0000", ""), 5000),
        location: cutAt(String(vevent.getFirstPropertyValue("location") ?? "").replaceAll("\u0000", ""), 300),
        allDay,
        startLocal,
        endLocal,
        timeZone: allDay ? null : zone,
        rrule,
        exdates: [...new Set(exdates)].sort(),
        recurrenceId: recurrence && replacedWall ? formatWall(replacedWall, recurrence.allDay) : null,
        reminders: [...new Set(reminders)].sort((a, b) => a - b).slice(0, 10),
      });
    } catch (error) {
      if (error instanceof ICalendarError || error instanceof RangeError) skip(error.message);
      else throw error;
    }
  }
  return { events, skipped };
}
