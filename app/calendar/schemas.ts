import { z } from "zod";
import { isTimeZone } from "~/accounts/time-zone";
import { lineBreaksAsLf, withoutNul } from "~/validation/text";
import { FREQUENCIES, MAX_COUNT, WEEKDAYS, type Weekday, ruleProblem, writeRule } from "./recurrence";
import { CHOOSE_CALENDAR_YEAR, Temporal, inCalendarYears, isWallDate, isWallValue, toZoned } from "./time";

const isWeekday = (day: string): day is Weekday => (WEEKDAYS as readonly string[]).includes(day);

// Shared by the server (validation) and the browser (HTML constraints); errors name the field to fix.

export const SCOPES = ["this", "following", "all"] as const;
export type Scope = (typeof SCOPES)[number];

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

// A no-JS textarea sends CRLF: line breaks count once against the limit the box itself enforces.
const optionalText = (max: number, message: string) =>
  withoutNul(lineBreaksAsLf(z.string()).trim().max(max, message)).optional().default("");

const dateField = (message: string) =>
  z.string({ error: message }).trim().refine(isWallDate, "Use a date such as 2026-03-29.");

/** The fields alone: what the browser's HTML constraints come from. */
export const eventFieldsSchema = z.object({
  title: withoutNul(
    z
      .string({ error: "Give the event a title." })
      .trim()
      .min(1, "Give the event a title.")
      .max(200, "Use at most 200 characters."),
  ),
  allDay: z.boolean().optional().default(false),
  startDate: dateField("Choose the start date."),
  startTime: z.string().trim().optional(),
  endDate: dateField("Choose the end date."),
  endTime: z.string().trim().optional(),
  timeZone: z
    .string({ error: "Choose a time zone." })
    .refine(isTimeZone, "Choose a time zone from the list, such as Europe/Berlin."),
  location: optionalText(300, "Use at most 300 characters."),
  description: optionalText(5000, "Use at most 5,000 characters."),
  repeat: z
    .enum(["none", ...FREQUENCIES], { error: "Choose how the event repeats." })
    .optional()
    .default("none"),
  interval: z
    .number({ error: "Enter a whole number." })
    .int("Enter a whole number.")
    .min(1, "Repeat at least every 1.")
    .max(999, "Repeat at most every 999.")
    .optional()
    .default(1),
  // Checked in the refinement below, so an unknown day is reported next to Repeat (the checkboxes have no
  // message of their own) and the rest of the form is still checked and refilled.
  weekdays: z.array(z.string()).optional().default([]),
  monthlyBy: z
    .enum(["date", "weekday"], { error: "Choose whether it repeats on the same date or the same weekday." })
    .optional()
    .default("date"),
  ends: z.enum(["never", "until", "count"]).optional().default("never"),
  until: z.string().trim().optional(),
  count: z.number({ error: "Enter a whole number." }).int("Enter a whole number.").optional(),
  reminders: withoutNul(z.string().trim().max(200, "Use at most 200 characters: at most 10 reminders, such as 10, 60."))
    .optional()
    .default(""),
});

