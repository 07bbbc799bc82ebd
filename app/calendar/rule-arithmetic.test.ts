import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Window, expandOccurrences } from "./occurrences";
import { engineStartMsBetween, wallStartMsBetween } from "./recurrence";
import { planRule } from "./rule-arithmetic";
import { Temporal, isoWithOffset, parseWall, toZoned } from "./time";
import { DAY_MS, formatWallMs, wallMsOf } from "./zone-clock";

// The arithmetic expands the commonest rules in place of rrule-temporal: for every rule it takes, it
// must give rrule-temporal's occurrences exactly — first start, COUNT, UNTIL, INTERVAL, WKST and all.

const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
const ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Pacific/Auckland"];
const FIRST_DAY = wallMsOf("2019-01-01");
const LAST_DAY = wallMsOf("2028-12-31");

const pad = (value: number) => String(value).padStart(2, "0");

/** A simple rule: the shapes the arithmetic takes, in every combination of their parts (text: ruleText). */
const simpleRule = fc.record({
  freq: fc.constantFrom("DAILY", "WEEKLY", "MONTHLY"),
  interval: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
  byDay: fc.option(fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 7 }), { nil: undefined }),
  wkst: fc.option(fc.constantFrom(...WEEKDAYS), { nil: undefined }),
  byMonthDay: fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 28 }), { minLength: 1, maxLength: 4 }), {
    nil: undefined,
  }),
  end: fc.oneof(
    fc.constant(""),
    fc.integer({ min: 1, max: 80 }).map((count) => `COUNT=${count}`),
    fc
      .tuple(fc.integer({ min: 0, max: 900 }), fc.boolean(), fc.integer({ min: 0, max: 1439 }))
      .map(([days, dateOnly, minute]) => ({ days, dateOnly, minute })),
  ),
});

type SimpleRule = typeof simpleRule extends fc.Arbitrary<infer Rule> ? Rule : never;

/** The rule's text for a first start (UNTIL is placed relative to it). */
function ruleText(rule: SimpleRule, start: number): string {
  const parts = [`FREQ=${rule.freq}`];
  if (rule.interval) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.freq === "WEEKLY" && rule.byDay) parts.push(`BYDAY=${rule.byDay.join(",")}`);
  if (rule.freq === "WEEKLY" && rule.wkst) parts.push(`WKST=${rule.wkst}`);
  if (rule.freq === "MONTHLY" && rule.byMonthDay) parts.push(`BYMONTHDAY=${rule.byMonthDay.join(",")}`);
  if (typeof rule.end === "string") {
    if (rule.end) parts.push(rule.end);
  } else {
    // UNTIL around and after the first start: a date (the whole day counts) or a date-time.
    const until = new Date(start + (rule.end.days - 3) * DAY_MS + rule.end.minute * 60_000);
    const date = `${until.getUTCFullYear()}${pad(until.getUTCMonth() + 1)}${pad(until.getUTCDate())}`;
    parts.push(
      `UNTIL=${rule.end.dateOnly ? date : `${date}T${pad(until.getUTCHours())}${pad(until.getUTCMinutes())}00Z`}`,
    );
  }
  return parts.join(";");
}

/** A monthly rule without BYMONTHDAY repeats its start's day: the 29th–31st are rrule-temporal's. */
const takesDay = (rule: SimpleRule, start: number) =>
  rule.freq !== "MONTHLY" || rule.byMonthDay !== undefined || new Date(start).getUTCDate() <= 28;

/** A first start: a date-time at any minute, or a date (all-day). */
const firstStart = fc
  .tuple(fc.integer({ min: 0, max: (LAST_DAY - FIRST_DAY) / DAY_MS }), fc.integer({ min: 0, max: 1439 }), fc.boolean())
  .map(([day, minute, allDay]) => {
    const wall = FIRST_DAY + day * DAY_MS + (allDay ? 0 : minute * 60_000);
    return formatWallMs(wall, allDay);
  });

/** A search window around and after the first start (wall ms, inclusive), at any minute. */
const searchWindow = fc
  .tuple(fc.integer({ min: -40 * 1440, max: 1200 * 1440 }), fc.integer({ min: 0, max: 70 * 1440 }))
  .map(([offsetMinutes, lengthMinutes]) => ({ offsetMinutes, lengthMinutes }));

