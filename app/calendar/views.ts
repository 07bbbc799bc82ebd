import type { Occurrence } from "./occurrences";
import { Temporal, isoWeek } from "./time";
import { DAY_MS, type ZoneClock, dayOfDate, wallDay, zoneClock } from "./zone-clock";

export const VIEWS = ["month", "week", "day", "agenda"] as const;
export type CalendarView = (typeof VIEWS)[number];

/** Days the agenda lists from the chosen date. */
const AGENDA_DAYS = 30;
/** Events a month cell lists before "+N more". */
export const MONTH_CELL_LIMIT = 3;

export type ViewRange = {
  view: CalendarView;
  date: Temporal.PlainDate;
  /** First day shown and the day after the last one. */
  first: Temporal.PlainDate;
  last: Temporal.PlainDate;
  previous: Temporal.PlainDate;
  next: Temporal.PlainDate;
};

function mondayOf(date: Temporal.PlainDate): Temporal.PlainDate {
  return date.subtract({ days: date.dayOfWeek - 1 });
}

export function viewRange(view: CalendarView, date: Temporal.PlainDate): ViewRange {
  switch (view) {
    case "month": {
      const firstOfMonth = date.with({ day: 1 });
      const first = mondayOf(firstOfMonth);
      const afterMonth = firstOfMonth.add({ months: 1 });
      const last = mondayOf(afterMonth.subtract({ days: 1 })).add({ days: 7 });
      return { view, date, first, last, previous: firstOfMonth.subtract({ months: 1 }), next: afterMonth };
    }
    case "week": {
      const first = mondayOf(date);
      return {
        view,
        date,
        first,
        last: first.add({ days: 7 }),
        previous: first.subtract({ days: 7 }),
        next: first.add({ days: 7 }),
      };
    }
    case "day":
      return {
        view,
        date,
        first: date,
        last: date.add({ days: 1 }),
        previous: date.subtract({ days: 1 }),
        next: date.add({ days: 1 }),
      };
    case "agenda":
      return {
        view,
        date,
        first: date,
        last: date.add({ days: AGENDA_DAYS }),
        previous: date.subtract({ days: AGENDA_DAYS }),
        next: date.add({ days: AGENDA_DAYS }),
      };
  }
}

export function windowOf(range: ViewRange, timeZone: string) {
  return {
    start: range.first.toZonedDateTime(timeZone).toInstant(),
    end: range.last.toZonedDateTime(timeZone).toInstant(),
  };
}

/** Day boundaries (epoch ms) of the days of a range in the viewer's zone: index i is the start of day i. */
export function dayBounds(range: Pick<ViewRange, "first" | "last">, clock: ZoneClock): number[] {
  const first = dayOfDate(range.first);
  const last = dayOfDate(range.last);
  const bounds: number[] = [];
  for (let day = first; day <= last; day++) bounds.push(clock.epochAt(day * DAY_MS));
  return bounds;
}

/**
 * The occurrences that touch each day (bounds from dayBounds: day i runs from bounds[i] to bounds[i + 1]),
 * in their order. `occurrences` are sorted by start, so one pass places them all: a month of a few
 * dozen series has hundreds, and filtering them again for each of its 35 or 42 days cost more.
 */
export function byDay(occurrences: Occurrence[], bounds: number[]): Occurrence[][] {
  const days: Occurrence[][] = Array.from({ length: bounds.length - 1 }, () => []);
  let first = 0;
  for (const o of occurrences) {
    // The first day that ends after the occurrence starts (starts only grow, so neither does this).
    while (first < days.length && bounds[first + 1]! <= o.startMs) first += 1;
    // A zero-length occurrence belongs to the day it starts at the beginning of.
    for (let day = first; day < days.length && (o.endMs > bounds[day]! || o.startMs === bounds[day]); day++) {
      days[day]!.push(o);
    }
  }
  return days;
}

export type MonthWeek = { week: number; days: Temporal.PlainDate[] };

