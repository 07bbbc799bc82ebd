import { DAY_MS, wallDay } from "./zone-clock";

// The commonest rules — every N days, every N weeks on some weekdays, every N months on some days
// of the month — expanded by arithmetic on wall milliseconds (see zone-clock.ts). rrule-temporal stays
// the authority: it expands every other rule, and rule-arithmetic.test.ts holds this to its answers.
// A month view expands each series in it, and rrule-temporal makes Temporal objects for every
// occurrence it looks at: for a person with a few dozen series that was most of the view's cost.

/** A rule reduced to arithmetic: which days of each period, every how many periods, until when. */
export type RulePlan = {
  freq: "DAILY" | "WEEKLY" | "MONTHLY";
  interval: number;
  /** The first start (wall ms): its time of day is every occurrence's. */
  start: number;
  /** The last wall-clock start allowed (inclusive); Infinity without UNTIL. */
  until: number;
  /** How many occurrences the rule has; Infinity without COUNT. */
  count: number;
  /** WEEKLY: days after the week's start (WKST); MONTHLY: days of the month (1–28). Sorted, distinct. */
  days: number[];
  /** WEEKLY: the weekday weeks start on (WKST), Monday = 0. */
  weekStart: number;
};

const WEEKDAY_INDEX = new Map(["MO", "TU", "WE", "TH", "FR", "SA", "SU"].map((day, index) => [day, index]));
const WHOLE_NUMBER = /^[1-9]\d{0,5}$/;
const UNTIL_VALUE = /^\d{8}(T\d{6}Z?)?$/;
const PARTS_BY_FREQ: Record<RulePlan["freq"], Set<string>> = {
  DAILY: new Set(["FREQ", "INTERVAL", "COUNT", "UNTIL"]),
  WEEKLY: new Set(["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"]),
  MONTHLY: new Set(["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTHDAY"]),
};

/** Monday = 0 … Sunday = 6 of a wall day (1970-01-01 was a Thursday). */
const weekdayOf = (day: number) => (((day + 3) % 7) + 7) % 7;
const monthIndexOf = (wallMs: number) => {
  const date = new Date(wallMs);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
};

function weekdays(value: string): number[] | null {
  const days = value.split(",").map((day) => WEEKDAY_INDEX.get(day));
  return days.every((day) => day !== undefined) ? (days as number[]) : null;
}

function monthDays(value: string): number[] | null {
  const days = value.split(",").map((day) => (/^\d{1,2}$/.test(day) ? Number(day) : 0));
  // Days 29–31 are missing from some months, which RFC 5545 then skips: rrule-temporal counts those.
  return days.every((day) => day >= 1 && day <= 28) ? days : null;
}

const sortedDistinct = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);

/**
 * The plan of a rule with a first start (wall ms), or null when the rule is not one of the simple
 * shapes (rrule-temporal expands it). `untilWallMs` reads UNTIL as recurrence.ts does.
 */
