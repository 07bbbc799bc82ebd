import { describe, expect, it } from "vitest";
import { PageLists, itemHtml, placementStyle } from "./occurrence-html.server";
import type { OccurrenceItem } from "./occurrence-item";

const standUp: OccurrenceItem = {
  eventId: "evt1",
  recurrenceId: "2026-06-15T08:00",
  title: "Stand-up",
  allDay: false,
  start: "2026-06-15T08:00:00+02:00",
  when: "08:00–08:15",
  repeats: true,
  isException: false,
};

describe("occurrences as the views' HTML", () => {
  it("link to the occurrence and carry its start with the UTC offset in <time datetime>", () => {
    expect(itemHtml(standUp)).toBe(
      '<li><a href="/calendar/events/evt1?occurrence=2026-06-15T08%3A00" class="occurrence">' +
        '<time datetime="2026-06-15T08:00:00+02:00">08:00–08:15</time> <span dir="auto">Stand-up</span>' +
        '<span class="visually-hidden"> (repeating)</span></a></li>',
    );
  });

  it("escape what people typed, so a title or a place is text, never markup", () => {
    const html = itemHtml(
      { ...standUp, title: `<img src=x onerror="alert(1)"> & co`, repeats: false, recurrenceId: "" },
      { after: `Room "<b>1</b>"`, before: "Mon <15> Jun" },
    );
    expect(html).toBe(
      '<li><span class="muted">Mon &lt;15&gt; Jun</span> <a href="/calendar/events/evt1" class="occurrence">' +
        '<time datetime="2026-06-15T08:00:00+02:00">08:00–08:15</time> <span dir="auto">&lt;img src=x onerror="alert(1)"&gt; &amp; co</span></a>' +
        '<span class="muted"> · Room "&lt;b&gt;1&lt;/b&gt;"</span></li>',
    );
  });

  it("hide an all-day item's label only where the view is compact, and say a changed occurrence is one", () => {
    const allDay = { ...standUp, allDay: true, when: "All day", isException: true };
    expect(itemHtml(allDay, { compact: true })).toContain(
      'class="occurrence occurrence--all-day"><time datetime="2026-06-15T08:00:00+02:00" class="visually-hidden">All day</time>',
    );
    expect(itemHtml(allDay)).toContain('<time datetime="2026-06-15T08:00:00+02:00">All day</time>');
    expect(itemHtml(allDay)).toContain("(repeating, changed)");
  });

  it("mark a crowd's lanes by their number, and those too narrow for a printed day's usual type (over 24) as such", () => {
    expect(itemHtml(standUp, { crowded: 24 })).toMatch(/^<li data-crowded="24">/);
    expect(itemHtml(standUp, { crowded: 25 })).toMatch(/^<li data-crowded="28" data-crowded-print="narrow">/);
    expect(itemHtml(standUp, { crowded: 60 })).toMatch(/^<li data-crowded="many" data-crowded-print="narrow">/);
  });

  it("place a timed item by its style, and mark only each event's first occurrence for route discovery", () => {
    const page = new PageLists();
    const first = page.add(
      [standUp, { ...standUp, recurrenceId: "2026-06-16T08:00" }, { ...standUp, eventId: "evt2" }]
        .map((item) =>
          itemHtml(item, { discover: page.firstOf(item.eventId), place: { top: 480, height: 15, lane: 0, lanes: 1 } }),
        )
        .join(""),
    );
    const second = page.add(itemHtml(standUp, { discover: page.firstOf(standUp.eventId) }));
    expect([first, second]).toEqual([0, 1]);
    expect(page.lists[0]!.match(/data-discover="true"/g)).toHaveLength(2);
    expect(page.lists[0]).toMatch(/^<li style="--top:480;--height:15"><a href="[^"]+" data-discover="true"/);
    expect(page.lists[1]).not.toContain("data-discover");
  });

  it("write a placement as CSS variables, the lanes only where events overlap, and only numbers", () => {
    expect(placementStyle({ top: 540, height: 30, lane: 0, lanes: 1 })).toBe("--top:540;--height:30");
    expect(placementStyle({ top: 540, height: 30, lane: 1, lanes: 3 })).toBe(
      "--top:540;--height:30;--lane:1;--lanes:3",
    );
    expect(placementStyle({ top: Number.NaN, height: Infinity, lane: 0, lanes: 1 })).toBe("--top:0;--height:0");
  });
});
