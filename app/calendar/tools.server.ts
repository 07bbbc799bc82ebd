import { z } from "zod";
import { isTimeZone } from "~/accounts/time-zone";
import type { ToolCall, ToolDefinition } from "~/llm/types";
import { proposeAction } from "./assistant-actions.server";
import {
  EventNotFoundError,
  type EventDetail,
  eventVersion,
  getEvent,
  isLiveOccurrence,
  isOccurrence,
  listOccurrences,
  overrideAt,
  subscribedCalendarNames,
} from "./events.server";
import { ruleProblem } from "./recurrence";
import { SCOPES, type EventInput, type Scope } from "./schemas";
import {
  CHOOSE_CALENDAR_YEAR,
  Temporal,
  formatWall,
  inCalendarYears,
  isoWithOffset,
  lastWallOf,
  parseWall,
  toZoned,
} from "./time";
import { DEVELOPER_WORDING } from "~/validation/messages";

/**
 * The assistant's calendar tools (issue #13 part 6). Every call runs as the person the reply is for:
 * the owner comes from the reply, never from the model's arguments. Reads answer at once; a change is
 * only proposed — stored as a card on the reply that the person confirms or cancels.
 */

/** Who the reply is for: the only owner a tool call can touch. */
export type ToolContext = { userId: string; messageId: string; timeZone: string };

const LOCAL = "a local date-time without offset, e.g. 2026-12-08T09:00 (a date, e.g. 2026-12-08, for all-day events)";

export const CALENDAR_TOOLS: ToolDefinition[] = [
  {
    name: "list_events",
    description:
      "List the occurrences of the person's events between two local dates or date-times in their time zone " +
      "(a repeating event appears once per occurrence). Returns event_id and occurrence for each; events marked " +
      "read_only come from a subscribed calendar and cannot be changed or deleted here.",
    parameters: {
      type: "object",
      properties: {
        from: { type: "string", description: `Start of the window: ${LOCAL}.` },
        to: { type: "string", description: `End of the window (a date includes that whole day): ${LOCAL}.` },
      },
      required: ["from", "to"],
      additionalProperties: false,
    },
  },
  {
    name: "create_event",
    description: "Propose a new event. Nothing changes until the person confirms it on the card shown with your reply.",
    parameters: {
      type: "object",
      properties: {
        title: { type: "string" },
        start: { type: "string", description: `Start: ${LOCAL}.` },
        end: { type: "string", description: `End: ${LOCAL}. For all-day events, the last day.` },
        time_zone: { type: "string", description: "IANA time zone, e.g. Europe/Berlin; defaults to the person's." },
        all_day: { type: "boolean" },
        location: { type: "string" },
        description: { type: "string" },
        rrule: { type: "string", description: "RFC 5545 RRULE to repeat, e.g. FREQ=WEEKLY;BYDAY=TU;COUNT=10." },
      },
      required: ["title", "start", "end"],
      additionalProperties: false,
    },
  },
  {
    name: "update_event",
    description:
      "Propose a change to an event (only the fields given change). For a repeating event, give the occurrence " +
      "and the scope: this (only it), following (it and later ones) or all. The person confirms on a card.",
    parameters: {
      type: "object",
      properties: {
        event_id: { type: "string" },
        occurrence: { type: "string", description: "Which occurrence of a repeating event (from list_events)." },
        scope: { type: "string", enum: [...SCOPES] },
        title: { type: "string" },
        start: { type: "string", description: `New start: ${LOCAL}.` },
        end: { type: "string", description: `New end: ${LOCAL}.` },
        time_zone: { type: "string" },
        all_day: { type: "boolean" },
        location: { type: "string" },
        description: { type: "string" },
        rrule: { type: "string", description: "New RRULE; an empty string stops it repeating." },
      },
      required: ["event_id"],
      additionalProperties: false,
    },
  },
  {
    name: "delete_event",
    description:
      "Propose deleting an event. For a repeating event, give the occurrence and the scope (this, following, " +
      "all). The person confirms on a card.",
    parameters: {
      type: "object",
      properties: {
        event_id: { type: "string" },
        occurrence: { type: "string" },
        scope: { type: "string", enum: [...SCOPES] },
      },
      required: ["event_id"],
      additionalProperties: false,
    },
  },
];

/**
 * What the definitions take of the model's context, kept out of the prompt's budget when tools are
 * offered. An upper estimate (these definitions: 3,082 bytes, 821 o200k tokens) that spares loading the
 * tokenizer on the send path.
 */
export const CALENDAR_TOOLS_TOKENS = Math.ceil(Buffer.byteLength(JSON.stringify(CALENDAR_TOOLS)) / 3.5);

