/**
 * Reminders and the morning briefing against PostgreSQL: which reminders come due when (expanded
 * occurrences in the owner's zone, across DST, overrides, all-day events), delivery once per reminder,
 * and briefings at the person's local time, once a day.
 */
import { describe, expect, it } from "vitest";
import { briefingsDue, deliverBriefing } from "~/calendar/briefing.server";
import { createEvent, deleteEvent, updateEvent } from "~/calendar/events.server";
import { deliverReminder, markScanned, remindersDue, scanStart } from "~/calendar/reminders.server";
import type { EventInput } from "~/calendar/schemas";
import { prisma } from "~/db/db.server";
import { updateProfile } from "~/accounts/profile.server";
import { saveNotificationPreferences } from "~/notifications/notifications.server";
import { makeUser } from "../support/accounts";

const BERLIN = "Europe/Berlin";

function event(fields: Partial<EventInput> = {}): EventInput {
  return {
    title: "Standup",
    description: "",
    location: "",
    allDay: false,
    startLocal: "2027-03-01T09:00",
    endLocal: "2027-03-01T09:30",
    timeZone: BERLIN,
    rrule: "FREQ=WEEKLY;BYDAY=MO",
    reminders: [10],
    ...fields,
  };
}

/** The reminders due in (from, to], judged at `from` (nothing has ended yet), for one person. */
async function dueFor(userId: string, from: string, to: string) {
  const due = await remindersDue(new Date(from), new Date(to), new Date(from));
  return due.filter((reminder) => reminder.userId === userId).map((reminder) => reminder.at.toISOString());
}

