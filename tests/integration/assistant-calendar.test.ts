/**
 * The assistant's hands on the calendar (issue #13 part 6), over HTTP against the built server and the
 * stand-in providers: the 7-day block in the prompt, list_events, proposed changes shown as cards that
 * wait for Confirm / Cancel, Undo, bad tool arguments, models without tools, and isolation.
 */
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fromICalendar } from "~/calendar/ical.server";
import {
  createEvent,
  deleteEvent,
  getEvent,
  importEvents,
  listOccurrences,
  updateEvent,
} from "~/calendar/events.server";
import { Temporal, todayIn } from "~/calendar/time";
import { prisma } from "~/db/db.server";
import { lastMessageId, signedInClient, startChatHarness, type ChatHarness } from "../support/chat-harness";
import { untilBlockedBy } from "../support/postgres";

let harness: ChatHarness;
beforeAll(async () => {
  harness = await startChatHarness();
}, 180_000);
afterAll(() => harness?.stop());
beforeEach(() => {
  harness.openrouter.reset();
  harness.ollama.reset();
});

type Client = Awaited<ReturnType<typeof signedInClient>>;

/** A signed-in person in `timeZone`; returns the client and their id. */
async function person(timeZone = "Europe/Berlin") {
  const client = await signedInClient(harness.server.url);
  const { path } = await ask(client, "hello");
  const conversation = await prisma.conversation.findUniqueOrThrow({ where: { id: path.split("/").at(-1) } });
  await prisma.user.update({ where: { id: conversation.userId }, data: { timeZone } });
  return { client, userId: conversation.userId, path };
}

