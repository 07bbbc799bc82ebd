import {
  type CrowdTarget,
  PageLists,
  type Placement,
  agendaRowId,
  crowdHtml,
  itemHtml,
} from "./occurrence-html.server";
import type { OccurrenceItem } from "./occurrence-item";
import { type Occurrence, occurrenceOf } from "./occurrences";
import { Temporal, isoWeek, isoWithOffset, parseWall, toZoned } from "./time";
import { MONTH_CELL_LIMIT, type ViewRange, byDay, dayBounds, layoutDay, monthWeeks } from "./views";
import { DAY_MS, type ZoneClock, dayOfDate, hourMinute, wallDay, zoneClock } from "./zone-clock";

// What the calendar page renders (the loader's output): plain, serialisable shapes for the views'
// structure, and the HTML of their occurrences' lists, made here on the server (occurrence-html.server).

export type { OccurrenceItem };

// Formatters made once: Temporal's toLocaleString builds a new Intl.DateTimeFormat on every call
// (about half a millisecond), and a month grid labels 42 days. A date is formatted as the UTC instant
// of its midnight, which reads as the PlainDate does.
const shortDateFormat = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  timeZone: "UTC",
});
const longDateFormat = new Intl.DateTimeFormat("en-GB", {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});
const monthFormat = new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });

/** "Mon 15 Jun" for a wall day (days since 1970-01-01, see zone-clock.ts). */
const shortDay = (day: number) => shortDateFormat.format(day * DAY_MS);
const shortDate = (date: Temporal.PlainDate) => shortDay(dayOfDate(date));
/** "Monday 15 June 2026" */
const longDay = (day: number) => longDateFormat.format(day * DAY_MS);
const dayLabel = (date: Temporal.PlainDate) => longDay(dayOfDate(date));

/**
 * "09:00–09:30" / "All day", with the dates of multi-day spans, read on the viewer's clock. Listed
 * under a later day than its start (`day`, a wall day), a span says it continues from its start: "02:30
 * – Fri 4 Dec 02:45" under Thursday read as if it began that day.
 */
function whenOf(startMs: number, endMs: number, allDay: boolean, clock: ZoneClock, day?: number): string {
  const start = clock.wallAt(startMs);
  const end = clock.wallAt(endMs);
  const startDay = wallDay(start);
  const endDay = wallDay(end);
  if (allDay) {
    const lastDay = endDay - 1;
    return lastDay > startDay ? `All day, until ${shortDay(lastDay)}` : "All day";
  }
  const endsAtMidnight = hourMinute(end) === "00:00";
  if (startDay !== endDay && !(endsAtMidnight && startDay + 1 === endDay)) {
    if (day !== undefined && day > startDay) {
      return `Continues: from ${shortDay(startDay)} ${hourMinute(start)} until ${shortDay(endDay)} ${hourMinute(end)}`;
    }
    return `${hourMinute(start)} – ${shortDay(endDay)} ${hourMinute(end)}`;
  }
  return `${hourMinute(start)}–${hourMinute(end)}`;
}

export function describeWhen(o: {
  start: Temporal.ZonedDateTime;
  end: Temporal.ZonedDateTime;
  allDay: boolean;
}): string {
  return whenOf(o.start.epochMilliseconds, o.end.epochMilliseconds, o.allDay, zoneClock(o.start.timeZoneId));
}

/** Where an occurrence is on the viewer's clock, formatted once per distinct span in a view. */
type Labels = Map<string, { start: string; when: string }>;

/** An occurrence as the page shows it; `clock` is the viewer's zone, `day` the wall day it is listed under. */
export function toItem(
  o: Occurrence,
  clock: ZoneClock,
  withLocation = false,
  labels?: Labels,
  day?: number,
): OccurrenceItem {
  // A busy view repeats the same few starts and ends (a daily series, the hour's meetings).
  const spanKey = `${o.startMs} ${o.endMs} ${o.allDay} ${day}`;
  let label = labels?.get(spanKey);
  if (!label) {
    label = { start: clock.iso(o.startMs), when: whenOf(o.startMs, o.endMs, o.allDay, clock, day) };
    labels?.set(spanKey, label);
  }
  const item: OccurrenceItem = {
    eventId: o.eventId,
    recurrenceId: o.recurrenceId ?? "",
    title: o.title,
    allDay: o.allDay,
    start: label.start,
    when: label.when,
    repeats: Boolean(o.seriesId),
    isException: o.isException,
  };
  if (withLocation) item.location = o.location;
  return item;
}