describe("reminders", () => {
  it("remind before each occurrence of a series at the wall-clock time in the event's zone, across DST", async () => {
    const person = await makeUser({ timeZone: BERLIN });
    await createEvent(person.id, event());
    // Monday 22 March 2027: Berlin is UTC+1, so 09:00 is 08:00Z and the reminder 07:50Z.
    expect(await dueFor(person.id, "2027-03-22T07:00:00Z", "2027-03-22T09:00:00Z")).toEqual([
      "2027-03-22T07:50:00.000Z",
    ]);
    // Monday 29 March 2027, after the spring change: UTC+2, so 09:00 is 07:00Z and the reminder 06:50Z.
    expect(await dueFor(person.id, "2027-03-29T06:00:00Z", "2027-03-29T09:00:00Z")).toEqual([
      "2027-03-29T06:50:00.000Z",
    ]);
  });

  it("an occurrence moved by an edit is reminded of at its new time only; a deleted one not at all", async () => {
    const person = await makeUser({ timeZone: BERLIN });
    const { id } = await createEvent(person.id, event());
    await updateEvent(
      person.id,
      { eventId: id, occurrence: "2027-03-08T09:00" },
      event({ startLocal: "2027-03-08T11:00", endLocal: "2027-03-08T11:30", rrule: null }),
      "this",
    );
    expect(await dueFor(person.id, "2027-03-08T06:00:00Z", "2027-03-08T12:00:00Z")).toEqual([
      "2027-03-08T09:50:00.000Z",
    ]);
    await deleteEvent(person.id, { eventId: id, occurrence: "2027-03-15T09:00" }, "this");
    expect(await dueFor(person.id, "2027-03-15T06:00:00Z", "2027-03-15T12:00:00Z")).toEqual([]);
  });

  it("an all-day event reminds before the start of that day in the person's zone", async () => {
    const person = await makeUser({ timeZone: "Pacific/Auckland" });
    await createEvent(
      person.id,
      event({ allDay: true, startLocal: "2027-01-10", endLocal: "2027-01-11", rrule: null, reminders: [60] }),
    );
    // Midnight of 10 January in Auckland (UTC+13 in summer) is 11:00Z on the 9th; an hour before, 10:00Z.
    expect(await dueFor(person.id, "2027-01-09T00:00:00Z", "2027-01-10T00:00:00Z")).toEqual([
      "2027-01-09T10:00:00.000Z",
    ]);
  });

  it("a scan starts where the last one did: a reminder already past when its event was made never fires", async () => {
    const person = await makeUser();
    const now = new Date();
    await markScanned(now);
    const start = new Date(Math.ceil((now.getTime() + 5 * 60_000) / 60_000) * 60_000);
    const wall = start.toISOString().slice(0, 16);
    const end = new Date(start.getTime() + 30 * 60_000).toISOString().slice(0, 16);
    // Made after the scan, with an hour-before reminder already 55 minutes past.
    await createEvent(
      person.id,
      event({ timeZone: "UTC", startLocal: wall, endLocal: end, rrule: null, reminders: [60] }),
    );
    const later = new Date(now.getTime() + 60_000);
    const due = await remindersDue(await scanStart(later), new Date(later.getTime() + 60_000), later);
    expect(due.filter((reminder) => reminder.userId === person.id)).toEqual([]);
  });

  it("after an outage the next scan covers it (a day at most): a missed reminder whose occurrence lasts is delivered", async () => {
    const person = await makeUser();
    const now = new Date();
    const start = new Date(Math.ceil((now.getTime() + 10 * 60_000) / 60_000) * 60_000);
    await createEvent(
      person.id,
      event({
        timeZone: "UTC",
        startLocal: start.toISOString().slice(0, 16),
        endLocal: new Date(start.getTime() + 30 * 60_000).toISOString().slice(0, 16),
        rrule: null,
        reminders: [40],
      }),
    );
    // No scan for 45 minutes (every ARES process was down): the 40-minute reminder came due meanwhile.
    await markScanned(new Date(now.getTime() - 45 * 60_000));
    const due = await remindersDue(await scanStart(now), new Date(now.getTime() + 60_000), now);
    expect(due.filter((reminder) => reminder.userId === person.id).map((reminder) => reminder.offsetMinutes)).toEqual([
      40,
    ]);

    await markScanned(new Date(now.getTime() - 3 * 24 * 3600_000));
    expect((await scanStart(now)).getTime()).toBe(now.getTime() - 24 * 3600_000);
  });

  it("an all-day reminder is not given again when the person changes zone", async () => {
    const person = await makeUser({ timeZone: "Europe/Berlin" });
    await createEvent(
      person.id,
      event({ allDay: true, startLocal: "2027-02-10", endLocal: "2027-02-11", rrule: null, reminders: [60] }),
    );
    const [berlin] = (
      await remindersDue(
        new Date("2027-02-09T00:00:00Z"),
        new Date("2027-02-10T00:00:00Z"),
        new Date("2027-02-09T00:00:00Z"),
      )
    ).filter((reminder) => reminder.userId === person.id);
    await prisma.user.update({ where: { id: person.id }, data: { timeZone: "America/New_York" } });
    const [newYork] = (
      await remindersDue(
        new Date("2027-02-09T00:00:00Z"),
        new Date("2027-02-10T12:00:00Z"),
        new Date("2027-02-09T00:00:00Z"),
      )
    ).filter((reminder) => reminder.userId === person.id);
    // Another instant (the day starts later in New York), the same reminder.
    expect(newYork!.at.getTime()).not.toBe(berlin!.at.getTime());
    expect(newYork!.dedupKey).toBe(berlin!.dedupKey);
  });

  it("delivers a reminder once however often it runs, and not once the event or the reminder is gone", async () => {
    const person = await makeUser({ timeZone: BERLIN });
    const { id } = await createEvent(person.id, event({ reminders: [10, 60], location: "Room 4" }));
    const [due] = await remindersDue(
      new Date("2027-03-22T07:00:00Z"),
      new Date("2027-03-22T07:55:00Z"),
      new Date("2027-03-22T07:00:00Z"),
    ).then((all) => all.filter((reminder) => reminder.userId === person.id));
    expect(due).toBeDefined();
    expect(await deliverReminder(due!)).toBe("delivered");
    expect(await deliverReminder(due!)).toBe("delivered");
    const notifications = await prisma.notification.findMany({ where: { userId: person.id } });
    expect(notifications).toHaveLength(1);
    expect(notifications[0]).toMatchObject({
      kind: "reminder",
      title: "Standup — starts in 10 minutes",
      body: "Monday 22 March, 09:00–09:30 · Room 4",
      link: `/calendar/events/${id}?occurrence=2027-03-22T09%3A00`,
    });
    // Delivered: the next scan (which looks back a day) leaves it out.
    expect(await dueFor(person.id, "2027-03-22T07:00:00Z", "2027-03-22T07:55:00Z")).toEqual([]);

    // The hour-before reminder was dropped from the event after being queued: nothing is delivered.
    const hourBefore = { ...due!, offsetMinutes: 60, dedupKey: due!.dedupKey.replace(/:10$/, ":60") };
    await prisma.event.update({ where: { id }, data: { reminders: [10] } });
    expect(await deliverReminder(hourBefore)).toBe("gone");
    await deleteEvent(person.id, { eventId: id }, "all");
    expect(await deliverReminder({ ...due!, dedupKey: `${due!.dedupKey}-again` })).toBe("gone");
    expect(await prisma.notification.count({ where: { userId: person.id } })).toBe(1);
  });

  it("another person's event is never delivered to someone else, even with a forged payload", async () => {
    const owner = await makeUser({ timeZone: BERLIN });
    const other = await makeUser({ timeZone: BERLIN });
    const { id } = await createEvent(owner.id, event());
    const forged = {
      userId: other.id,
      eventId: id,
      start: "2027-03-22T08:00:00Z",
      offsetMinutes: 10,
      dedupKey: `reminder:${id}:forged`,
    };
    expect(await deliverReminder(forged)).toBe("gone");
    expect(await prisma.notification.count({ where: { userId: other.id } })).toBe(0);
  });
});