describe("rule arithmetic", () => {
  it("gives rrule-temporal's wall-clock starts for every daily, weekly and monthly rule it takes", () => {
    fc.assert(
      fc.property(simpleRule, firstStart, searchWindow, (rule, startLocal, window) => {
        const start = wallMsOf(startLocal);
        fc.pre(takesDay(rule, start));
        const rrule = ruleText(rule, start);
        const from = start + window.offsetMinutes * 60_000;
        const to = from + window.lengthMinutes * 60_000;
        // Every generated rule is one the arithmetic takes (else this would compare rrule-temporal with itself).
        expect(planRule(rrule, start, () => 0)).not.toBeNull();
        const got = wallStartMsBetween(rrule, startLocal, from, to).map((wall) => formatWallMs(wall, false));
        const want = engineStartMsBetween(rrule, startLocal, from, to).map((wall) => formatWallMs(wall, false));
        expect({ rrule, startLocal, from: formatWallMs(from, false), got }).toEqual({
          rrule,
          startLocal,
          from: formatWallMs(from, false),
          got: want,
        });
      }),
      { numRuns: 3000 },
    );
  });

  it("leaves every other rule to rrule-temporal", () => {
    const start = wallMsOf("2026-01-31T09:00");
    for (const rrule of [
      "FREQ=YEARLY",
      "FREQ=MONTHLY", // the 31st: months without one are skipped
      "FREQ=MONTHLY;BYMONTHDAY=30",
      "FREQ=MONTHLY;BYMONTHDAY=-1",
      "FREQ=MONTHLY;BYDAY=2TU",
      "FREQ=WEEKLY;BYDAY=1MO",
      "FREQ=DAILY;BYDAY=MO,TU",
      "FREQ=DAILY;BYHOUR=9,17",
      "FREQ=WEEKLY;BYSETPOS=1;BYDAY=MO,TU",
      "FREQ=DAILY;COUNT=3;UNTIL=20260301",
      "FREQ=DAILY;INTERVAL=0",
      "FREQ=DAILY;COUNT=2;COUNT=3",
      "freq=daily",
      "FREQ=DAILY;;COUNT=2",
    ]) {
      expect([rrule, planRule(rrule, start, () => 0)]).toEqual([rrule, null]);
    }
    // …and those give rrule-temporal's answer (a plain call, no arithmetic).
    const from = wallMsOf("2026-01-01T00:00");
    const to = wallMsOf("2026-08-01T00:00");
    expect(wallStartMsBetween("FREQ=MONTHLY", "2026-01-31T09:00", from, to).map((w) => formatWallMs(w, false))).toEqual(
      ["2026-01-31T09:00", "2026-03-31T09:00", "2026-05-31T09:00", "2026-07-31T09:00"],
    );
  });

  it("places the same occurrences in DST zones as rrule-temporal's starts placed by Temporal", () => {
    // Windows of a view around each zone's DST changes (and Kolkata's none) in 2026.
    const changes = ZONES.flatMap((zone) => {
      const found: { zone: string; day: string }[] = [{ zone, day: "2026-07-01" }];
      let at = Temporal.PlainDate.from("2026-01-01").toZonedDateTime(zone).getTimeZoneTransition("next");
      while (at && at.year === 2026) {
        found.push({ zone, day: at.toPlainDate().toString() });
        at = at.getTimeZoneTransition("next");
      }
      return found;
    });
    fc.assert(
      fc.property(
        simpleRule,
        fc.integer({ min: 0, max: 900 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.boolean(),
        fc.integer({ min: 5, max: 240 }),
        fc.constantFrom(...changes),
        fc.integer({ min: -20, max: 5 }),
        (rule, daysBefore, minute, allDay, lengthMinutes, change, windowShift) => {
          const { zone } = change;
          const first = Temporal.PlainDate.from(change.day).subtract({ days: daysBefore });
          const startLocal = allDay
            ? first.toString()
            : first
                .toPlainDateTime({ hour: Math.floor(minute / 60), minute: minute % 60 })
                .toString()
                .slice(0, 16);
          const endLocal = allDay
            ? first.add({ days: 1 }).toString()
            : parseWall(startLocal).add({ minutes: lengthMinutes }).toString().slice(0, 16);
          const rrule = ruleText(rule, wallMsOf(startLocal));
          const windowStart = Temporal.PlainDate.from(change.day).add({ days: windowShift });
          const window: Window = {
            start: windowStart.toZonedDateTime(zone).toInstant(),
            end: windowStart.add({ days: 35 }).toZonedDateTime(zone).toInstant(),
          };
          const series = {
            id: "series",
            title: "Series",
            location: "",
            allDay,
            startLocal,
            endLocal,
            timeZone: allDay ? null : zone,
            rrule,
            exdates: [],
            seriesId: null,
            recurrenceId: null,
          };
          const got = expandOccurrences([series], window, zone).map(
            (o) => `${isoWithOffset(o.start)} ${o.recurrenceId}`,
          );
          // rrule-temporal's starts from well before the window, each placed in the zone by Temporal and
          // lasting the first occurrence's exact duration (RFC 5545); an all-day one, its wall-clock day.
          const duration = toZoned(parseWall(startLocal), zone).until(toZoned(parseWall(endLocal), zone));
          const want = engineStartMsBetween(
            rrule,
            startLocal,
            wallMsOf(windowStart.subtract({ days: 3 }).toString()),
            wallMsOf(windowStart.add({ days: 38 }).toString()),
          )
            .map((wall) => {
              const wallStart = parseWall(formatWallMs(wall, false));
              const start = toZoned(wallStart, zone);
              const end = allDay ? toZoned(wallStart.add({ days: 1 }), zone) : start.add(duration);
              return { start, end, recurrenceId: formatWallMs(wall, allDay) };
            })
            .filter(
              ({ start, end }) =>
                Temporal.Instant.compare(start.toInstant(), window.end) < 0 &&
                Temporal.Instant.compare(end.toInstant(), window.start) > 0,
            )
            .map(({ start, recurrenceId }) => `${isoWithOffset(start)} ${recurrenceId}`);
          expect({ zone, rrule, startLocal, got }).toEqual({ zone, rrule, startLocal, got: want });
        },
      ),
      { numRuns: 1500 },
    );
  });
});