/** A tool argument the model got wrong: reported back to it, never thrown further. */
class ToolInputError extends Error {}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?$/;

/** A local wall-clock value as stored ("2026-12-08T09:00" or "2026-12-08"), or a clear error. */
function wallValue(name: string, value: string, allDay: boolean): string {
  const trimmed = value.trim();
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) && trimmed.includes("T")) {
    throw new ToolInputError(`${name}: give a local date-time without an offset and the zone in time_zone.`);
  }
  const match = DATE_TIME.exec(trimmed);
  const date = match ? match[1]! : DATE.test(trimmed) ? trimmed : null;
  if (!date) throw new ToolInputError(`${name}: "${value}" is not ${LOCAL}.`);
  try {
    if (allDay) return Temporal.PlainDate.from(date, { overflow: "reject" }).toString();
    if (!match) throw new ToolInputError(`${name}: a timed event needs a time, e.g. ${date}T09:00.`);
    return formatWall(Temporal.PlainDateTime.from(`${date}T${match[2]}`, { overflow: "reject" }), false);
  } catch (error) {
    if (error instanceof RangeError) throw new ToolInputError(`${name}: "${value}" is not a real date or time.`);
    throw error;
  }
}

function zoneValue(value: string | undefined, fallback: string): string {
  if (value === undefined || value.trim() === "") return fallback;
  if (!isTimeZone(value.trim())) {
    throw new ToolInputError(`time_zone: "${value}" is not an IANA time zone such as Europe/Berlin.`);
  }
  return value.trim();
}

function ruleValue(value: string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const rule = value.trim().replace(/^RRULE:/i, "");
  return rule === "" ? null : rule.toUpperCase();
}

/**
 * The checks the event form makes, on a complete input. The repeat rule is checked where it is given: an
 * event kept from an earlier import may carry a rule the form could not make, and stays editable.
 */
function checkedInput(input: EventInput, ruleGiven: boolean): EventInput {
  if (input.title.trim() === "") throw new ToolInputError("title: give the event a title.");
  if (input.title.length > 200) throw new ToolInputError("title: use at most 200 characters.");
  // Both kinds compare as text: an all-day end is already exclusive (the day after the last).
  if (input.allDay ? input.endLocal <= input.startLocal : input.endLocal < input.startLocal) {
    throw new ToolInputError("end: the end cannot be before the start.");
  }
  // An all-day end is the day after the last: 2201-01-01 for an event on 31 December 2200.
  for (const [name, wall] of [
    ["start", parseWall(input.startLocal)],
    ["end", lastWallOf(parseWall(input.endLocal), input.allDay)],
  ] as const) {
    if (!inCalendarYears(wall.year)) throw new ToolInputError(`${name}: ${CHOOSE_CALENDAR_YEAR}.`);
  }
  const problem = ruleGiven && input.rrule ? ruleProblem(input.rrule, input.startLocal) : null;
  if (problem) throw new ToolInputError(`rrule: "${input.rrule}" cannot be used: ${problem}.`);
  return input;
}

/** An all-day end is given as the last day; stored exclusive (the day after), as iCalendar's DTEND. */
function endLocal(end: string, allDay: boolean): string {
  return allDay ? Temporal.PlainDate.from(end).add({ days: 1 }).toString() : end;
}

const text = (max: number) => z.string().max(max);
const scopeField = z.enum(SCOPES).optional();

const listArgs = z.object({ from: z.string(), to: z.string() });
const createArgs = z.object({
  title: text(200),
  start: z.string(),
  end: z.string(),
  time_zone: z.string().optional(),
  all_day: z.boolean().optional(),
  location: text(300).optional(),
  description: text(5000).optional(),
  rrule: z.string().max(500).optional(),
});
const targetArgs = z.object({
  event_id: z.string().min(1).max(100),
  occurrence: z.string().max(20).optional(),
  scope: scopeField,
});
const updateArgs = targetArgs.extend({
  title: text(200).optional(),
  start: z.string().optional(),
  end: z.string().optional(),
  time_zone: z.string().optional(),
  all_day: z.boolean().optional(),
  location: text(300).optional(),
  description: text(5000).optional(),
  rrule: z.string().max(500).nullable().optional(),
});