/**
 * A list of occurrences in a view: its index in the page's lists of items, which are HTML made here
 * (see PageLists) and travel apart from the view's structure (see calendarPage).
 */
export type ListIndex = number;

export type DayCell = {
  date: string;
  label: string;
  isToday: boolean;
  inMonth: boolean;
  /** null: nothing on this day. */
  items: ListIndex | null;
  more: number;
};

export type DayColumn = {
  date: string;
  label: string;
  isToday: boolean;
  allDay: ListIndex;
  /** Each placed by its <li>'s CSS variables (see placementStyle). */
  timed: ListIndex;
};

export type CalendarModel =
  | { view: "month"; weeks: { week: number; days: DayCell[] }[] }
  | { view: "week" | "day"; week: number; days: DayColumn[] }
  | { view: "agenda"; days: { date: string; label: string; isToday: boolean; items: ListIndex }[] };

export function buildModel(
  range: ViewRange,
  occurrences: Occurrence[],
  timeZone: string,
  today: Temporal.PlainDate,
): { model: CalendarModel; lists: string[] } {
  const first = dayOfDate(range.first);
  const clock = zoneClock(timeZone);
  const perDay = byDay(occurrences, dayBounds(range, clock));
  const labels: Labels = new Map();
  const page = new PageLists();
  const html = (
    o: Occurrence,
    date: Temporal.PlainDate,
    options: { compact?: boolean; place?: Placement; crowded?: number; withLocation?: boolean; id?: string } = {},
  ) => {
    const item = toItem(o, clock, options.withLocation, labels, dayOfDate(date));
    return itemHtml(item, {
      compact: options.compact,
      place: options.place,
      crowded: options.crowded,
      id: options.id,
      after: item.location || undefined,
      discover: page.firstOf(o.eventId),
    });
  };
  const onDate = (date: Temporal.PlainDate) => perDay[dayOfDate(date) - first]!;
  const isToday = (date: Temporal.PlainDate) => date.equals(today);
  if (range.view === "month") {
    const model: CalendarModel = {
      view: "month",
      weeks: monthWeeks(range).map((week) => ({
        week: week.week,
        days: week.days.map((date) => {
          const todays = onDate(date);
          // A crowded cell shows a few and links to the day for the rest (only those shown are built).
          const limit = todays.length > MONTH_CELL_LIMIT ? MONTH_CELL_LIMIT - 1 : MONTH_CELL_LIMIT;
          const shown = todays.slice(0, limit);
          return {
            date: date.toString(),
            label: dayLabel(date),
            isToday: isToday(date),
            inMonth: date.month === range.date.month,
            items: shown.length ? page.add(shown.map((o) => html(o, date, { compact: true })).join("")) : null,
            more: Math.max(0, todays.length - limit),
          };
        }),
      })),
    };
    return { model, lists: page.lists };
  }
  if (range.view === "agenda") {
    const days = [];
    for (let date = range.first; Temporal.PlainDate.compare(date, range.last) < 0; date = date.add({ days: 1 })) {
      const todays = onDate(date);
      if (!todays.length) continue;
      const items = page.add(
        todays.map((o) => html(o, date, { withLocation: true, id: agendaRowId(date.toString(), o) })).join(""),
      );
      days.push({ date: date.toString(), label: dayLabel(date), isToday: isToday(date), items });
    }
    return { model: { view: "agenda", days }, lists: page.lists };
  }
  const days: DayColumn[] = [];
  for (let date = range.first; Temporal.PlainDate.compare(date, range.last) < 0; date = date.add({ days: 1 })) {
    const todays = onDate(date);
    const allDay = page.add(
      todays
        .filter((o) => o.allDay)
        .map((o) => html(o, date, { compact: true }))
        .join(""),
    );
    const placed = layoutDay(todays, date, timeZone);
    // Events at the same time get a link besides (a column too narrow for their lanes shows it instead of
    // them): a week's to the day, a day's to the agenda from that date, where each has a row.
    // A day's leads to the row of the crowd's event listed first there (the agenda lists a day's events
    // in this order), so the agenda opens at the crowd's time, not at the top of the day.
    const listed = new Map(todays.map((o, index) => [o, index]));
    const firstListed = new Map<object, Occurrence>();
    for (const { crowd, occurrence } of range.view === "day" ? placed : []) {
      const first = crowd && firstListed.get(crowd);
      if (crowd && (!first || listed.get(occurrence)! < listed.get(first)!)) firstListed.set(crowd, occurrence);
    }
    const target = (crowd: object): CrowdTarget => {
      if (range.view === "week") return { href: `/calendar?view=day&date=${date.toString()}`, to: "day view" };
      const first = firstListed.get(crowd);
      const fragment = first ? `#${agendaRowId(date.toString(), first)}` : "";
      return { href: `/calendar?view=agenda&date=${date.toString()}${fragment}`, to: "agenda" };
    };
    // Each crowd's link comes just before its first event, so that reading (and Tab) order follows the day.
    const linked = new Set<object>();
    const timed = page.add(
      placed
        .map(({ crowd, ...entry }) => {
          const crowded = crowd !== null ? entry.lanes : undefined;
          const item = html(entry.occurrence, date, { place: entry, crowded });
          if (crowd === null || linked.has(crowd)) return item;
          linked.add(crowd);
          return crowdHtml(crowd, entry.lanes, target(crowd), spanLabel(crowd)) + item;
        })
        .join(""),
    );
    days.push({ date: date.toString(), label: shortDate(date), isToday: isToday(date), allDay, timed });
  }
  return { model: { view: range.view, week: isoWeek(range.first), days }, lists: page.lists };
}