export const eventFormSchema = eventFieldsSchema
  .superRefine((value, context) => {
    const issue = (path: string, message: string) => context.addIssue({ code: "custom", path: [path], message });
    if (!value.allDay) {
      if (!value.startTime || !TIME.test(value.startTime)) issue("startTime", "Enter a start time such as 09:00.");
      if (!value.endTime || !TIME.test(value.endTime)) issue("endTime", "Enter an end time such as 10:00.");
    }
    if (isWallDate(value.startDate) && isWallDate(value.endDate)) {
      // Only times that are times are compared: "25:61" has its own message, not also "the end is before it".
      const timesValid = value.allDay || (TIME.test(value.startTime ?? "") && TIME.test(value.endTime ?? ""));
      const start = `${value.startDate}T${value.allDay ? "00:00" : value.startTime}`;
      const end = `${value.endDate}T${value.allDay ? "00:00" : value.endTime}`;
      // A timed event may last no time at all (an instant, as iCalendar files have them).
      if (timesValid && end < start) {
        issue(
          "endDate",
          value.allDay ? "The end date cannot be before the start date." : "The end cannot be before the start.",
        );
      }
      for (const field of ["startDate", "endDate"] as const) {
        if (!inCalendarYears(Number(value[field].slice(0, 4))))
          issue(field, `${CHOOSE_CALENDAR_YEAR[0]!.toUpperCase()}${CHOOSE_CALENDAR_YEAR.slice(1)}.`);
      }
      // A time the clocks skip (a DST gap) would be moved silently (RFC 5545, as imports are): a person
      // typing it is told instead.
      if (!value.allDay && timesValid && isTimeZone(value.timeZone)) {
        for (const [field, wall] of [
          ["startTime", start],
          ["endTime", end],
        ] as const) {
          const date = wall.slice(0, 10);
          if (!inCalendarYears(Number(date.slice(0, 4)))) continue;
          const local = Temporal.PlainDateTime.from(wall);
          if (!toZoned(local, value.timeZone).toPlainDateTime().equals(local))
            issue(
              field,
              `${wall.slice(11)} does not exist on ${date} in ${value.timeZone}: the clocks go forward then. Choose another time.`,
            );
        }
      }
    }
    if (value.repeat !== "none") {
      if (value.ends === "until") {
        if (!value.until || !isWallDate(value.until)) issue("until", "Choose the date of the last occurrence.");
        else if (isWallDate(value.startDate) && value.until < value.startDate)
          issue("until", "The repeat must end on or after the start date.");
      }
      if (value.ends === "count") {
        if (value.count === undefined) issue("count", "Enter how many times it happens.");
        else if (value.count < 1 || value.count > MAX_COUNT) issue("count", `Choose between 1 and ${MAX_COUNT} times.`);
      }
    }
    if (value.weekdays.some((day) => !isWeekday(day)))
      issue("repeat", "Choose the days of the week from the list (Monday to Sunday).");
    if (value.reminders && !parseReminders(value.reminders)) {
      issue(
        "reminders",
        "List minutes before the start, separated by commas, such as 10, 60 (at most 10, each up to 40,320).",
      );
    }
  })
  .transform((value, context) => {
    // Every day is a weekday by now (the refinement above stops the parse otherwise).
    const input = toEventInput({ ...value, weekdays: value.weekdays.filter(isWeekday) });
    const problem = input.rrule ? ruleProblem(input.rrule, input.startLocal) : null;
    if (problem) {
      context.addIssue({ code: "custom", path: ["repeat"], message: `This repeat cannot be used: ${problem}.` });
      return z.NEVER;
    }
    return input;
  });

export type EventForm = z.input<typeof eventFormSchema>;

export type EventInput = {
  title: string;
  description: string;
  location: string;
  allDay: boolean;
  startLocal: string;
  endLocal: string;
  timeZone: string;
  rrule: string | null;
  reminders: number[];
};

function parseReminders(text: string): number[] | null {
  const values = text.split(/[,\s]+/).filter(Boolean);
  if (values.length > 10) return null;
  const minutes = values.map(Number);
  if (minutes.some((minute) => !Number.isInteger(minute) || minute < 0 || minute > 40_320)) return null;
  return [...new Set(minutes)].sort((a, b) => a - b);
}

function weekdayOf(date: Temporal.PlainDate): Weekday {
  return WEEKDAYS[date.dayOfWeek - 1] as Weekday;
}

type ValidForm = {
  allDay: boolean;
  startDate: string;
  startTime?: string | undefined;
  endDate: string;
  endTime?: string | undefined;
  repeat: "none" | (typeof FREQUENCIES)[number];
  interval: number;
  weekdays: Weekday[];
  monthlyBy: "date" | "weekday";
  ends: "never" | "until" | "count";
  until?: string | undefined;
  count?: number | undefined;
};

