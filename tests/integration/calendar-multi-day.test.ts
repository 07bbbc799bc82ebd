/**
 * An event longer than a day, as the day lists (morning briefing, Telegram /today) and the calendar's
 * agenda show it on the days it covers: where it starts and ends, not as a short event on each day.
 * The QA pass's case: 01:30 UTC on 1 Dec 2026 to 01:45 UTC on 4 Dec, daily, three times; Europe/Berlin.
 */
import { describe, expect, it } from "vitest";
import { dayOf } from "~/calendar/agenda.server";
import { createEvent, listOccurrences } from "~/calendar/events.server";
import { Temporal } from "~/calendar/time";
import { buildModel } from "~/calendar/view-model";
import { makeUser } from "../support/accounts";

const ZONE = "Europe/Berlin";

async function personWithLongSeries() {
  const user = await makeUser({ timeZone: ZONE });
  await createEvent(user.id, {
    title: "overlap",
    description: "",
    location: "",
    allDay: false,
    startLocal: "2026-12-01T01:30",
    endLocal: "2026-12-04T01:45",
    timeZone: "UTC",
    rrule: "FREQ=DAILY;COUNT=3",
    reminders: [],
  });
  return user;
}

describe("events over several days", () => {
  it("the briefing's day says where each one starts and ends, not 02:30–02:45 three times", async () => {
    const user = await personWithLongSeries();
    const day = await dayOf(user.id, Temporal.PlainDate.from("2026-12-03"));
    expect(day?.lines).toEqual([
      "all day (continues from Tue 1 Dec 02:30 until Fri 4 Dec 02:45) overlap",
      "all day (continues from Wed 2 Dec 02:30 until Sat 5 Dec 02:45) overlap",
      "from 02:30 (continues until Sun 6 Dec 02:45) overlap",
    ]);
    const last = await dayOf(user.id, Temporal.PlainDate.from("2026-12-06"));
    expect(last?.lines).toEqual(["until 02:45 (continues from Thu 3 Dec 02:30) overlap"]);
  });

  it("the agenda says an event listed under a later day continues from its start", async () => {
    const user = await personWithLongSeries();
    const first = Temporal.PlainDate.from("2026-12-01");
    const range = {
      view: "agenda" as const,
      date: first,
      first,
      last: first.add({ days: 7 }),
      previous: first,
      next: first,
    };
    const window = {
      start: first.toZonedDateTime(ZONE).toInstant(),
      end: range.last.toZonedDateTime(ZONE).toInstant(),
    };
    const occurrences = await listOccurrences(user.id, window, ZONE);
    const { model, lists } = buildModel(range, occurrences, ZONE, first);
    if (model.view !== "agenda") throw new Error("not the agenda");
    const thursday = model.days.find((day) => day.date === "2026-12-03")!;
    const html = lists[thursday.items]!;
    expect(html).toContain("Continues: from Tue 1 Dec 02:30 until Fri 4 Dec 02:45");
    expect(html).toContain("Continues: from Wed 2 Dec 02:30 until Sat 5 Dec 02:45");
    // Under its own first day, it starts there.
    expect(html).toContain("02:30 – Sun 6 Dec 02:45");
    expect(html).not.toContain("Continues: from Thu 3 Dec");
  });
});
