// Shared by the server (validation, formatting in loaders) and the browser (the profile form's checks).

/**
 * Whether the runtime can work in this zone: every name its ICU accepts, the current IANA names
 * (Asia/Kolkata, Europe/Kyiv) as well as the older ones its CLDR still lists as canonical
 * (Asia/Calcutta, Europe/Kiev), and links such as US/Pacific. Intl.supportedValuesOf("timeZone")
 * lists only CLDR's canonical names, so it cannot be the check: it rejected Asia/Kolkata, the name
 * Google Calendar and most systems write. Offsets ("+05:30") are not zone names: ICU takes them, but
 * PostgreSQL reads such a string with the opposite sign and iCalendar has no TZID for it.
 */
export function isTimeZone(value: string): boolean {
  if (known.has(value)) return true;
  if (!ZONE_NAME.test(value)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
  if (known.size < MAX_KNOWN) known.add(value);
  return true;
}

/** A zone name: letters first (Area/Location, Etc/GMT+5, UTC, EST), no leading sign or digit. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;
/** Names already accepted: the check runs on every form and tool call, ICU's lookup once per name. */
const known = new Set<string>();
/**
 * ICU takes names in any letter case (asia/KOLKATA), so what is accepted is not a small set: past this
 * many the cache stops growing rather than keep every spelling someone posts.
 */
const MAX_KNOWN = 2_000;

/**
 * Formatters by zone. Creating an Intl.DateTimeFormat costs far more than formatting with one (ICU
 * loads the zone and the locale's patterns): made per call, it was 16 % of a conversation page's CPU
 * (a time for every message). Zones are validated names, so the maps stay as small as the zones in use.
 */
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const dayFormats = new Map<string, Intl.DateTimeFormat>();
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

function cachedFormat(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, make: () => Intl.DateTimeFormat) {
  let format = cache.get(timeZone);
  if (!format) cache.set(timeZone, (format = make()));
  return format;
}

/** A date and time as the person reads it in their own zone, e.g. "3 Mar 2026, 14:05". */
export function formatDateTime(date: Date, timeZone: string): string {
  return cachedFormat(
    dateTimeFormats,
    timeZone,
    () => new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone }),
  ).format(date);
}

/** A day as the person reads it in their own zone, e.g. "3 Mar 2026" (formatDateTime's date). */
export function formatDate(date: Date, timeZone: string): string {
  return cachedFormat(
    dateFormats,
    timeZone,
    () => new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone }),
  ).format(date);
}

/** The calendar day ("2026-03-29") an instant falls on in a time zone. */
export function dayInZone(instant: Date, timeZone: string): string {
  return cachedFormat(
    dayFormats,
    timeZone,
    () => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }),
  ).format(instant);
}

/** How far the zone's wall clock is ahead of UTC at `instant`, in milliseconds. */
function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = cachedFormat(
    offsetFormats,
    timeZone,
    () =>
      new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      }),
  ).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wallClock = Date.UTC(
    part("year"),
    part("month") - 1,
    part("day"),
    part("hour"),
    part("minute"),
    part("second"),
  );
  return wallClock - Math.floor(instant / 1000) * 1000;
}

/** The instant a calendar day ("2026-03-29") begins in a time zone; DST-safe (re-checks the offset once). */
export function startOfDayInZone(day: string, timeZone: string): Date {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  const midnightAsUtc = Date.UTC(year, month - 1, date);
  let instant = midnightAsUtc - zoneOffsetMs(midnightAsUtc, timeZone);
  const corrected = midnightAsUtc - zoneOffsetMs(instant, timeZone);
  if (corrected !== instant) instant = corrected;
  return new Date(instant);
}

/** The day after a "YYYY-MM-DD" day, in the same format (for an inclusive "to" date). */
export function nextDay(day: string): string {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date + 1)).toISOString().slice(0, 10);
}
