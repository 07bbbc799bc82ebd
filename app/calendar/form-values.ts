import { readRule } from "./recurrence";
import type { EventForm } from "./schemas";
import { type Temporal, parseWall } from "./time";

type Stored = {
  title: string;
  description: string;
  location: string;
  allDay: boolean;
  startLocal: string;
  endLocal: string;
  timeZone: string | null;
  rrule: string | null;
  reminders: number[];
};

export type FormDefaults = Omit<EventForm, "interval" | "count" | "allDay"> & {
  interval: string;
  count: string;
  allDay: boolean;
};

/** Form values for a new event on `date` (an hour from the next full hour, in my zone). */
export function newEventDefaults(date: string, timeZone: string): FormDefaults {
  return {
    title: "",
    allDay: false,
    startDate: date,
    startTime: "09:00",
    endDate: date,
    endTime: "10:00",
    timeZone,
    location: "",
    description: "",
    repeat: "none",
    interval: "1",
    weekdays: [],
    monthlyBy: "date",
    ends: "never",
    until: "",
    count: "",
    reminders: "",
  };
}

/** Form values showing an event, or one occurrence of a series when `occurrenceStart` is given. */
export function eventDefaults(
  event: Stored,
  viewerZone: string,
  occurrenceStart?: string,
  rrule: string | null = event.rrule,
): FormDefaults {
  const firstStart = parseWall(event.startLocal);
  const length = firstStart.until(parseWall(event.endLocal));
  const start = occurrenceStart ? parseWall(occurrenceStart) : firstStart;
  const end = start.add(length);
  // An all-day event's stored end is exclusive: the form shows its last day.
  const shownEnd = event.allDay ? end.subtract({ days: 1 }) : end;
  const rule = rrule ? readRule(rrule) : null;
  const weekdayRule = rule?.byDay.find((day) => /^-?\d/.test(day));
  const time = (value: Temporal.PlainDateTime) => value.toPlainTime().toString({ smallestUnit: "minute" });
  return {
    title: event.title,
    allDay: event.allDay,
    startDate: start.toPlainDate().toString(),
    startTime: event.allDay ? "" : time(start),
    endDate: shownEnd.toPlainDate().toString(),
    endTime: event.allDay ? "" : time(end),
    timeZone: event.timeZone ?? viewerZone,
    location: event.location,
    description: event.description,
    repeat: rule?.freq ?? "none",
    interval: String(rule?.interval ?? 1),
    weekdays:
      rule && rule.freq === "WEEKLY"
        ? (rule.byDay.filter((day) => /^[A-Z]{2}$/.test(day)) as FormDefaults["weekdays"])
        : [],
    monthlyBy: weekdayRule ? "weekday" : "date",
    ends: rule?.count ? "count" : rule?.until ? "until" : "never",
    until: rule?.until ? rule.until.slice(0, 10) : "",
    count: rule?.count ? String(rule.count) : "",
    reminders: event.reminders.join(", "),
  };
}