/** Sends `message` (a new conversation, or in `path`), waits for the reply and returns it. */
async function ask(client: Client, message: string, path?: string) {
  const response = await client.post(path ?? "/chat?index", { intent: "send", message });
  expect(response.status).toBe(302);
  const at = path ?? response.headers.get("location")!.replace(/#.*$/, "");
  const replyId = lastMessageId(await (await client.get(at)).text());
  for (let attempt = 0; attempt < 200; attempt++) {
    const reply = await prisma.message.findUniqueOrThrow({ where: { id: replyId } });
    if (reply.status !== "streaming") return { path: at, reply };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("reply never settled");
}

const toolMarker = (name: string, args: Record<string, unknown>) =>
  `[[stub:tool=${name},args=${JSON.stringify(args)}]]`;

/** The chat requests the primary stub received (model-list requests left out). */
const chatRequests = () => harness.openrouter.requests.filter((request) => request.path.endsWith("/chat/completions"));

type WireMessage = { role: string; content: string | null };
const bodyOf = (request: { body: unknown }) =>
  request.body as { messages: WireMessage[]; tools?: Array<{ function: { name: string } }> };

async function cardOf(client: Client, path: string, actionId: string) {
  const page = await (await client.get(path)).text();
  const start = page.indexOf(`id="action-${actionId}"`);
  expect(start).toBeGreaterThan(0);
  return page.slice(start, page.indexOf("</section>", start));
}

const decide = (client: Client, path: string, actionId: string, intent: string) =>
  client.post(`${path}/actions/${actionId}`, { intent });

/** The card on the page a decision redirects to, as a browser lands there (with or without JS). */
async function landedCard(client: Client, decided: Response, actionId: string) {
  expect(decided.status).toBe(303);
  const location = decided.headers.get("location")!;
  expect(location).toMatch(new RegExp(`#action-${actionId}$`));
  return cardOf(client, location.split("#")[0]!, actionId);
}

/** Asks for `tool` with `args` (the stand-in model calls it) in my conversation; returns the change it proposed. */
async function proposed(me: { client: Client; path: string }, tool: string, args: Record<string, unknown>) {
  const { reply } = await ask(me.client, `${toolMarker(tool, args)} please`, me.path);
  return prisma.calendarAction.findFirstOrThrow({ where: { messageId: reply.id } });
}

/** An .ics file of one event, 1 March 2027 09:00–17:00 in Berlin, with my own UID (`name`). */
function oneEventFile(userId: string, name: string, title: string): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//test//EN",
    "BEGIN:VEVENT",
    `UID:${name}-${userId}@example.test`,
    "DTSTAMP:20270101T000000Z",
    "DTSTART;TZID=Europe/Berlin:20270301T090000",
    "DTEND;TZID=Europe/Berlin:20270301T170000",
    `SUMMARY:${title}`,
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

/** Imports the file into my (empty) calendar, then has the assistant propose `tool` on its event and confirms it. */
async function importedThenConfirmed(
  me: { client: Client; path: string; userId: string },
  file: string,
  tool: "update_event" | "delete_event",
  args: Record<string, unknown> = {},
) {
  await importEvents(me.userId, fromICalendar(file, "Europe/Berlin"));
  const imported = await prisma.event.findFirstOrThrow({ where: { userId: me.userId } });
  const action = await proposed(me, tool, { event_id: imported.id, ...args });
  await decide(me.client, me.path, action.id, "confirm");
  return { imported, action };
}

describe("the prompt's calendar block", () => {
  it("carries my next 7 days of occurrences in my zone, a series as its occurrences, also on /prompt", async () => {
    const { client, userId, path } = await person("America/New_York");
    const today = todayIn("America/New_York");
    // A daily stand-up in Berlin's 15:00: 09:00 in New York; 20 occurrences, 7 of them in the window.
    await createEvent(userId, {
      title: "Stand-up",
      description: "",
      location: "Room 4",
      allDay: false,
      startLocal: `${today.toString()}T15:00`,
      endLocal: `${today.toString()}T15:15`,
      timeZone: "Europe/Berlin",
      rrule: "FREQ=DAILY;COUNT=20",
      reminders: [],
    });
    await createEvent(userId, {
      title: "Far away",
      description: "",
      location: "",
      allDay: true,
      startLocal: today.add({ days: 20 }).toString(),
      endLocal: today.add({ days: 21 }).toString(),
      timeZone: "America/New_York",
      rrule: null,
      reminders: [],
    });
    await ask(client, "what is on this week?", path);
    const system = bodyOf(chatRequests().at(-1)!).messages[0]!.content!;
    expect(system).toContain("## Calendar (your next 7 days)");
    const lines = system.split("\n").filter((line) => line.includes("Stand-up"));
    expect(lines).toHaveLength(7);
    // Shown in my zone (New York), with the event's own zone named, and the address the tools need.
    expect(lines[0]).toMatch(/09:00–09:15 \(event zone Europe\/Berlin\): Stand-up at Room 4, repeating \[event_id=/);
    expect(lines[1]).toContain(`occurrence=${today.add({ days: 1 }).toString()}T15:00`);
    expect(system).not.toContain("Far away");

    // The page shows the last reply's prompt, then what the next message would send: the block is in both.
    const page = await (await client.get(`${path}/prompt`)).text();
    const calendarSections = page.split('data-section="calendar"').slice(1);
    expect(calendarSections).toHaveLength(2);
    for (const section of calendarSections) {
      expect(section.slice(0, section.indexOf("</section>")).match(/Stand-up at Room 4/g)).toHaveLength(7);
    }
  });

  it("says there is nothing when my week is empty, and models without tools still get it", async () => {
    const { client, path } = await person();
    const { reply } = await ask(client, "[[stub:notools=1]] anything on?", path);
    expect(reply.status).toBe("complete");
    const [withTools, without] = chatRequests().slice(-2);
    expect(bodyOf(withTools!).tools?.map((tool) => tool.function.name)).toEqual([
      "list_events",
      "create_event",
      "update_event",
      "delete_event",
    ]);
    expect(bodyOf(without!).tools).toBeUndefined();
    expect(bodyOf(without!).messages[0]!.content).toContain("## Calendar (your next 7 days)\n- Nothing scheduled.");
    expect(reply.content).toContain("anything on?");
  });
});

describe("list_events", () => {
  it("returns the expanded occurrences in my zone, and the model answers with them", async () => {
    const { client, userId, path } = await person("Europe/Berlin");
    await createEvent(userId, {
      title: "Weekly sync",
      description: "",
      location: "",
      allDay: false,
      startLocal: "2027-03-16T09:00",
      endLocal: "2027-03-16T10:00",
      timeZone: "America/New_York",
      rrule: "FREQ=WEEKLY;COUNT=4",
      reminders: [],
    });
    const { reply } = await ask(
      client,
      `${toolMarker("list_events", { from: "2027-03-15", to: "2027-04-10" })} list`,
      path,
    );
    expect(reply.status).toBe("complete");
    const json = JSON.parse(reply.content.replace("The tool answered: ", "")) as {
      time_zone: string;
      events: Array<{ start: string; occurrence: string; repeating: boolean }>;
    };
    expect(json.time_zone).toBe("Europe/Berlin");
    // 09:00 New York is 14:00 in Berlin, 13:00 while only the US is on summer time (until 28 March).
    expect(json.events.map((event) => event.start)).toEqual([
      "2027-03-16T14:00:00+01:00",
      "2027-03-23T14:00:00+01:00",
      "2027-03-30T15:00:00+02:00",
      "2027-04-06T15:00:00+02:00",
    ]);
    expect(json.events.every((event) => event.repeating)).toBe(true);
    expect(json.events[1]!.occurrence).toBe("2027-03-23T09:00");
    // The model got the result as a tool message answering its call.
    const followUp = bodyOf(chatRequests().at(-1)!).messages;
    expect(followUp.at(-1)!.role).toBe("tool");
    expect(followUp.at(-2)!.role).toBe("assistant");
  });
});

describe("proposed changes wait for me", () => {
  const dentist = {
    title: "Dentist",
    start: "2027-02-09T08:30",
    end: "2027-02-09T09:15",
    location: "Main St 5",
  };

  async function proposeDentist() {
    const me = await person("Europe/Berlin");
    const { reply } = await ask(me.client, `${toolMarker("create_event", dentist)} book the dentist`, me.path);
    expect(reply.content).toContain("proposed, awaiting the person's confirmation");
    const action = await prisma.calendarAction.findFirstOrThrow({ where: { messageId: reply.id } });
    return { ...me, reply, action };
  }

  it("shows a card with the event in plain words; Confirm creates exactly one event, Undo removes it", async () => {
    const { client, userId, path, action } = await proposeDentist();
    expect(await prisma.event.count({ where: { userId } })).toBe(0);
    const card = await cardOf(client, path, action.id);
    expect(card).toContain("Create “Dentist”");
    expect(card).toContain("Tuesday 9 February 2027, 08:30–09:15 (Europe/Berlin)");
    expect(card).toContain("Where: Main St 5");
    expect(card).toContain(">Confirm</button>");
    expect(card).toContain(">Cancel</button>");

    const confirmed = await decide(client, path, action.id, "confirm");
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get("location")).toBe(`${path}#action-${action.id}`);
    // A second submit (another tab) changes nothing more.
    await decide(client, path, action.id, "confirm");
    const events = await prisma.event.findMany({ where: { userId } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      title: "Dentist",
      startLocal: "2027-02-09T08:30",
      endLocal: "2027-02-09T09:15",
      timeZone: "Europe/Berlin",
    });
    const audit = await prisma.auditEvent.findFirstOrThrow({
      where: { actorId: userId, action: "calendar.assistant_change" },
    });
    expect(audit.targetId).toBe(events[0]!.id);
    const afterConfirm = await cardOf(client, path, action.id);
    expect(afterConfirm).toContain("Confirmed");
    expect(afterConfirm).toContain(">Undo</button>");
    expect(afterConfirm).not.toContain(">Confirm</button>");

    expect((await decide(client, path, action.id, "undo")).status).toBe(303);
    expect(await prisma.event.count({ where: { userId } })).toBe(0);
    const afterUndo = await cardOf(client, path, action.id);
    expect(afterUndo).toContain("Undone");
    expect(afterUndo).not.toContain(">Undo</button>");
    expect(afterUndo).not.toContain('role="alert"');
    expect(await prisma.auditEvent.count({ where: { actorId: userId, action: "calendar.assistant_undo" } })).toBe(1);
    // Undo again (another tab, a resent form): refused, and the page says why.
    const again = await landedCard(client, await decide(client, path, action.id, "undo"), action.id);
    expect(again).toContain("Not undone: this change was already undone.");
    expect(await prisma.auditEvent.count({ where: { actorId: userId, action: "calendar.assistant_undo" } })).toBe(1);
    // Only from the server's own codes: an address cannot make the card say something else.
    const made = await (await client.get(`${path}?action=${action.id}&refused=hacked`)).text();
    expect(made).not.toContain('role="alert"');
  });

  it("Cancel creates nothing, and a cancelled card cannot be confirmed afterwards", async () => {
    const { client, userId, path, action } = await proposeDentist();
    expect((await decide(client, path, action.id, "cancel")).status).toBe(303);
    await decide(client, path, action.id, "confirm");
    expect(await prisma.event.count({ where: { userId } })).toBe(0);
    expect(await cardOf(client, path, action.id)).toContain("Cancelled");
  });

  it("Undo is offered for 10 minutes only", async () => {
    const { client, userId, path, action } = await proposeDentist();
    await decide(client, path, action.id, "confirm");
    await prisma.calendarAction.update({
      where: { id: action.id },
      data: { decidedAt: new Date(Date.now() - 11 * 60_000) },
    });
    expect(await cardOf(client, path, action.id)).not.toContain(">Undo</button>");
    const refused = await landedCard(client, await decide(client, path, action.id, "undo"), action.id);
    expect(refused).toContain("Not undone: a change can be undone for 10 minutes after it was confirmed.");
    expect(await prisma.event.count({ where: { userId } })).toBe(1);
  });

  /** Six Tuesday evening classes in Berlin: the series the occurrence and split tests change. */
  const WEEKLY_YOGA = {
    title: "Yoga",
    description: "",
    location: "",
    allDay: false,
    startLocal: "2027-01-05T18:00",
    endLocal: "2027-01-05T19:00",
    timeZone: "Europe/Berlin",
    rrule: "FREQ=WEEKLY;COUNT=6",
    reminders: [],
  };

  it("an update of one occurrence of a series says which, and Undo puts the series back", async () => {
    const me = await person("Europe/Berlin");
    const series = await createEvent(me.userId, WEEKLY_YOGA);
    const args = { event_id: series.id, occurrence: "2027-01-12T18:00", scope: "this", start: "2027-01-13T19:30" };
    const { reply } = await ask(me.client, `${toolMarker("update_event", args)} move it`, me.path);
    const action = await prisma.calendarAction.findFirstOrThrow({ where: { messageId: reply.id } });
    const card = await cardOf(me.client, me.path, action.id);
    expect(card).toContain("Change “Yoga”");
    expect(card).toContain("Tuesday 12 January 2027, 18:00–19:00 (Europe/Berlin)");
    expect(card).toContain("Wednesday 13 January 2027, 19:30–20:30 (Europe/Berlin)");
    expect(card).toContain("Only the occurrence on Tuesday 12 January 2027 at 18:00.");

    await decide(me.client, me.path, action.id, "confirm");
    const window = {
      start: Temporal.Instant.from("2027-01-01T00:00:00Z"),
      end: Temporal.Instant.from("2027-03-01T00:00:00Z"),
    };
    const starts = async () =>
      (await listOccurrences(me.userId, window, "Europe/Berlin")).map((o) => o.start.toPlainDateTime().toString());
    expect(await starts()).toEqual([
      "2027-01-05T18:00:00",
      "2027-01-13T19:30:00",
      "2027-01-19T18:00:00",
      "2027-01-26T18:00:00",
      "2027-02-02T18:00:00",
      "2027-02-09T18:00:00",
    ]);
    expect((await getEvent(me.userId, series.id)).overrides).toHaveLength(1);

    await decide(me.client, me.path, action.id, "undo");
    expect((await starts())[1]).toBe("2027-01-12T18:00:00");
    expect((await getEvent(me.userId, series.id)).overrides).toHaveLength(0);
  });

  it("deleting this and following occurrences ends the series there; Undo restores it", async () => {
    const me = await person("Europe/Berlin");
    const series = await createEvent(me.userId, {
      title: "Course",
      description: "",
      location: "",
      allDay: false,
      startLocal: "2027-05-03T10:00",
      endLocal: "2027-05-03T12:00",
      timeZone: "Europe/Berlin",
      rrule: "FREQ=WEEKLY;COUNT=5",
      reminders: [],
    });
    const args = { event_id: series.id, occurrence: "2027-05-17T10:00", scope: "following" };
    const { reply } = await ask(me.client, `${toolMarker("delete_event", args)} drop the rest`, me.path);
    const action = await prisma.calendarAction.findFirstOrThrow({ where: { messageId: reply.id } });
    expect(await cardOf(me.client, me.path, action.id)).toContain(
      "The occurrence on Monday 17 May 2027 at 10:00 and every later one.",
    );
    await decide(me.client, me.path, action.id, "confirm");
    const window = {
      start: Temporal.Instant.from("2027-05-01T00:00:00Z"),
      end: Temporal.Instant.from("2027-07-01T00:00:00Z"),
    };
    expect(await listOccurrences(me.userId, window, "Europe/Berlin")).toHaveLength(2);
    await decide(me.client, me.path, action.id, "undo");
    expect(await listOccurrences(me.userId, window, "Europe/Berlin")).toHaveLength(5);
  });

  it("changes or deletes a whole series whose first date was cancelled; a proposal for that date is refused", async () => {
    const me = await person("Europe/Berlin");
    const series = await createEvent(me.userId, WEEKLY_YOGA);
    await deleteEvent(me.userId, { eventId: series.id, occurrence: "2027-01-05T18:00" }, "this");
    const window = {
      start: Temporal.Instant.from("2027-01-01T00:00:00Z"),
      end: Temporal.Instant.from("2027-03-01T00:00:00Z"),
    };
    const titles = async () => (await listOccurrences(me.userId, window, "Europe/Berlin")).map((o) => o.title);

    const rename = { event_id: series.id, title: "Pilates" };
    const update = await proposed(me, "update_event", rename);
    await decide(me.client, me.path, update.id, "confirm");
    expect((await prisma.calendarAction.findUniqueOrThrow({ where: { id: update.id } })).status).toBe("confirmed");
    // The five dates left are renamed; the cancelled one stays gone.
    expect(await titles()).toEqual(Array(5).fill("Pilates"));

    const named = { event_id: series.id, occurrence: "2027-01-05T18:00", scope: "this", title: "Back" };
    const refused = await ask(me.client, `${toolMarker("update_event", named)} rename that one`, me.path);
    expect(refused.reply.status).toBe("complete");
    expect(refused.reply.content).toContain("is not an occurrence of this event");
    expect(await prisma.calendarAction.count({ where: { messageId: refused.reply.id } })).toBe(0);

    const deletion = await proposed(me, "delete_event", { event_id: series.id });
    await decide(me.client, me.path, deletion.id, "confirm");
    expect((await prisma.calendarAction.findUniqueOrThrow({ where: { id: deletion.id } })).status).toBe("confirmed");
    expect(await prisma.event.count({ where: { userId: me.userId } })).toBe(0);
  });

  it("refuses on Confirm a stored proposal for This event that names no date (it answered 500)", async () => {
    const me = await person("Europe/Berlin");
    const series = await createEvent(me.userId, WEEKLY_YOGA);
    const args = { event_id: series.id, occurrence: "2027-01-12T18:00", scope: "this", title: "Just once" };
    const { reply } = await ask(me.client, `${toolMarker("update_event", args)} rename that one`, me.path);
    const action = await prisma.calendarAction.findFirstOrThrow({ where: { messageId: reply.id } });
    // A proposal stored without its date (an older row, or one written by hand): "this" is then no date.
    const { occurrence: _dropped, ...input } = action.input as Record<string, unknown>;
    await prisma.calendarAction.update({ where: { id: action.id }, data: { input: input as never } });
    const decided = await decide(me.client, me.path, action.id, "confirm");
    expect(decided.status).toBeLessThan(400);
    expect((await prisma.calendarAction.findUniqueOrThrow({ where: { id: action.id } })).status).toBe("cancelled");
    expect(await cardOf(me.client, me.path, action.id)).toContain(
      "Not applied: the event no longer exists as proposed.",
    );
    expect(await prisma.event.count({ where: { userId: me.userId } })).toBe(1);
    expect((await prisma.event.findUniqueOrThrow({ where: { id: series.id } })).title).toBe(WEEKLY_YOGA.title);
  });

  it("refuses on Confirm a change of an event that repeats since it was proposed: the whole series was changed", async () => {
    const me = await person("Europe/Berlin");
    const single = await createEvent(me.userId, { ...WEEKLY_YOGA, rrule: null });
    const update = await proposed(me, "update_event", { event_id: single.id, title: "Pilates" });
    const deletion = await proposed(me, "delete_event", { event_id: single.id });
    // Made weekly (in another tab) before the person confirms either card.
    await updateEvent(me.userId, { eventId: single.id }, WEEKLY_YOGA, undefined);
    for (const action of [update, deletion]) {
      const card = await landedCard(me.client, await decide(me.client, me.path, action.id, "confirm"), action.id);
      expect(card).toContain(
        "Not applied: the event repeats now, and this change did not say which of its dates. Nothing was changed; ask again.",
      );
      expect(card).not.toContain(">Confirm</button>");
      expect((await prisma.calendarAction.findUniqueOrThrow({ where: { id: action.id } })).status).toBe("cancelled");
    }
    const rows = await prisma.event.findMany({ where: { userId: me.userId }, select: { title: true, rrule: true } });
    expect(rows).toEqual([{ title: "Yoga", rrule: "FREQ=WEEKLY;COUNT=6" }]);
  });

  it("refuses on Confirm a change of an event changed since it was proposed, rather than overwrite it unseen", async () => {
    const me = await person("Europe/Berlin");
    const series = await createEvent(me.userId, WEEKLY_YOGA);
    const args = { event_id: series.id, scope: "all", title: "Pilates" };
    const { reply } = await ask(me.client, `${toolMarker("update_event", args)} rename all`, me.path);
    const action = await prisma.calendarAction.findFirstOrThrow({ where: { messageId: reply.id } });
    // Another date of it is moved on its own (the edit page, another tab) before Confirm.
    await updateEvent(
      me.userId,
      { eventId: series.id, occurrence: "2027-01-19T18:00" },
      { ...WEEKLY_YOGA, location: "Park", startLocal: "2027-01-19T18:00", endLocal: "2027-01-19T19:00", rrule: null },
      "this",
    );
    const card = await landedCard(me.client, await decide(me.client, me.path, action.id, "confirm"), action.id);
    expect(card).toContain(
      "Not applied: the event was changed since this was proposed, and nothing was changed. Ask again to see the change against the event as it is now.",
    );
    const titles = await prisma.event.findMany({ where: { userId: me.userId }, select: { title: true } });
    expect(titles).toEqual([{ title: "Yoga" }, { title: "Yoga" }]);
  });

  it("Undo of a split waits for an edit of the new series under way, then refuses to put the series back over it", async () => {
    const me = await person("Europe/Berlin");
    const series = await createEvent(me.userId, WEEKLY_YOGA);
    const exception = await updateEvent(
      me.userId,
      { eventId: series.id, occurrence: "2027-01-26T18:00" },
      {
        ...WEEKLY_YOGA,
        title: "Yoga outside",
        startLocal: "2027-01-26T18:00",
        endLocal: "2027-01-26T19:00",
        rrule: null,
      },
      "this",
    );
    // "This and following" from the second occurrence: a new series, which takes the exception along.
    const args = { event_id: series.id, occurrence: "2027-01-12T18:00", scope: "following", start: "2027-01-12T19:00" };
    const { reply } = await ask(me.client, `${toolMarker("update_event", args)} later from now on`, me.path);
    const action = await prisma.calendarAction.findFirstOrThrow({ where: { messageId: reply.id } });
    await decide(me.client, me.path, action.id, "confirm");
    const split = await prisma.event.findFirstOrThrow({
      where: { userId: me.userId, seriesId: null, id: { not: series.id } },
    });
    expect((await prisma.event.findUniqueOrThrow({ where: { id: exception } })).seriesId).toBe(split.id);

    // An edit of the new series under way, as lockFamily starts one: its head locked, its exceptions
    // written after. Undo moves the exception back and removes the new series.
    const edit = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await edit.connect();
    try {
      await edit.query("BEGIN");
      await edit.query(`SELECT id FROM "Event" WHERE id = $1 FOR NO KEY UPDATE`, [split.id]);
      const undone = decide(me.client, me.path, action.id, "undo");
      await untilBlockedBy(edit);
      // Without Undo waiting for the series' locks first, it has already taken the exception's row and
      // waits for the new series: this waits for Undo, which waits for this transaction, and PostgreSQL
      // ends one of them (40P01) after deadlock_timeout.
      await edit.query("SET LOCAL lock_timeout = '3s'");
      await edit.query(`UPDATE "Event" SET title = 'Yoga in the park' WHERE "seriesId" = $1`, [split.id]);
      await edit.query("COMMIT");
      // Undo came second, and sees the edit under the locks: putting the series back would throw it away
      // unseen (it did), so it is refused and the card says why.
      const refused = await landedCard(me.client, await undone, action.id);
      expect(refused).toContain("Not undone: the event was changed again since, and that change stays.");
      expect(refused).not.toContain('name="intent" value="undo"');
    } finally {
      await edit.end();
    }
    const rows = await prisma.event.findMany({
      where: { userId: me.userId },
      select: { id: true, title: true, seriesId: true },
      orderBy: { seriesId: { sort: "asc", nulls: "first" } },
    });
    expect(rows).toHaveLength(3);
    expect(rows).toContainEqual({ id: exception, title: "Yoga in the park", seriesId: split.id });
    const later = await cardOf(me.client, me.path, action.id);
    expect(later).toContain("It can no longer be undone: the event was changed again since.");
    expect(later).not.toContain("Undone");
    expect(await prisma.auditEvent.count({ where: { actorId: me.userId, action: "calendar.assistant_undo" } })).toBe(0);
  });

  it("refuses Undo of a change edited again since on the calendar pages; the edit stays", async () => {
    const me = await person("Europe/Berlin");
    const { reply } = await ask(me.client, `${toolMarker("create_event", dentist)} book`, me.path);
    const action = await prisma.calendarAction.findFirstOrThrow({ where: { messageId: reply.id } });
    await decide(me.client, me.path, action.id, "confirm");
    const created = await prisma.event.findFirstOrThrow({ where: { userId: me.userId } });
    await updateEvent(
      me.userId,
      { eventId: created.id },
      {
        title: "Dentist (moved)",
        description: "",
        location: "Main St 5",
        allDay: false,
        startLocal: "2027-02-10T08:30",
        endLocal: "2027-02-10T09:15",
        timeZone: "Europe/Berlin",
        rrule: null,
        reminders: [],
      },
      undefined,
    );
    const refused = await landedCard(me.client, await decide(me.client, me.path, action.id, "undo"), action.id);
    expect(refused).toContain("Not undone: the event was changed again since, and that change stays.");
    expect(await prisma.event.findMany({ where: { userId: me.userId }, select: { title: true } })).toEqual([
      { title: "Dentist (moved)" },
    ]);
  });

  it("Undo of a delete whose event was imported again meanwhile keeps the import's copy, without a 500", async () => {
    const me = await person("Europe/Berlin");
    const file = oneEventFile(me.userId, "retreat", "Retreat");
    const { action } = await importedThenConfirmed(me, file, "delete_event");
    // Brought back on purpose (a deleted imported event is otherwise not created again).
    await importEvents(
      me.userId,
      fromICalendar(file.replace("SUMMARY:Retreat", "SUMMARY:Retreat (moved)"), "Europe/Berlin"),
      undefined,
      { restoreDeleted: true },
    );
    const undoButton = 'name="intent" value="undo"';
    expect(await cardOf(me.client, me.path, action.id)).toContain(undoButton);
    const refused = await landedCard(me.client, await decide(me.client, me.path, action.id, "undo"), action.id);
    expect(refused).toContain("Not undone: the event was imported again since, and the imported copy stays.");
    // Undo can no longer be done: the card stops offering it (it kept an Undo that could only be refused)
    // and says why, on the page the refusal lands on and on any later visit.
    expect(refused).not.toContain(undoButton);
    const later = await cardOf(me.client, me.path, action.id);
    expect(later).not.toContain(undoButton);
    expect(later).toContain("It can no longer be undone: the event was imported again since.");
    // A second Undo (another tab still showing it) is refused for the same reason, not "already undone".
    const again = await landedCard(me.client, await decide(me.client, me.path, action.id, "undo"), action.id);
    expect(again).toContain("Not undone: the event was imported again since, and the imported copy stays.");
    const rows = await prisma.event.findMany({ where: { userId: me.userId }, select: { title: true } });
    expect(rows).toEqual([{ title: "Retreat (moved)" }]);
    expect(await cardOf(me.client, me.path, action.id)).not.toContain("Undone");
  });

  it("an imported event the assistant deleted stays deleted at the next import; Undo brings it back for good", async () => {
    const me = await person("Europe/Berlin");
    const file = oneEventFile(me.userId, "workshop", "Workshop");
    const { imported, action } = await importedThenConfirmed(me, file, "delete_event");
    const skipped = await importEvents(me.userId, fromICalendar(file, "Europe/Berlin"));
    expect(skipped.deletedHere.map((event) => event.title)).toEqual(["Workshop"]);
    expect(await prisma.event.count({ where: { userId: me.userId } })).toBe(0);

    await decide(me.client, me.path, action.id, "undo");
    expect(await prisma.event.findMany({ where: { userId: me.userId }, select: { id: true } })).toEqual([
      { id: imported.id },
    ]);
    expect(await prisma.deletedImportedEvent.count({ where: { userId: me.userId } })).toBe(0);
    // Back, it is the file's again: deleted by hand afterwards it would be remembered anew.
    const report = await importEvents(me.userId, fromICalendar(file, "Europe/Berlin"));
    expect([report.deletedHere, report.created, report.updated.map((event) => event.title)]).toEqual([
      [],
      [],
      ["Workshop"],
    ]);
  });

  it("an imported event renamed by the assistant and undone is the file's to update again on the next import", async () => {
    const me = await person("Europe/Berlin");
    const file = (title: string) => oneEventFile(me.userId, "offsite", title);
    const { imported, action } = await importedThenConfirmed(me, file("Offsite"), "update_event", {
      title: "Offsite (renamed)",
    });
    await decide(me.client, me.path, action.id, "undo");
    expect((await prisma.event.findUniqueOrThrow({ where: { id: imported.id } })).title).toBe("Offsite");
    // Undone, the event is as the import left it: a newer file updates it, it is not kept as changed here.
    const report = await importEvents(me.userId, fromICalendar(file("Offsite (moved)"), "Europe/Berlin"));
    expect(report.kept).toEqual([]);
    expect(report.updated.map((event) => event.title)).toEqual(["Offsite (moved)"]);
    expect((await prisma.event.findUniqueOrThrow({ where: { id: imported.id } })).title).toBe("Offsite (moved)");
  });

  it("Undo just past its ten minutes says it is too late, not that it was already undone", async () => {
    const me = await person("Europe/Berlin");
    const { reply } = await ask(me.client, `${toolMarker("create_event", dentist)} book`, me.path);
    const action = await prisma.calendarAction.findFirstOrThrow({ where: { messageId: reply.id } });
    await decide(me.client, me.path, action.id, "confirm");
    // The page still shows Undo (loaded in time); the click arrives a moment after the ten minutes.
    await prisma.calendarAction.update({
      where: { id: action.id },
      data: { decidedAt: new Date(Date.now() - 10 * 60_000 - 50) },
    });
    const refused = await landedCard(me.client, await decide(me.client, me.path, action.id, "undo"), action.id);
    expect(refused).toContain("Not undone: a change can be undone for 10 minutes after it was confirmed.");
    expect(refused).not.toContain('name="intent" value="undo"');
    expect(await prisma.event.count({ where: { userId: me.userId } })).toBe(1);
  });

  it("works the same when Ollama answers (the fallback here), through its OpenAI-compatible API", async () => {
    const me = await person("Europe/Berlin");
    const message = `[[stub:fail=500,only=openrouter]] ${toolMarker("create_event", dentist)} book`;
    const { reply } = await ask(me.client, message, me.path);
    expect(reply).toMatchObject({ provider: "ollama", fallbackFrom: "openrouter", status: "complete" });
    const action = await prisma.calendarAction.findFirstOrThrow({ where: { messageId: reply.id } });
    await decide(me.client, me.path, action.id, "confirm");
    expect(await prisma.event.count({ where: { userId: me.userId } })).toBe(1);
  });

  it("bad arguments come back to the model as tool errors; nothing is proposed and the reply completes", async () => {
    const me = await person("Europe/Berlin");
    const badZone = { ...dentist, time_zone: "Mars/Olympus" };
    const { reply } = await ask(me.client, `${toolMarker("create_event", badZone)} book`, me.path);
    expect(reply.status).toBe("complete");
    expect(reply.content).toContain("is not an IANA time zone");
    const backwards = { ...dentist, end: "2027-02-09T08:00" };
    const second = await ask(me.client, `${toolMarker("create_event", backwards)} book`, me.path);
    expect(second.reply.content).toContain("the end cannot be before the start");
    // Beyond the years ARES keeps: a window past year 9999 reached the database (a 500 in the tool).
    const farList = await ask(
      me.client,
      `${toolMarker("list_events", { from: "9999-12-01", to: "9999-12-31" })} list`,
      me.path,
    );
    expect(farList.reply.content).toContain("from: choose a date between 1900 and 2200");
    const farEnd = await ask(
      me.client,
      `${toolMarker("create_event", { ...dentist, end: "9999-12-31T10:00" })} book`,
      me.path,
    );
    expect(farEnd.reply.content).toContain("end: choose a date between 1900 and 2200");
    const unknown = await ask(me.client, `${toolMarker("delete_event", { event_id: "nope" })} delete`, me.path);
    expect(unknown.reply.content).toContain('no event \\"nope\\"');
    expect(await prisma.calendarAction.count({ where: { userId: me.userId } })).toBe(0);
  });

  it("another person gets 404 for my card, whatever the method or the conversation in the path", async () => {
    const { path, action, userId } = await proposeDentist();
    const other = await person("Europe/Berlin");
    for (const intent of ["confirm", "cancel", "undo"]) {
      expect((await decide(other.client, path, action.id, intent)).status).toBe(404);
      expect((await decide(other.client, other.path, action.id, intent)).status).toBe(404);
    }
    expect((await other.client.get(`${path}/actions/${action.id}`)).status).toBe(404);
    expect((await other.client.get(`${path}/actions/${action.id}`, { method: "HEAD" })).status).toBe(404);
    // Methods no route takes are refused before routing, the same for everyone (nothing hints the card exists).
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const response = await other.client.get(`${path}/actions/${action.id}`, {
        method,
        body: new URLSearchParams({ intent: "confirm" }),
      });
      expect(response.status).toBe(405);
    }
    expect(await prisma.calendarAction.findUniqueOrThrow({ where: { id: action.id } })).toMatchObject({
      status: "pending",
    });
    expect(await prisma.event.count({ where: { userId } })).toBe(0);
    // The model was only ever given tools without an owner: the calls run as the reply's person.
    const tools = bodyOf(chatRequests().find((request) => bodyOf(request).tools)!).tools!;
    expect(JSON.stringify(tools)).not.toMatch(/user|owner/i);
  });
});

describe("events of a subscribed calendar", () => {
  // Their feed replaces them at its next refresh: the pages already treat them as read-only.
  async function subscribed(userId: string, eventId: string, name = "Team feed") {
    const subscription = await prisma.calendarSubscription.create({
      data: { userId, name, url: "https://feeds.example.test/team.ics" },
    });
    await prisma.event.update({
      where: { id: eventId },
      data: { source: "subscription", subscriptionId: subscription.id },
    });
  }

  function meeting(day: Temporal.PlainDate, title = "Feed meeting") {
    return {
      title,
      description: "",
      location: "",
      allDay: false,
      startLocal: `${day.toString()}T10:00`,
      endLocal: `${day.toString()}T11:00`,
      timeZone: "Europe/Berlin",
      rrule: null,
      reminders: [],
    };
  }

  it("are marked read-only in list_events and the prompt; update_event and delete_event refuse them, saying why", async () => {
    const me = await person("Europe/Berlin");
    const day = todayIn("Europe/Berlin").add({ days: 2 });
    const fed = await createEvent(me.userId, meeting(day));
    await subscribed(me.userId, fed.id);
    const own = await createEvent(me.userId, meeting(day, "My own"));

    const listed = await ask(
      me.client,
      `${toolMarker("list_events", { from: day.toString(), to: day.toString() })} list`,
      me.path,
    );
    const json = JSON.parse(listed.reply.content.replace("The tool answered: ", "")) as {
      events: Array<{ event_id: string; read_only?: boolean; subscribed_calendar?: string }>;
    };
    expect(json.events.find((event) => event.event_id === fed.id)).toMatchObject({
      read_only: true,
      subscribed_calendar: "Team feed",
    });
    expect(json.events.find((event) => event.event_id === own.id)?.read_only).toBeUndefined();
    const system = bodyOf(chatRequests().at(-1)!).messages[0]!.content!;
    const lines = system.split("\n");
    expect(lines.find((line) => line.includes("Feed meeting"))).toContain("read-only (from a subscribed calendar)");
    expect(lines.find((line) => line.includes("My own"))).not.toContain("read-only");

    const reason = "comes from the subscribed calendar “Team feed”; change it at its source";
    const update = await ask(
      me.client,
      `${toolMarker("update_event", { event_id: fed.id, title: "Renamed" })} rename`,
      me.path,
    );
    expect(update.reply.status).toBe("complete");
    expect(update.reply.content).toContain(reason);
    const removal = await ask(me.client, `${toolMarker("delete_event", { event_id: fed.id })} drop it`, me.path);
    expect(removal.reply.content).toContain(reason);
    expect(await prisma.calendarAction.count({ where: { userId: me.userId } })).toBe(0);
  });

  it("Confirm of a proposal made before the event came from a feed says Not applied and why; nothing changes", async () => {
    const me = await person("Europe/Berlin");
    const event = await createEvent(me.userId, meeting(Temporal.PlainDate.from("2027-03-02")));
    const update = await proposed(me, "update_event", { event_id: event.id, title: "Renamed" });
    const deletion = await proposed(me, "delete_event", { event_id: event.id });
    // An older card (proposed before the tools refused such events): the event is a feed's now.
    await subscribed(me.userId, event.id, "Work (iCloud)");
    for (const action of [update, deletion]) {
      const decided = await decide(me.client, me.path, action.id, "confirm");
      const card = await landedCard(me.client, decided, action.id);
      expect(card).toContain(
        "Not applied: this event comes from the subscribed calendar “Work (iCloud)”; change it at its source.",
      );
      expect(card).not.toContain(">Confirm</button>");
      expect((await prisma.calendarAction.findUniqueOrThrow({ where: { id: action.id } })).status).toBe("cancelled");
    }
    const rows = await prisma.event.findMany({ where: { userId: me.userId }, select: { title: true } });
    expect(rows).toEqual([{ title: "Feed meeting" }]);
  });

  it("Undo of a change to an event a feed owns since refuses, saying why, and changes nothing", async () => {
    const me = await person("Europe/Berlin");
    const event = await createEvent(me.userId, meeting(Temporal.PlainDate.from("2027-03-02")));
    const update = await proposed(me, "update_event", { event_id: event.id, title: "Renamed" });
    await decide(me.client, me.path, update.id, "confirm");
    const dentist = { title: "Dentist", start: "2027-02-09T08:30", end: "2027-02-09T09:15" };
    const create = await proposed(me, "create_event", dentist);
    await decide(me.client, me.path, create.id, "confirm");
    const created = await prisma.event.findFirstOrThrow({ where: { userId: me.userId, id: { not: event.id } } });
    // Within the ten minutes, both events come to belong to a subscribed calendar.
    await subscribed(me.userId, event.id, "Work (iCloud)");
    await subscribed(me.userId, created.id, "Dentist's feed");
    const before = await prisma.event.findMany({ where: { userId: me.userId }, orderBy: { id: "asc" } });

    const undoButton = 'name="intent" value="undo"';
    for (const action of [update, create]) {
      expect(await cardOf(me.client, me.path, action.id)).toContain(undoButton);
      const refused = await landedCard(me.client, await decide(me.client, me.path, action.id, "undo"), action.id);
      expect(refused).toContain("Not undone: the event comes from a subscribed calendar now");
      expect(refused).not.toContain(undoButton);
      const later = await cardOf(me.client, me.path, action.id);
      expect(later).toContain("It can no longer be undone: the event comes from a subscribed calendar now.");
      expect(later).not.toContain(undoButton);
    }
    // The feed's rows stay as the feed left them: not turned back into mine, not deleted.
    expect(await prisma.event.findMany({ where: { userId: me.userId }, orderBy: { id: "asc" } })).toEqual(before);
    expect(before.map((row) => row.source)).toEqual(["subscription", "subscription"]);
    expect(await prisma.auditEvent.count({ where: { actorId: me.userId, action: "calendar.assistant_undo" } })).toBe(0);
  });

  it("Undo of a delete refuses once a feed has an event of the same UID, rather than put a second copy beside it", async () => {
    const me = await person("Europe/Berlin");
    const event = await createEvent(me.userId, meeting(Temporal.PlainDate.from("2027-03-02")));
    const { uid } = await prisma.event.findUniqueOrThrow({ where: { id: event.id } });
    const deletion = await proposed(me, "delete_event", { event_id: event.id });
    await decide(me.client, me.path, deletion.id, "confirm");
    expect(await prisma.event.count({ where: { userId: me.userId } })).toBe(0);
    // Within the ten minutes, a subscribed calendar brings the same event (its UID) on its own.
    const fed = await createEvent(me.userId, meeting(Temporal.PlainDate.from("2027-03-02"), "Feed meeting"));
    await prisma.event.update({ where: { id: fed.id }, data: { uid } });
    await subscribed(me.userId, fed.id, "Work (iCloud)");
    const before = await prisma.event.findMany({ where: { userId: me.userId } });

    const undoButton = 'name="intent" value="undo"';
    const refused = await landedCard(me.client, await decide(me.client, me.path, deletion.id, "undo"), deletion.id);
    expect(refused).toContain("Not undone: the event comes from a subscribed calendar now");
    expect(refused).not.toContain(undoButton);
    expect(await cardOf(me.client, me.path, deletion.id)).toContain(
      "It can no longer be undone: the event comes from a subscribed calendar now.",
    );
    expect(await prisma.event.findMany({ where: { userId: me.userId } })).toEqual(before);
    expect(await prisma.auditEvent.count({ where: { actorId: me.userId, action: "calendar.assistant_undo" } })).toBe(0);
  });

  it("Undo of a delete puts my copy back when a feed already had an event of the same UID before the delete", async () => {
    const me = await person("Europe/Berlin");
    const day = Temporal.PlainDate.from("2027-03-02");
    // A holiday file imported once, then a subscription to the same feed: my copy and the feed's, one UID.
    const event = await createEvent(me.userId, meeting(day, "Holiday"));
    const { uid } = await prisma.event.findUniqueOrThrow({ where: { id: event.id } });
    const fed = await createEvent(me.userId, { ...meeting(day, "Holiday (feed)"), rrule: "FREQ=YEARLY;COUNT=3" });
    await subscribed(me.userId, fed.id, "Holidays");
    await prisma.event.update({ where: { id: fed.id }, data: { uid } });
    const deletion = await proposed(me, "delete_event", { event_id: event.id });
    await decide(me.client, me.path, deletion.id, "confirm");
    expect(await prisma.event.count({ where: { userId: me.userId, subscriptionId: null } })).toBe(0);
    // Meanwhile the feed refreshes: its series is updated in place, its exceptions made anew (same UID).
    const head = await prisma.event.update({ where: { id: fed.id }, data: { title: "Holiday (feed, refreshed)" } });
    const { id: _id, createdAt: _createdAt, updatedAt: _updatedAt, ...rest } = head;
    await prisma.event.create({
      data: { ...rest, seriesId: head.id, rrule: null, recurrenceId: "2028-03-02T10:00", title: "Moved holiday" },
    });

    const card = await landedCard(me.client, await decide(me.client, me.path, deletion.id, "undo"), deletion.id);
    expect(card).not.toContain("Not undone");
    expect((await prisma.calendarAction.findUniqueOrThrow({ where: { id: deletion.id } })).status).toBe("undone");
    const mine = await prisma.event.findMany({ where: { userId: me.userId, subscriptionId: null } });
    expect(mine.map((row) => ({ id: row.id, uid: row.uid, title: row.title }))).toEqual([
      { id: event.id, uid, title: "Holiday" },
    ]);
    expect(await prisma.event.count({ where: { userId: me.userId, subscriptionId: { not: null } } })).toBe(2);
  });
});

describe("with LLM_TOOLS=false", () => {
  let plain: ChatHarness;
  beforeAll(async () => {
    plain = await startChatHarness({ LLM_TOOLS: "false" });
  }, 180_000);
  afterAll(() => plain?.stop());

  it("offers no tools, still sends the calendar block, and a tool marker is just text", async () => {
    const client = await signedInClient(plain.server.url);
    const response = await client.post("/chat?index", {
      intent: "send",
      message: `${toolMarker("create_event", { title: "X", start: "2027-01-01T10:00", end: "2027-01-01T11:00" })} hi`,
    });
    const path = response.headers.get("location")!.replace(/#.*$/, "");
    const replyId = lastMessageId(await (await client.get(path)).text());
    let reply = await prisma.message.findUniqueOrThrow({ where: { id: replyId } });
    for (let attempt = 0; attempt < 200 && reply.status === "streaming"; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      reply = await prisma.message.findUniqueOrThrow({ where: { id: replyId } });
    }
    expect(reply.content).toBe('You said: "hi". This is a deterministic reply from the stub model.');
    const [request] = plain.openrouter.requests.filter((entry) => entry.path.endsWith("/chat/completions"));
    expect(bodyOf(request!).tools).toBeUndefined();
    expect(bodyOf(request!).messages[0]!.content).toContain("## Calendar (your next 7 days)");
    expect(await prisma.calendarAction.count({ where: { messageId: replyId } })).toBe(0);
  });
});