/** The RRULE the form describes (null: does not repeat). */
export function ruleFromForm(value: ValidForm): string | null {
  if (value.repeat === "none") return null;
  const start = Temporal.PlainDate.from(value.startDate);
  let byDay: string[] = [];
  if (value.repeat === "WEEKLY") {
    byDay = value.weekdays.length ? WEEKDAYS.filter((day) => value.weekdays.includes(day)) : [weekdayOf(start)];
  }
  if (value.repeat === "MONTHLY" && value.monthlyBy === "weekday") {
    const nth = Math.ceil(start.day / 7);
    // A fifth weekday may not exist next month: "last" is what people mean by it.
    byDay = [`${nth === 5 ? -1 : nth}${weekdayOf(start)}`];
  }
  return writeRule({
    freq: value.repeat,
    interval: value.interval,
    byDay,
    byMonthDay: [],
    count: value.ends === "count" ? (value.count ?? 1) : null,
    until: value.ends === "until" && value.until ? (value.allDay ? value.until : `${value.until}T23:59`) : null,
  });
}

function toEventInput(
  value: ValidForm & { title: string; description: string; location: string; timeZone: string; reminders: string },
): EventInput {
  const allDay = value.allDay;
  return {
    title: value.title,
    description: value.description,
    location: value.location,
    allDay,
    startLocal: allDay ? value.startDate : `${value.startDate}T${value.startTime}`,
    // Stored exclusive, as iCalendar's DTEND: a one-day event on the 3rd ends on the 4th.
    endLocal: allDay
      ? Temporal.PlainDate.from(value.endDate).add({ days: 1 }).toString()
      : `${value.endDate}T${value.endTime}`,
    timeZone: value.timeZone,
    rrule: ruleFromForm(value),
    reminders: parseReminders(value.reminders) ?? [],
  };
}

/**
 * Which events of a series a form acts on. No default: a form without it (a crafted post, a page from
 * before the choice existed) is refused for a repeating event (ScopeRequiredError) rather than taken as
 * "all" — one date's delete took the whole series. A one-off event needs none.
 */
export const scopeSchema = z.object({
  scope: z.enum(SCOPES).optional(),
  // Empty: the event itself. Anything else is a start the page wrote (a wall-clock value).
  occurrence: z
    .string()
    .trim()
    .refine((value) => value === "" || isWallValue(value))
    .optional(),
});

/** An event's version as eventVersion writes it: 22 base64url characters of a hash. */
const VERSION = /^[A-Za-z0-9_-]{22}$/;

/**
 * An edit's target: plus the event's version its form was loaded from (a save over a newer one is
 * refused). Required: every edit and delete page sends one, and a post without it (a crafted or stripped
 * form) would otherwise save over whatever changed since, skipping the two-tab check.
 */
export const editTargetSchema = scopeSchema.extend({ version: z.string().trim().regex(VERSION) });

/**
 * A target refused for what the page itself put in the form (its version or occurrence): the form was
 * altered, or is from an older ARES. Not the person's choice of events, and not a change since: a version
 * that cannot be one would otherwise read as "changed in another tab", or be taken for no version at all.
 */
export function isAlteredTarget(error: z.ZodError): boolean {
  return error.issues.some((issue) => issue.path[0] === "version" || issue.path[0] === "occurrence");
}

/** Refresh intervals offered for a subscription, by minutes. */
export const SUBSCRIPTION_INTERVALS = {
  "15": "Every 15 minutes",
  "60": "Every hour",
  "360": "Every 6 hours",
  "1440": "Once a day",
} as const;

const subscriptionFields = {
  name: withoutNul(
    z
      .string({ error: "Give the calendar a name." })
      .trim()
      .min(1, "Give the calendar a name.")
      .max(100, "Use at most 100 characters."),
  ),
  refreshMinutes: z
    .enum(Object.keys(SUBSCRIPTION_INTERVALS) as [string, ...string[]], { error: "Choose how often to refresh." })
    .transform(Number),
};

/** Subscribing: a name, the feed's address and how often to read it. */
export const subscriptionSchema = z.object({
  ...subscriptionFields,
  url: z
    .string({ error: "Paste the calendar's address (https://… or webcal://…)." })
    .trim()
    .max(2000, "Use an address of at most 2,000 characters.")
    .regex(/^(https?|webcals?):\/\/[^\s]+$/i, "Use an address that starts with https://, http:// or webcal://."),
});

/** Changing a subscription: its name and refresh interval (the address stays; subscribe anew for another). */
export const subscriptionSettingsSchema = z.object(subscriptionFields);
