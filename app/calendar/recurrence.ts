import { RRuleTemporal } from "rrule-temporal";
import { type RulePlan, planRule, planStartsBetween } from "./rule-arithmetic";
import { CALENDAR_YEARS, Temporal, parseWall } from "./time";
import { wallMsOf } from "./zone-clock";

export const FREQUENCIES = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"] as const;
export type Frequency = (typeof FREQUENCIES)[number];
export const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The parts of an RRULE that ARES's form edits; imports may carry more (kept verbatim in the rule). */
export type RepeatRule = {
  freq: Frequency;
  interval: number;
  byDay: string[];
  byMonthDay: number[];
  count: number | null;
  /** Wall-clock (in the event's zone) or a date for all-day events: "2026-12-31T23:59" / "2026-12-31". */
  until: string | null;
};

export function parseRule(rrule: string): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const part of rrule.replace(/^RRULE:/i, "").split(";")) {
    const [key, value] = part.split("=");
    if (key && value !== undefined) parts[key.trim().toUpperCase()] = value.trim();
  }
  return parts;
}

/** "20261231T235959" / "20261231" (stored as wall clock, no Z) → "2026-12-31T23:59" / "2026-12-31". */
export function untilToWall(until: string): string {
  const digits = until.replace(/Z$/, "");
  const date = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`;
  return digits.length > 8 ? `${date}T${digits.slice(9, 11)}:${digits.slice(11, 13)}` : date;
}

export function wallToUntil(wall: string): string {
  const compact = wall.replaceAll("-", "").replace(":", "");
  return compact.length > 8 ? `${compact}00` : compact;
}

export function readRule(rrule: string): RepeatRule {
  const parts = parseRule(rrule);
  const freq = FREQUENCIES.find((candidate) => candidate === parts.FREQ) ?? "DAILY";
  return {
    freq,
    interval: Number(parts.INTERVAL ?? 1) || 1,
    byDay: parts.BYDAY ? parts.BYDAY.split(",") : [],
    byMonthDay: parts.BYMONTHDAY ? parts.BYMONTHDAY.split(",").map(Number) : [],
    count: parts.COUNT ? Number(parts.COUNT) : null,
    until: parts.UNTIL ? untilToWall(parts.UNTIL) : null,
  };
}

export function writeRule(rule: RepeatRule): string {
  const parts = [`FREQ=${rule.freq}`];
  if (rule.interval > 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.byDay.length) parts.push(`BYDAY=${rule.byDay.join(",")}`);
  if (rule.byMonthDay.length) parts.push(`BYMONTHDAY=${rule.byMonthDay.join(",")}`);
  if (rule.count !== null) parts.push(`COUNT=${rule.count}`);
  else if (rule.until !== null) parts.push(`UNTIL=${wallToUntil(rule.until)}`);
  return parts.join(";");
}

/** Replaces (or removes, with null) one part of a rule, keeping every other part as it was. */
export function withRulePart(rrule: string, key: string, value: string | null): string {
  const kept = rrule
    .replace(/^RRULE:/i, "")
    .split(";")
    .filter((part) => part && part.split("=")[0]?.toUpperCase() !== key);
  if (value !== null) kept.push(`${key}=${value}`);
  return kept.join(";");
}

const UTC = "UTC";

/** A rule's UNTIL as the last wall-clock start it allows (inclusive: an all-day UNTIL date covers that whole day). */
function untilWall(until: string): Temporal.PlainDateTime {
  const wall = parseWall(untilToWall(until));
  return until.length === 8 ? wall.add({ hours: 23, minutes: 59 }) : wall;
}

/** A rule with its first start, ready to expand: by arithmetic when its shape allows (plan), else by rrule-temporal. */
type CompiledRule = {
  plan: RulePlan | null;
  engine: RRuleTemporal | undefined;
  /** The last start, once worked out (a COUNT is expanded to find it). */
  last: Temporal.PlainDateTime | "never" | undefined;
};

/**
 * Rules compiled (parsed, and as rrule-temporal builds its query plans on first use), by first start
 * and rule text, which fully determine them. Every view, reminder scan and prompt expands the same
 * series again and again; compiling one costs more than expanding a month of it.
 */
const compiledRules = new Map<string, CompiledRule>();
const MAX_COMPILED_RULES = 2_000;

function compiled(rrule: string, startLocal: string): CompiledRule {
  const key = `${startLocal} ${rrule}`;
  const kept = compiledRules.get(key);
  if (kept) {
    // Least recently used first out: a hit moves to the end.
    compiledRules.delete(key);
    compiledRules.set(key, kept);
    return kept;
  }
  const rule: CompiledRule = {
    plan: planRule(rrule, wallMsOf(startLocal), (until) => untilWall(until).toZonedDateTime(UTC).epochMilliseconds),
    engine: undefined,
    last: undefined,
  };
  if (compiledRules.size >= MAX_COMPILED_RULES) compiledRules.delete(compiledRules.keys().next().value!);
  compiledRules.set(key, rule);
  return rule;
}

/**
 * Expansion runs on wall-clock times: the rule is evaluated in UTC (which has no DST) with the series'
 * local start, and each generated wall-clock time is placed in the real zone afterwards. So a 09:00
 * Berlin meeting stays 09:00 Berlin, and a time skipped by a DST gap still occurs (shifted forward)
 * rather than silently vanishing as rule engines do when they evaluate in the zone itself.
 */
function ruleOnWallClock(rrule: string, startLocal: string): RRuleTemporal {
  const rule = compiled(rrule, startLocal);
  rule.engine ??= engineFor(rrule, startLocal, 100_000);
  return rule.engine;
}

function engineFor(rrule: string, startLocal: string, maxIterations: number): RRuleTemporal {
  const parts = parseRule(rrule);
  let text = rrule.replace(/^RRULE:/i, "");
  if (parts.UNTIL) {
    text = withRulePart(
      text,
      "UNTIL",
      `${untilWall(parts.UNTIL).toString({ smallestUnit: "second" }).replace(/[-:]/g, "")}Z`,
    );
  }
  return new RRuleTemporal({
    rruleString: text,
    dtstart: parseWall(startLocal).toZonedDateTime(UTC),
    maxIterations,
    // Never keep a rule's whole occurrence list (only queries with an iterator or a window run here).
    cache: false,
  });
}

/**
 * Wall-clock starts of a rule's occurrences from `from` to `to` (inclusive), in wall milliseconds (a
 * wall-clock reading written as UTC, see zone-clock.ts): the rule runs
 * in UTC, so an occurrence's epoch milliseconds are its wall clock, with no conversion per occurrence.
 */
export function wallStartMsBetween(rrule: string, startLocal: string, from: number, to: number): number[] {
  const { plan } = compiled(rrule, startLocal);
  return plan ? planStartsBetween(plan, from, to) : engineStartMsBetween(rrule, startLocal, from, to);
}

/** rrule-temporal's answer alone, for any rule: the authority the arithmetic is held to (rule-arithmetic.test.ts). */
export function engineStartMsBetween(rrule: string, startLocal: string, from: number, to: number): number[] {
  return ruleOnWallClock(rrule, startLocal)
    .between(new Date(from), new Date(to), true)
    .map((start) => start.epochMilliseconds);
}

/**
 * An upper bound for the last wall-clock start of a rule: the last start of a COUNT rule ("never" when
 * it runs past the years kept), the UNTIL time otherwise; "never" when the rule has no end.
 */
export function lastWallStart(rrule: string, startLocal: string): Temporal.PlainDateTime | "never" {
  const parts = parseRule(rrule);
  if (parts.COUNT) {
    // Expanding a COUNT costs ~0.1 ms an occurrence: a rule's check and its stored range share one.
    const rule = compiled(rrule, startLocal);
    rule.last ??= lastCountedStart(rrule, startLocal, Number(parts.COUNT));
    return rule.last;
  }
  if (parts.UNTIL) return untilWall(parts.UNTIL);
  return "never";
}

/**
 * The last of a COUNT's starts, expanded through the years ARES keeps only: a series still running
 * after them has no end the calendar needs ("never"), and a sparse rule is not followed for millennia.
 */
function lastCountedStart(rrule: string, startLocal: string, count: number): Temporal.PlainDateTime | "never" {
  let cut = false;
  const starts = ruleOnWallClock(rrule, startLocal).all((start, index) => {
    if (start.year > CALENDAR_YEARS.last) cut = true;
    return index < count && !cut;
  });
  // Stopped at the years' end, not by the COUNT (nor by an UNTIL beside it): the rest lie beyond them.
  if (cut) return "never";
  const last = starts.at(-1);
  return last ? wallOfEngineStart(last) : parseWall(startLocal);
}

type EngineStart = ReturnType<RRuleTemporal["all"]>[number];

/** An engine's start (in UTC, standing for the wall clock) as our PlainDateTime: rrule-temporal has its own Temporal. */
function wallOfEngineStart(start: EngineStart): Temporal.PlainDateTime {
  return Temporal.PlainDateTime.from(start.toPlainDateTime().toString());
}

/** Wall-clock starts of the first `limit` occurrences (for counting and previews). */
export function firstWallStarts(rrule: string, startLocal: string, limit: number): Temporal.PlainDateTime[] {
  return ruleOnWallClock(rrule, startLocal)
    .all((_, index) => index < limit)
    .map(wallOfEngineStart);
}

/**
 * The most occurrences a rule may have by COUNT (the form's limit too): its last start is found by
 * expanding it, at ~0.1 ms an occurrence.
 */
export const MAX_COUNT = 1000;

const PERIOD_UNITS = { DAILY: "days", WEEKLY: "weeks", MONTHLY: "months", YEARLY: "years" } as const;

/**
 * The periods (days, weeks, months or years) from a rule's start to the end of the years kept: all a check
 * follows it for, as an occurrence after them is no use. A rule that never occurs costs rrule-temporal
 * that many steps to tell (its default of 100,000 took up to 2.7 s for a weekly rule).
 */
function periodsToHorizon(frequency: Frequency, startLocal: string): number {
  const horizon = Temporal.PlainDate.from({ year: CALENDAR_YEARS.last + 1, month: 1, day: 1 });
  const unit = PERIOD_UNITS[frequency];
  const start = parseWall(startLocal).toPlainDate();
  return Math.max(1, Math.ceil(start.until(horizon, { largestUnit: unit }).total({ unit, relativeTo: start }))) + 1;
}
const SUB_DAILY = new Set(["HOURLY", "MINUTELY", "SECONDLY"]);

/**
 * Why ARES cannot use a rule, in words for the person, or null when it can: rrule-temporal reads it, it
 * repeats daily at the finest (as the form and Google Calendar do), it occurs, and a COUNT can be expanded.
 */
export function ruleProblem(rrule: string, startLocal: string): string | null {
  const parts = parseRule(rrule);
  if (SUB_DAILY.has(parts.FREQ ?? "")) return "it repeats more often than daily";
  if (!FREQUENCIES.some((frequency) => frequency === parts.FREQ))
    return `its frequency (FREQ=${parts.FREQ ?? ""}) is not daily, weekly, monthly or yearly`;
  if (parts.COUNT && !(Number(parts.COUNT) <= MAX_COUNT))
    return `it has more than ${MAX_COUNT.toLocaleString("en")} occurrences`;
  let check: RRuleTemporal;
  try {
    check = engineFor(rrule, startLocal, periodsToHorizon(parts.FREQ as Frequency, startLocal));
  } catch (error) {
    // rrule-temporal's own reading of the rule: which part it could not use.
    if (error instanceof Error) return error.message;
    throw error;
  }
  try {
    if (check.all((_, index) => index < 1).length === 0) return "it never occurs";
    if (parts.COUNT) lastWallStart(rrule, startLocal);
    return null;
  } catch (error) {
    // The iteration limit: no occurrence before the years kept end.
    if (error instanceof Error) return `it never occurs before ${CALENDAR_YEARS.last + 1}`;
    throw error;
  }
}

const DAY_NAMES: Record<string, string> = {
  MO: "Mon",
  TU: "Tue",
  WE: "Wed",
  TH: "Thu",
  FR: "Fri",
  SA: "Sat",
  SU: "Sun",
};
const ORDINALS: Record<string, string> = { "1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last" };
const UNITS: Record<Frequency, [string, string]> = {
  DAILY: ["day", "days"],
  WEEKLY: ["week", "weeks"],
  MONTHLY: ["month", "months"],
  YEARLY: ["year", "years"],
};

/** "Every 2 weeks on Mon, Wed, 10 times" — the rule in plain words. */
export function describeRule(rrule: string): string {
  const rule = readRule(rrule);
  const [one, many] = UNITS[rule.freq];
  let text = rule.interval > 1 ? `Every ${rule.interval} ${many}` : `Every ${one}`;
  const days = rule.byDay.map((day) => {
    const match = /^(-?\d)?([A-Z]{2})$/.exec(day);
    if (!match) return day;
    const name = DAY_NAMES[match[2] ?? ""] ?? day;
    return match[1] ? `the ${ORDINALS[match[1]] ?? match[1]} ${name}` : name;
  });
  if (days.length) text += ` on ${days.join(", ")}`;
  if (rule.byMonthDay.length) text += ` on day ${rule.byMonthDay.join(", ")}`;
  if (rule.count) text += `, ${rule.count} time${rule.count === 1 ? "" : "s"}`;
  else if (rule.until) text += `, until ${rule.until.replace("T", " ")}`;
  return text;
}
