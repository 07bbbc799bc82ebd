import { describe, expect, it } from "vitest";
import { timedOccurrence } from "../../tests/support/occurrences";
import type { Occurrence } from "./occurrences";
import { Temporal } from "./time";
import { buildModel } from "./view-model";
import { viewRange } from "./views";

const ZONE = "Europe/Berlin";

const at = (start: string, end: string, title: string) => timedOccurrence(start, end, title, ZONE);

/** A week's day column as a reader meets it: each item's event title, or the crowd link's words. */
function columnOrder(occurrences: Occurrence[], date: string): string[] {
  const { model, lists } = buildModel(
    viewRange("week", Temporal.PlainDate.from(date)),
    occurrences,
    ZONE,
    Temporal.PlainDate.from("2026-03-01"),
  );
  if (model.view !== "week") throw new Error("not a week");
  const column = model.days.find((day) => day.date === date)!;
  const html = column.timed === null ? "" : lists[column.timed]!;
  return [...html.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map(([, inner]) => {
    const crowd = /class="visually-hidden">([^<]*)</.exec(inner!);
    return crowd
      ? `crowd: ${crowd[1]!.trim()}`
      : ["Breakfast", "Standup", "Review", "Call", "Lunch", "Trip", "Late"]
          .filter((title) => inner!.includes(title))
          .join();
  });
}

describe("a week's day column on a phone", () => {
  it("reads a crowd's link, with when it is, just before its events, not after the whole day", () => {
    const order = columnOrder(
      [
        at("2026-03-04T08:00", "2026-03-04T09:00", "Breakfast"),
        at("2026-03-04T10:00", "2026-03-04T11:00", "Standup"),
        at("2026-03-04T10:00", "2026-03-04T11:00", "Review"),
        at("2026-03-04T10:00", "2026-03-04T10:30", "Call"),
        at("2026-03-04T12:00", "2026-03-04T13:00", "Lunch"),
      ],
      "2026-03-04",
    );
    expect(order[0]).toBe("Breakfast");
    expect(order[1]).toBe("crowd: events, 10:00–11:00: see them in the day view");
    expect(order.slice(2, 5).sort()).toEqual(["Call", "Review", "Standup"]);
    expect(order[5]).toBe("Lunch");
  });

  it("says a crowd ending at midnight ends at 00:00, as its events' own times do, not at 24:00", () => {
    const order = columnOrder(
      [at("2026-03-04T22:00", "2026-03-05T00:00", "Late"), at("2026-03-04T22:30", "2026-03-05T00:00", "Call")],
      "2026-03-04",
    );
    expect(order[0]).toBe("crowd: events, 22:00–00:00: see them in the day view");
    const { model, lists } = buildModel(
      viewRange("week", Temporal.PlainDate.from("2026-03-04")),
      [at("2026-03-04T22:00", "2026-03-05T00:00", "Late")],
      ZONE,
      Temporal.PlainDate.from("2026-03-01"),
    );
    if (model.view !== "week") throw new Error("not a week");
    expect(lists[model.days[2]!.timed]).toContain("22:00–00:00");
  });

  it("says a crowd that fills the day (events over several days) is all day, not at 00:00", () => {
    const order = columnOrder(
      [at("2026-03-03T18:00", "2026-03-06T12:00", "Trip"), at("2026-03-04T00:00", "2026-03-05T00:00", "Late")],
      "2026-03-04",
    );
    expect(order[0]).toBe("crowd: events, all day: see them in the day view");
  });
});

describe("the day view's column", () => {
  it("gives events at the same time a link to the agenda from that day, at the first one's row, just before them", () => {
    const occurrences = [
      at("2026-03-04T08:00", "2026-03-04T09:00", "Breakfast"),
      at("2026-03-04T10:00", "2026-03-04T11:00", "Standup"),
      at("2026-03-04T10:00", "2026-03-04T11:00", "Review"),
    ];
    const today = Temporal.PlainDate.from("2026-03-01");
    const { model, lists } = buildModel(
      viewRange("day", Temporal.PlainDate.from("2026-03-04")),
      occurrences,
      ZONE,
      today,
    );
    if (model.view !== "day") throw new Error("not a day");
    const html = lists[model.days[0]!.timed]!;
    // The stylesheet shows the link in place of the lanes only where the column is too narrow for them.
    const row = `at-2026-03-04-Standup-${Date.UTC(2026, 2, 4, 9)}`;
    expect(html).toContain(
      `<a href="/calendar?view=agenda&amp;date=2026-03-04#${row}" class="time-grid__more">2<span class="visually-hidden"> events, 10:00–11:00: see them in the agenda</span></a>`,
    );
    // The agenda from that day has the row, the crowd's first: its link opens there, without JS too.
    const agenda = buildModel(viewRange("agenda", Temporal.PlainDate.from("2026-03-04")), occurrences, ZONE, today);
    if (agenda.model.view !== "agenda") throw new Error("not the agenda");
    const rows = agenda.lists[agenda.model.days[0]!.items]!;
    expect(rows).toContain(`<li id="${row}">`);
    expect(rows.indexOf(row)).toBeLessThan(rows.indexOf("Review"));
    expect(rows.indexOf(row)).toBeGreaterThan(rows.indexOf("Breakfast"));
    expect(html.indexOf("time-grid__more")).toBeGreaterThan(html.indexOf(">Breakfast<"));
    expect(html.indexOf("time-grid__more")).toBeLessThan(html.indexOf(">Standup<"));
    expect(html.match(/data-crowded="2"/g)).toHaveLength(2);
  });
});