/**
 * Minutes from midnight as a clock reads them: 600 → "10:00". The day's end (1440) is the next midnight,
 * "00:00", as an event's own times say it ("22:00–00:00", whenOf), not "24:00".
 */
const minuteLabel = (minutes: number) => {
  const wrapped = minutes % (24 * 60);
  return `${String(Math.floor(wrapped / 60)).padStart(2, "0")}:${String(wrapped % 60).padStart(2, "0")}`;
};

/**
 * When a crowd is, as its link says it: "09:00–11:00"; "all day" when it fills the day (the middle day of
 * events over several days, which start before it and end after it).
 */
const spanLabel = (crowd: { top: number; bottom: number }) =>
  crowd.top <= 0 && crowd.bottom >= 24 * 60 ? "all day" : `${minuteLabel(crowd.top)}–${minuteLabel(crowd.bottom)}`;

export function rangeTitle(range: ViewRange): string {
  switch (range.view) {
    case "month":
      return monthFormat.format(dayOfDate(range.date) * DAY_MS);
    case "week": {
      const lastDay = range.last.subtract({ days: 1 });
      return `Week ${isoWeek(range.first)}: ${shortDate(range.first)} – ${shortDate(lastDay)} ${lastDay.year}`;
    }
    case "day":
      return dayLabel(range.date);
    case "agenda":
      return `${shortDate(range.first)} – ${shortDate(range.last.subtract({ days: 1 }))} ${range.last.subtract({ days: 1 }).year}`;
  }
}

export { isoWithOffset };

/** A search hit: an event shown at its first start (a series says it repeats). */
export function searchItem(
  hit: Pick<Occurrence, "eventId"> & {
    title: string;
    location: string;
    allDay: boolean;
    startLocal: string;
    endLocal: string;
    timeZone: string | null;
    rrule: string | null;
    seriesId: string | null;
  },
  viewerZone: string,
): OccurrenceItem & { date: string } {
  const zone = hit.allDay ? viewerZone : (hit.timeZone ?? viewerZone);
  const startMs = toZoned(parseWall(hit.startLocal), zone).epochMilliseconds;
  const endMs = toZoned(parseWall(hit.endLocal), zone).epochMilliseconds;
  const occurrence = occurrenceOf(
    {
      eventId: hit.eventId,
      seriesId: hit.rrule ? hit.eventId : hit.seriesId,
      recurrenceId: null,
      isException: Boolean(hit.seriesId),
      title: hit.title,
      location: hit.location,
      allDay: hit.allDay,
      startMs,
      endMs,
      timeZone: hit.timeZone,
    },
    viewerZone,
  );
  const clock = zoneClock(viewerZone);
  return { ...toItem(occurrence, clock), date: longDay(wallDay(clock.wallAt(startMs))) };
}
