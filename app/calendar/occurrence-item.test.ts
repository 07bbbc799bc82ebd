import { describe, expect, it } from "vitest";
import { type OccurrenceItem, itemHref } from "./occurrence-item";

const base: OccurrenceItem = {
  eventId: "evt1",
  recurrenceId: "2026-06-15T08:00",
  title: "Stand-up",
  allDay: false,
  start: "2026-06-15T08:00:00+02:00",
  when: "08:00–08:15",
  repeats: true,
  isException: false,
};

describe("occurrence items as the views show them", () => {
  it("link to the series' occurrence by its original start, and to an edited occurrence's own row", () => {
    expect(itemHref(base)).toBe("/calendar/events/evt1?occurrence=2026-06-15T08%3A00");
    expect(itemHref({ ...base, eventId: "override1", isException: true })).toBe("/calendar/events/override1");
    expect(itemHref({ ...base, recurrenceId: "", repeats: false })).toBe("/calendar/events/evt1");
  });
});