export function planRule(rrule: string, start: number, untilWallMs: (until: string) => number): RulePlan | null {
  if (!Number.isFinite(start) || new Date(start).getUTCFullYear() < 100) return null;
  const parts = new Map<string, string>();
  for (const part of rrule.replace(/^RRULE:/i, "").split(";")) {
    const [key, value, extra] = part.split("=");
    if (!key || !value || extra !== undefined || parts.has(key)) return null;
    parts.set(key, value);
  }
  const freq = parts.get("FREQ");
  if (freq !== "DAILY" && freq !== "WEEKLY" && freq !== "MONTHLY") return null;
  const allowed = PARTS_BY_FREQ[freq];
  if ([...parts.keys()].some((key) => !allowed.has(key))) return null;
  const interval = parts.get("INTERVAL") ?? "1";
  const count = parts.get("COUNT");
  const until = parts.get("UNTIL");
  if (!WHOLE_NUMBER.test(interval) || (count !== undefined && !WHOLE_NUMBER.test(count))) return null;
  if (until !== undefined && (count !== undefined || !UNTIL_VALUE.test(until))) return null;
  const startDay = wallDay(start);
  let days: number[] = [];
  let weekStart = 0;
  if (freq === "WEEKLY") {
    const wkst = weekdays(parts.get("WKST") ?? "MO");
    const byDay = parts.has("BYDAY") ? weekdays(parts.get("BYDAY")!) : [weekdayOf(startDay)];
    if (wkst?.length !== 1 || !byDay) return null;
    weekStart = wkst[0]!;
    days = sortedDistinct(byDay.map((day) => (day - weekStart + 7) % 7));
  } else if (freq === "MONTHLY") {
    const byMonthDay = parts.has("BYMONTHDAY")
      ? monthDays(parts.get("BYMONTHDAY")!)
      : monthDays(String(new Date(start).getUTCDate()));
    if (!byMonthDay) return null;
    days = sortedDistinct(byMonthDay);
  }
  return {
    freq,
    interval: Number(interval),
    start,
    until: until === undefined ? Infinity : untilWallMs(until),
    count: count === undefined ? Infinity : Number(count),
    days,
    weekStart,
  };
}

/**
 * Wall-clock starts (wall ms) of a plan's occurrences from `from` to `to`, both inclusive, in order.
 * Occurrences are numbered from the first one at or after the start (which need not match the rule:
 * rrule-temporal then begins with the rule's first day after it), so COUNT is arithmetic too.
 */
export function planStartsBetween(plan: RulePlan, from: number, to: number): number[] {
  const last = Math.min(to, plan.until);
  const starts: number[] = [];
  if (last < plan.start || from > last) return starts;
  const startDay = wallDay(plan.start);
  const timeOfDay = plan.start - startDay * DAY_MS;
  if (plan.freq === "DAILY") {
    const step = plan.interval * DAY_MS;
    for (let index = Math.max(0, Math.ceil((from - plan.start) / step)); index < plan.count; index++) {
      const wall = plan.start + index * step;
      if (wall > last) break;
      starts.push(wall);
    }
    return starts;
  }
  // Periods (weeks from WKST, or months) are numbered from the start's; a day of period 0 before the
  // start's own day is not an occurrence.
  let startPosition: number;
  let periodOf: (wallMs: number) => number;
  let wallOf: (period: number, day: number) => number;
  if (plan.freq === "WEEKLY") {
    startPosition = (weekdayOf(startDay) - plan.weekStart + 7) % 7;
    const firstWeek = startDay - startPosition;
    periodOf = (wallMs) => Math.floor((wallDay(wallMs) - firstWeek) / 7);
    wallOf = (week, day) => (firstWeek + week * 7 + day) * DAY_MS + timeOfDay;
  } else {
    const firstMonth = monthIndexOf(plan.start);
    startPosition = new Date(plan.start).getUTCDate();
    periodOf = (wallMs) => monthIndexOf(wallMs) - firstMonth;
    wallOf = (month, day) => {
      const index = firstMonth + month;
      return Date.UTC(Math.floor(index / 12), index % 12, day) + timeOfDay;
    };
  }
  const perPeriod = plan.days.length;
  const firstCount = plan.days.filter((day) => day >= startPosition).length;
  for (let step = Math.max(0, Math.floor(periodOf(from) / plan.interval)); ; step++) {
    // Occurrences before this period: period 0's from the start, then every period's days.
    const before = step === 0 ? firstCount - perPeriod : firstCount + (step - 1) * perPeriod;
    for (let index = step === 0 ? perPeriod - firstCount : 0; index < perPeriod; index++) {
      if (before + index >= plan.count) return starts;
      const wall = wallOf(step * plan.interval, plan.days[index]!);
      if (wall > last) return starts;
      if (wall >= from) starts.push(wall);
    }
  }
}