function parseArgs<T>(schema: z.ZodType<T>, raw: string): T {
  let json: unknown;
  try {
    json = raw.trim() === "" ? {} : JSON.parse(raw);
  } catch (error) {
    if (error instanceof SyntaxError) throw new ToolInputError("The arguments are not valid JSON.");
    throw error;
  }
  const parsed = schema.safeParse(json, DEVELOPER_WORDING);
  if (!parsed.success) {
    throw new ToolInputError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "arguments"}: ${issue.message}`).join("; "),
    );
  }
  return parsed.data;
}

/** The bound of a list window: a date means its start (from) or the end of that day (to). */
function bound(value: string, timeZone: string, isEnd: boolean): Temporal.Instant {
  const trimmed = value.trim();
  const wall = DATE.test(trimmed)
    ? wallValue(isEnd ? "to" : "from", trimmed, true)
    : wallValue("from/to", trimmed, false);
  const plain = parseWall(wall);
  if (!inCalendarYears(plain.year)) throw new ToolInputError(`${isEnd ? "to" : "from"}: ${CHOOSE_CALENDAR_YEAR}.`);
  return toZoned(isEnd && wall.length === 10 ? plain.add({ days: 1 }) : plain, timeZone).toInstant();
}

const MAX_LISTED = 200;

async function listEvents(context: ToolContext, raw: string) {
  const args = parseArgs(listArgs, raw);
  const window = { start: bound(args.from, context.timeZone, false), end: bound(args.to, context.timeZone, true) };
  if (Temporal.Instant.compare(window.end, window.start) <= 0) throw new ToolInputError("to: must be after from.");
  if (window.start.until(window.end).total("hours") > 24 * 400) {
    throw new ToolInputError("The window can be at most 400 days long.");
  }
  const occurrences = await listOccurrences(context.userId, window, context.timeZone);
  const listed = occurrences.slice(0, MAX_LISTED);
  const subscribed = await subscribedCalendarNames(
    context.userId,
    listed.map((occurrence) => occurrence.eventId),
  );
  return {
    time_zone: context.timeZone,
    count: occurrences.length,
    events: listed.map((occurrence) => ({
      event_id: occurrence.eventId,
      ...(occurrence.seriesId && occurrence.recurrenceId && !occurrence.isException
        ? { occurrence: occurrence.recurrenceId }
        : {}),
      title: occurrence.title,
      start: isoWithOffset(occurrence.start),
      end: isoWithOffset(occurrence.end),
      all_day: occurrence.allDay,
      ...(occurrence.timeZone ? { event_time_zone: occurrence.timeZone } : {}),
      ...(occurrence.location ? { location: occurrence.location } : {}),
      repeating: occurrence.seriesId !== null,
      // Its feed rewrites it at the next refresh: the model is told before it proposes a change.
      ...(subscribed.has(occurrence.eventId)
        ? { read_only: true, subscribed_calendar: subscribed.get(occurrence.eventId) }
        : {}),
    })),
    ...(occurrences.length > MAX_LISTED ? { note: `Only the first ${MAX_LISTED} are listed.` } : {}),
  };
}

/** What the model is told when it targets an event of a subscribed calendar (and can tell the person). */
function subscribedRefusal(subscriptionName: string): string {
  return `this event comes from the subscribed calendar “${subscriptionName}”; change it at its source. Its feed replaces it at every refresh, so a change made here would not last.`;
}

function createInput(context: ToolContext, raw: string): EventInput {
  const args = parseArgs(createArgs, raw);
  const allDay = args.all_day ?? false;
  return checkedInput(
    {
      title: args.title.trim(),
      description: args.description?.trim() ?? "",
      location: args.location?.trim() ?? "",
      allDay,
      startLocal: wallValue("start", args.start, allDay),
      endLocal: endLocal(wallValue("end", args.end, allDay), allDay),
      timeZone: zoneValue(args.time_zone, context.timeZone),
      rrule: ruleValue(args.rrule),
      reminders: [],
    },
    true,
  );
}

/** The event a target names, and the occurrence of a series it means (its stored values at that slot). */
export type ResolvedTarget = {
  event: EventDetail;
  /** Set for a series: the occurrence acted on. */
  occurrence: string | null;
  scope: Scope;
  /** The occurrence (or event) as it is now. */
  current: EventInput;
  /** The event's version this was read at: Confirm refuses the proposal once the event changed since. */
  version: string;
};

async function resolveTarget(context: ToolContext, args: z.infer<typeof targetArgs>): Promise<ResolvedTarget> {
  let event: EventDetail;
  let version: string;
  try {
    // Read before the event: a change in between makes Confirm refuse, never pass over an unseen change.
    version = await eventVersion(context.userId, args.event_id);
    event = await getEvent(context.userId, args.event_id);
  } catch (error) {
    if (error instanceof EventNotFoundError) throw new ToolInputError(`event_id: no event "${args.event_id}".`);
    throw error;
  }
  if (event.subscription) throw new ToolInputError(`event_id: ${subscribedRefusal(event.subscription.name)}`);
  const base = {
    title: event.title,
    description: event.description,
    location: event.location,
    allDay: event.allDay,
    startLocal: event.startLocal,
    endLocal: event.endLocal,
    timeZone: event.timeZone ?? context.timeZone,
    rrule: event.rrule,
    reminders: event.reminders,
  };
  if (event.seriesId && event.recurrenceId) {
    // An edited occurrence: it stands for its slot in the series.
    return { event, occurrence: event.recurrenceId, scope: args.scope ?? "this", current: base, version };
  }
  if (!event.rrule) return { event, occurrence: null, scope: "all", current: base, version };
  const named = args.occurrence?.trim() || null;
  const occurrence = named ?? event.startLocal;
  const scope = args.scope ?? (args.occurrence ? "this" : "all");
  // A date named or acted on alone must still be in the calendar (Confirm would refuse it); the whole
  // series can be changed even when its first date was cancelled.
  const onItsDate = named !== null || scope === "this";
  if (!(onItsDate ? isLiveOccurrence(event, occurrence) : isOccurrence(event, occurrence))) {
    throw new ToolInputError(`occurrence: "${occurrence}" is not an occurrence of this event (see list_events).`);
  }
  const override = overrideAt(event, occurrence);
  const length = parseWall(event.startLocal).until(parseWall(event.endLocal));
  const start = parseWall(occurrence);
  const current = override
    ? { ...base, ...override, timeZone: override.timeZone ?? context.timeZone, rrule: event.rrule }
    : { ...base, startLocal: occurrence, endLocal: formatWall(start.add(length), event.allDay) };
  return { event, occurrence, scope, current, version };
}

function updateInput(context: ToolContext, target: ResolvedTarget, args: z.infer<typeof updateArgs>): EventInput {
  const { current } = target;
  const allDay = args.all_day ?? current.allDay;
  const kindChanged = allDay !== current.allDay;
  const start =
    args.start !== undefined ? wallValue("start", args.start, allDay) : kindChanged ? null : current.startLocal;
  if (start === null) throw new ToolInputError("start: give the new start when switching between all-day and timed.");
  let end: string;
  if (args.end !== undefined) end = endLocal(wallValue("end", args.end, allDay), allDay);
  else if (kindChanged) throw new ToolInputError("end: give the new end when switching between all-day and timed.");
  else {
    // Only the start moved: the event keeps its length.
    const length = parseWall(current.startLocal).until(parseWall(current.endLocal));
    end = formatWall(parseWall(start).add(length), allDay);
  }
  return checkedInput(
    {
      title: args.title?.trim() ?? current.title,
      description: args.description?.trim() ?? current.description,
      location: args.location?.trim() ?? current.location,
      allDay,
      startLocal: start,
      endLocal: end,
      timeZone: zoneValue(args.time_zone, current.timeZone),
      rrule: args.rrule === undefined ? current.rrule : ruleValue(args.rrule),
      reminders: current.reminders,
    },
    // A rule is checked where it is given, or where the start it counts from moves.
    args.rrule !== undefined || start !== current.startLocal,
  );
}

async function propose(context: ToolContext, call: ToolCall): Promise<Record<string, unknown>> {
  if (call.name === "create_event") {
    const input = createInput(context, call.arguments);
    const action = await proposeAction(context, { kind: "create", input });
    return proposed(action.id);
  }
  if (call.name === "update_event") {
    const args = parseArgs(updateArgs, call.arguments);
    const target = await resolveTarget(context, args);
    const input = updateInput(context, target, args);
    const action = await proposeAction(context, { kind: "update", target, input });
    return proposed(action.id);
  }
  const args = parseArgs(targetArgs, call.arguments);
  const target = await resolveTarget(context, args);
  const action = await proposeAction(context, { kind: "delete", target });
  return proposed(action.id);
}

function proposed(actionId: string) {
  return {
    status: "proposed, awaiting the person's confirmation",
    action_id: actionId,
    note: "Nothing has changed yet: the person confirms or cancels on the card shown with your reply.",
  };
}

/** Runs one call for the reply's person; the answer is JSON text for the model, errors included. */
export async function runCalendarTool(context: ToolContext, call: ToolCall): Promise<string> {
  try {
    if (call.name === "list_events") return JSON.stringify(await listEvents(context, call.arguments));
    if (call.name === "create_event" || call.name === "update_event" || call.name === "delete_event") {
      return JSON.stringify(await propose(context, call));
    }
    return JSON.stringify({ error: `Unknown tool "${call.name}".` });
  } catch (error) {
    if (error instanceof ToolInputError) return JSON.stringify({ error: error.message });
    throw error;
  }
}