export function monthWeeks(range: ViewRange): MonthWeek[] {
  const weeks: MonthWeek[] = [];
  for (let monday = range.first; Temporal.PlainDate.compare(monday, range.last) < 0; monday = monday.add({ days: 7 })) {
    weeks.push({ week: isoWeek(monday), days: Array.from({ length: 7 }, (_, index) => monday.add({ days: index })) });
  }
  return weeks;
}

/**
 * A timed occurrence placed in a day column: minutes from midnight and its lane among overlapping ones.
 * `crowd`: the events it overlaps with, itself among them, and the minutes they take as drawn (null when
 * it has the column to itself); one object shared by all of them.
 */
export type PlacedOccurrence = {
  occurrence: Occurrence;
  top: number;
  height: number;
  lane: number;
  lanes: number;
  crowd: Crowd | null;
};

/** Overlapping events of a day: how many, and from which minute to which they are drawn. */
export type Crowd = { size: number; top: number; bottom: number };

/**
 * A shorter event is still drawn 26 px tall (a 24 px tap target, WCAG 2.5.8: calendar.css), which is 33
 * minutes of the grid's 48 px hour: laid out as if this long, so that the next event goes beside it
 * rather than over it.
 */
const SHOWN_MINUTES_MIN = 35;

/**
 * Lays out a day's timed occurrences side by side: each cluster of overlapping events shares the
 * column, every event in it taking the first free lane. Events overlap as they are drawn (a short one
 * takes SHOWN_MINUTES_MIN).
 */
export function layoutDay(occurrences: Occurrence[], day: Temporal.PlainDate, timeZone: string): PlacedOccurrence[] {
  const clock = zoneClock(timeZone);
  const dayNumber = dayOfDate(day);
  // Positions follow the wall clock, as the hour labels do (a DST day's grid still reads 00:00–24:00).
  const minutesOf = (epochMs: number, fallback: number) => {
    const wall = clock.wallAt(epochMs);
    const wallDayNumber = wallDay(wall);
    if (wallDayNumber === dayNumber) return Math.floor((wall - wallDayNumber * DAY_MS) / 60_000);
    return wallDayNumber < dayNumber ? 0 : fallback;
  };
  const timed = occurrences
    .filter((o) => !o.allDay)
    .map((o) => {
      const top = minutesOf(o.startMs, 0);
      const bottom = Math.min(1440, Math.max(top + 15, minutesOf(o.endMs, 1440)));
      return { occurrence: o, top, bottom, shownBottom: Math.max(bottom, top + SHOWN_MINUTES_MIN) };
    })
    .sort((a, b) => a.top - b.top || b.bottom - a.bottom);
  const placed: PlacedOccurrence[] = [];
  let cluster: (PlacedOccurrence & { shownBottom: number })[] = [];
  let clusterEnd = -1;
  const closeCluster = () => {
    const lanes = Math.max(1, ...cluster.map((entry) => entry.lane + 1));
    const crowd =
      lanes > 1
        ? {
            size: cluster.length,
            top: cluster[0]!.top,
            bottom: Math.min(1440, Math.max(...cluster.map((entry) => entry.shownBottom))),
          }
        : null;
    for (const entry of cluster)
      placed.push({
        occurrence: entry.occurrence,
        top: entry.top,
        height: entry.height,
        lane: entry.lane,
        lanes,
        crowd,
      });
    cluster = [];
  };
  for (const entry of timed) {
    if (entry.top >= clusterEnd) {
      closeCluster();
      clusterEnd = -1;
    }
    const busy = new Set(cluster.filter((other) => other.shownBottom > entry.top).map((other) => other.lane));
    let lane = 0;
    while (busy.has(lane)) lane += 1;
    cluster.push({
      occurrence: entry.occurrence,
      top: entry.top,
      height: entry.bottom - entry.top,
      lane,
      lanes: 0,
      crowd: null,
      shownBottom: entry.shownBottom,
    });
    clusterEnd = Math.max(clusterEnd, entry.shownBottom);
  }
  closeCluster();
  return placed;
}