describe("the morning briefing", () => {
  it("is due at the person's local time, for two hours, and once a day", async () => {
    const person = await makeUser({ timeZone: "America/New_York" });
    await saveNotificationPreferences(person.id, {
      briefingTime: "07:00",
      remindersOnTelegram: false,
      briefingOnTelegram: false,
    });
    const dueAt = async (instant: string) =>
      (await briefingsDue(new Date(instant))).filter((briefing) => briefing.userId === person.id);
    // 07:05 in New York in March 2027 (after the US change to UTC−4) is 11:05Z.
    expect(await dueAt("2027-03-15T11:05:00Z")).toEqual([{ userId: person.id, date: "2027-03-15" }]);
    expect(await dueAt("2027-03-15T10:55:00Z")).toEqual([]);
    expect(await dueAt("2027-03-15T13:30:00Z")).toEqual([]);

    await createEvent(
      person.id,
      event({
        title: "Dentist",
        timeZone: "America/New_York",
        startLocal: "2027-03-15T10:00",
        endLocal: "2027-03-15T10:30",
        rrule: null,
      }),
    );
    // No model is reachable from this process: the briefing still lists the day's events.
    expect(await deliverBriefing({ userId: person.id, date: "2027-03-15" })).toBe("delivered");
    expect(await deliverBriefing({ userId: person.id, date: "2027-03-15" })).toBe("already");
    expect(await dueAt("2027-03-15T11:05:00Z")).toEqual([]);

    const [notification] = await prisma.notification.findMany({ where: { userId: person.id } });
    expect(notification).toMatchObject({ kind: "briefing", title: "Your briefing for Monday 15 March" });
    expect(notification!.body).toContain("10:00–10:30 Dentist");
    const conversationId = notification!.link!.replace("/chat/", "");
    const messages = await prisma.message.findMany({ where: { conversationId } });
    expect(messages).toHaveLength(1);
    expect(messages[0]!.content).toContain("## Monday 15 March (America/New_York)");
    expect(messages[0]!.content).toContain("- 10:00–10:30 Dentist");
    expect(await prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } })).toMatchObject({
      title: "Briefings",
      userId: person.id,
      memoryEnabled: false,
    });
  });

  it("a late-evening briefing keeps its two hours past midnight, for the day it belongs to", async () => {
    const person = await makeUser({ timeZone: "Asia/Kolkata" });
    await saveNotificationPreferences(person.id, {
      briefingTime: "23:30",
      remindersOnTelegram: false,
      briefingOnTelegram: false,
    });
    const dueAt = async (instant: string) =>
      (await briefingsDue(new Date(instant))).filter((briefing) => briefing.userId === person.id);
    // 00:40 on 16 March in Kolkata (UTC+5:30) is 19:10Z on the 15th: the 15th's briefing, 70 minutes late.
    expect(await dueAt("2027-03-15T19:10:00Z")).toEqual([{ userId: person.id, date: "2027-03-15" }]);
    // 01:45 is past the two hours.
    expect(await dueAt("2027-03-15T20:15:00Z")).toEqual([]);
  });

  it("is keyed by the local date: a person who moves west after today's briefing is not briefed on that date again", async () => {
    const person = await makeUser({ timeZone: BERLIN });
    await saveNotificationPreferences(person.id, {
      briefingTime: "07:00",
      remindersOnTelegram: false,
      briefingOnTelegram: false,
    });
    const dueAt = async (instant: string) =>
      (await briefingsDue(new Date(instant))).filter((briefing) => briefing.userId === person.id);
    // 07:05 in Berlin on 15 June 2027 (UTC+2) is 05:05Z.
    expect(await dueAt("2027-06-15T05:05:00Z")).toEqual([{ userId: person.id, date: "2027-06-15" }]);
    expect(await deliverBriefing({ userId: person.id, date: "2027-06-15" })).toBe("delivered");

    // Moves at 08:00Z (04:00 in New York, UTC−4).
    await updateProfile(person.id, { timeZone: "America/New_York" }, new Date("2027-06-15T08:00:00Z"));
    // 07:05 in New York is 11:05Z, still 15 June there: already briefed on that date.
    expect(await dueAt("2027-06-15T11:05:00Z")).toEqual([]);
    // The next morning in New York is the 16th's briefing.
    expect(await dueAt("2027-06-16T11:05:00Z")).toEqual([{ userId: person.id, date: "2027-06-16" }]);
    expect(await prisma.notification.count({ where: { userId: person.id, kind: "briefing" } })).toBe(1);
  });

  it("moving west onto a date whose briefing time had passed in the old zone too sends no late briefing", async () => {
    const person = await makeUser({ timeZone: "Asia/Tokyo" });
    await saveNotificationPreferences(person.id, {
      briefingTime: "07:00",
      remindersOnTelegram: false,
      briefingOnTelegram: false,
    });
    const dueAt = async (instant: string) =>
      (await briefingsDue(new Date(instant))).filter((briefing) => briefing.userId === person.id);
    // 06:00 on the 16th in Tokyo (UTC+9) is 21:00Z on the 15th; the move makes it 17:00 on the 15th in
    // New York, whose 07:00 was ten hours ago (and 07:00 on the 15th in Tokyo long before that).
    await updateProfile(person.id, { timeZone: "America/New_York" }, new Date("2027-06-15T21:00:00Z"));
    expect(await dueAt("2027-06-15T21:01:00Z")).toEqual([]);
    // Nor at Tokyo's 07:00 on the 16th; New York's 07:00 is the 16th's briefing.
    expect(await dueAt("2027-06-15T22:05:00Z")).toEqual([]);
    expect(await dueAt("2027-06-16T11:05:00Z")).toEqual([{ userId: person.id, date: "2027-06-16" }]);
  });

  it("moving east over the briefing's time still sends that day's briefing, once", async () => {
    const person = await makeUser({ timeZone: "America/New_York" });
    await saveNotificationPreferences(person.id, {
      briefingTime: "07:00",
      remindersOnTelegram: false,
      briefingOnTelegram: false,
    });
    const dueAt = async (instant: string) =>
      (await briefingsDue(new Date(instant))).filter((briefing) => briefing.userId === person.id);
    // 06:00 in New York on 15 June 2027 (10:00Z): the move makes it 12:00 in Berlin, whose 07:00 was
    // five hours ago; in New York the briefing was still an hour away.
    expect(await dueAt("2027-06-15T10:00:00Z")).toEqual([]);
    await updateProfile(person.id, { timeZone: BERLIN }, new Date("2027-06-15T10:00:00Z"));
    expect(await dueAt("2027-06-15T10:01:00Z")).toEqual([{ userId: person.id, date: "2027-06-15" }]);
    expect(await deliverBriefing({ userId: person.id, date: "2027-06-15" })).toBe("delivered");
    // Not again at New York's 07:00, nor later that day; the next one is Berlin's 07:00 on the 16th.
    expect(await dueAt("2027-06-15T11:05:00Z")).toEqual([]);
    expect(await dueAt("2027-06-16T05:05:00Z")).toEqual([{ userId: person.id, date: "2027-06-16" }]);
    expect(await prisma.notification.count({ where: { userId: person.id, kind: "briefing" } })).toBe(1);
  });

  it("moving east onto the next date after today's briefing sends the next date's, once and not early", async () => {
    const person = await makeUser({ timeZone: "America/New_York" });
    await saveNotificationPreferences(person.id, {
      briefingTime: "07:00",
      remindersOnTelegram: false,
      briefingOnTelegram: false,
    });
    const dueAt = async (instant: string) =>
      (await briefingsDue(new Date(instant))).filter((briefing) => briefing.userId === person.id);
    expect(await dueAt("2027-06-15T11:05:00Z")).toEqual([{ userId: person.id, date: "2027-06-15" }]);
    expect(await deliverBriefing({ userId: person.id, date: "2027-06-15" })).toBe("delivered");
    // 23:00 on the 15th in New York (03:00Z on the 16th) is 12:00 on the 16th in Tokyo: 07:00 there
    // has passed, and the 16th's briefing was still ahead in New York.
    await updateProfile(person.id, { timeZone: "Asia/Tokyo" }, new Date("2027-06-16T03:00:00Z"));
    expect(await dueAt("2027-06-16T03:01:00Z")).toEqual([{ userId: person.id, date: "2027-06-16" }]);
    expect(await deliverBriefing({ userId: person.id, date: "2027-06-16" })).toBe("delivered");
    expect(await dueAt("2027-06-16T04:00:00Z")).toEqual([]);
    // New York's 07:00 on the 16th: had already.
    expect(await dueAt("2027-06-16T11:05:00Z")).toEqual([]);
    expect(await prisma.notification.count({ where: { userId: person.id, kind: "briefing" } })).toBe(2);

    // A move east that does not jump over a briefing time changes nothing: from Tokyo (16:00 on the
    // 16th, 07:00Z) to Auckland (19:00), the 17th's briefing comes at 07:00 Auckland time, not before.
    await updateProfile(person.id, { timeZone: "Pacific/Auckland" }, new Date("2027-06-16T07:00:00Z"));
    expect(await dueAt("2027-06-16T07:01:00Z")).toEqual([]);
    expect(await dueAt("2027-06-16T18:55:00Z")).toEqual([]);
    expect(await dueAt("2027-06-16T19:05:00Z")).toEqual([{ userId: person.id, date: "2027-06-17" }]);
  });

  it("is off until a time is picked", async () => {
    const person = await makeUser();
    expect((await briefingsDue(new Date())).some((briefing) => briefing.userId === person.id)).toBe(false);
  });
});
