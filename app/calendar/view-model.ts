import type { Occurrence } from "./occurrences";
import { Temporal, isoWeek, isoWithOffset, parseWall, toZoned } from "./time";
import { MONTH_CELL_LIMIT, type ViewRange, layoutDay, monthWeeks, onDay } from "./views";

// Plain, serialisable shapes the calendar page renders (the loader's output).

export type OccurrenceItem = {
  key: string;
  href: string;
  title: string;
  location: string;
  allDay: boolean;
  /** ISO 8601 with offset, for <time datetime>. */
  start: string;
  end: string;
  /** "09:00–09:30" or "All day" in the viewer's zone; for multi-day spans the dates too. */
  when: string;
  repeats: boolean;
  isException: boolean;
};

export function occurrenceHref(o: Pick<Occurrence, "eventId" | "seriesId" | "isException" | "recurrenceId">): string {
  if (o.seriesId && !o.isException && o.recurrenceId) {
    return `/calendar/events/${o.eventId}?occurrence=${encodeURIComponent(o.recurrenceId)}`;
  }
  return `/calendar/events/${o.eventId}`;
}

const time = (value: Temporal.ZonedDateTime) => value.toPlainTime().toString({ smallestUnit: "minute" });
const shortDate = (value: Temporal.PlainDate) =>
  value.toLocaleString("en-GB", { weekday: "short", day: "numeric", month: "short" });

export function describeWhen(o: Pick<Occurrence, "start" | "end" | "allDay">): string {
  const startDate = o.start.toPlainDate();
  if (o.allDay) {
    const lastDay = o.end.toPlainDate().subtract({ days: 1 });
    return Temporal.PlainDate.compare(lastDay, startDate) > 0 ? `All day, until ${shortDate(lastDay)}` : "All day";
  }
  const endDate = o.end.toPlainDate();
  if (
    !startDate.equals(endDate) &&
    !(o.end.hour === 0 && o.end.minute === 0 && startDate.add({ days: 1 }).equals(endDate))
  ) {
    return `${time(o.start)} – ${shortDate(endDate)} ${time(o.end)}`;
  }
  return `${time(o.start)}–${time(o.end)}`;
}

export function toItem(o: Occurrence): OccurrenceItem {
  return {
    key: `${o.eventId}:${o.recurrenceId ?? ""}`,
    href: occurrenceHref(o),
    title: o.title,
    location: o.location,
    allDay: o.allDay,
    start: isoWithOffset(o.start),
    end: isoWithOffset(o.end),
    when: describeWhen(o),
    repeats: Boolean(o.seriesId),
    isException: o.isException,
  };
}

export type DayCell = {
  date: string;
  label: string;
  isToday: boolean;
  inMonth: boolean;
  items: OccurrenceItem[];
  more: number;
};

export type TimedItem = OccurrenceItem & { top: number; height: number; lane: number; lanes: number };
export type DayColumn = { date: string; label: string; isToday: boolean; allDay: OccurrenceItem[]; timed: TimedItem[] };

export type CalendarModel =
  | { view: "month"; weeks: { week: number; days: DayCell[] }[] }
  | { view: "week" | "day"; week: number; days: DayColumn[] }
  | { view: "agenda"; days: { date: string; label: string; isToday: boolean; items: OccurrenceItem[] }[] };

const dayLabel = (date: Temporal.PlainDate) =>
  date.toLocaleString("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric" });

export function buildModel(
  range: ViewRange,
  occurrences: Occurrence[],
  timeZone: string,
  today: Temporal.PlainDate,
): CalendarModel {
  const isToday = (date: Temporal.PlainDate) => date.equals(today);
  if (range.view === "month") {
    return {
      view: "month",
      weeks: monthWeeks(range).map((week) => ({
        week: week.week,
        days: week.days.map((date) => {
          const todays = onDay(occurrences, date, timeZone);
          // A crowded cell shows a few and links to the day for the rest (only those shown are rendered).
          const limit = todays.length > MONTH_CELL_LIMIT ? MONTH_CELL_LIMIT - 1 : MONTH_CELL_LIMIT;
          return {
            date: date.toString(),
            label: dayLabel(date),
            isToday: isToday(date),
            inMonth: date.month === range.date.month,
            items: todays.slice(0, limit).map(toItem),
            more: Math.max(0, todays.length - limit),
          };
        }),
      })),
    };
  }
  if (range.view === "agenda") {
    const days = [];
    for (let date = range.first; Temporal.PlainDate.compare(date, range.last) < 0; date = date.add({ days: 1 })) {
      const items = onDay(occurrences, date, timeZone).map(toItem);
      if (items.length) days.push({ date: date.toString(), label: dayLabel(date), isToday: isToday(date), items });
    }
    return { view: "agenda", days };
  }
  const days: DayColumn[] = [];
  for (let date = range.first; Temporal.PlainDate.compare(date, range.last) < 0; date = date.add({ days: 1 })) {
    const todays = onDay(occurrences, date, timeZone);
    days.push({
      date: date.toString(),
      label: date.toLocaleString("en-GB", { weekday: "short", day: "numeric", month: "short" }),
      isToday: isToday(date),
      allDay: todays.filter((o) => o.allDay).map(toItem),
      timed: layoutDay(todays, date, timeZone).map((placed) => ({
        ...toItem(placed.occurrence),
        top: placed.top,
        height: placed.height,
        lane: placed.lane,
        lanes: placed.lanes,
      })),
    });
  }
  return { view: range.view, week: isoWeek(range.first), days };
}

export function rangeTitle(range: ViewRange): string {
  switch (range.view) {
    case "month":
      return range.date.toLocaleString("en-GB", { month: "long", year: "numeric" });
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
  const start = toZoned(parseWall(hit.startLocal), zone).withTimeZone(viewerZone);
  const end = toZoned(parseWall(hit.endLocal), zone).withTimeZone(viewerZone);
  const occurrence: Occurrence = {
    eventId: hit.eventId,
    seriesId: hit.rrule ? hit.eventId : hit.seriesId,
    recurrenceId: null,
    isException: Boolean(hit.seriesId),
    title: hit.title,
    location: hit.location,
    allDay: hit.allDay,
    start,
    end,
    timeZone: hit.timeZone,
  };
  return { ...toItem(occurrence), href: `/calendar/events/${hit.eventId}`, date: dayLabel(start.toPlainDate()) };
}
