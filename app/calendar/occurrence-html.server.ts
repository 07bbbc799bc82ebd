import { escapeAttribute, escapeText } from "entities";
import { type OccurrenceItem, itemHref } from "./occurrence-item";

// The views' occurrences as HTML, made once on the server: a busy view has a hundred or more, and
// React's render of each (five elements, a style object) was much of what a crowded view cost over an
// empty one. The page shows these strings as they are (see the calendar route), and a document's own
// markup is where the browser reads them back at hydration, so they never travel twice. They are escaped
// as the HTML standard serialises a document (entities' escapeText/escapeAttribute), so what the browser's
// innerHTML gives back is the same string: React then leaves the list alone when the page's data reloads
// (escape-html's &#39; and &quot; in text differed, and React rewrote a list whose titles held quotes).

export type ItemHtmlOptions = {
  /** The month grid and the all-day row: an all-day item's "All day" is for screen readers only. */
  compact?: boolean;
  /** The first occurrence of each event in the page: Remix looks its route up ahead of a click. */
  discover?: boolean;
  /** A timed item's place in its day column, written as the <li>'s CSS variables (see placementStyle). */
  place?: Placement;
  /**
   * A week's timed item among others at the same time, the number of lanes they share: a day column too
   * narrow for that many lanes of 24 px hides it and shows the crowd's link to the day instead (crowdHtml,
   * calendar.css's container queries).
   */
  crowded?: number;
  /** The <li>'s id: an agenda row's, where a crowd's link in the day view leads (agendaRowId). */
  id?: string;
  /** Shown after the link (the agenda's location, a search hit's "repeats"). */
  after?: string;
  /** Shown before the link (a search hit's date). */
  before?: string;
};

/** An event's place in its day column: minutes from midnight to its top, its height in minutes, its lane. */
export type Placement = { top: number; height: number; lane: number; lanes: number };

/**
 * A placement as CSS variables, made here from numbers so that nothing but numbers reaches the style
 * attribute. Lane and lanes only where events overlap (the stylesheet defaults them to one lane), as
 * most events have a column to themselves.
 */
export function placementStyle(place: Placement): string {
  const number = (value: number) => (Number.isFinite(value) ? String(value) : "0");
  const style = `--top:${number(place.top)};--height:${number(place.height)}`;
  return place.lanes > 1 ? `${style};--lane:${number(place.lane)};--lanes:${number(place.lanes)}` : style;
}

/** One occurrence in its <li>: a link to it, its start in <time datetime> with the UTC offset. */
export function itemHtml(item: OccurrenceItem, options: ItemHtmlOptions = {}): string {
  const hidden = options.compact && item.allDay ? ' class="visually-hidden"' : "";
  const repeating = item.repeats
    ? `<span class="visually-hidden">${item.isException ? " (repeating, changed)" : " (repeating)"}</span>`
    : "";
  return (
    `<li${options.id ? ` id="${escapeAttribute(options.id)}"` : ""}${options.crowded ? crowdedAttributes(options.crowded) : ""}${options.place ? ` style="${placementStyle(options.place)}"` : ""}>` +
    (options.before ? `<span class="muted">${escapeText(options.before)}</span> ` : "") +
    `<a href="${escapeAttribute(itemHref(item))}"${options.discover ? ' data-discover="true"' : ""}` +
    ` class="${item.allDay ? "occurrence occurrence--all-day" : "occurrence"}">` +
    `<time datetime="${escapeAttribute(item.start)}"${hidden}>${escapeText(item.when)}</time> <span dir="auto">${escapeText(item.title)}</span>` +
    `${repeating}</a>` +
    (options.after ? `<span class="muted"> · ${escapeText(options.after)}</span>` : "") +
    "</li>"
  );
}

/**
 * The lists of one page's occurrences, by index (the page's structure names a list by its index), and
 * which events already have an occurrence carrying data-discover: one per event is enough, as an
 * event's address is the same for all its occurrences.
 */
export class PageLists {
  readonly lists: string[] = [];
  private readonly discovered = new Set<string>();

  /** Adds a list's joined items and returns its index. */
  add(html: string): number {
    return this.lists.push(html) - 1;
  }

  /** True for the first occurrence of an event asked about. */
  firstOf(eventId: string): boolean {
    if (this.discovered.has(eventId)) return false;
    this.discovered.add(eventId);
    return true;
  }
}

/**
 * Crowds of up to 12 lanes are weighed one by one (a week's column of a phone or laptop); more, up to
 * MOST_LANES_WEIGHED, by fours ("16" is 13–16 lanes, shown as lanes only where 16 fit): a 1280 px day view's
 * column has room for about 40 lanes of 26 px. A crowd of more is always shown as its link ("many").
 */
const LANES_WEIGHED_ONE_BY_ONE = 12;
const MOST_LANES_WEIGHED = 48;

/** The lanes a crowd shares, as calendar.css's container queries name them: "2" … "12", "16" … "48", or "many". */
function lanesBucket(lanes: number): string {
  if (lanes > MOST_LANES_WEIGHED || !Number.isFinite(lanes)) return "many";
  if (lanes > LANES_WEIGHED_ONE_BY_ONE) return String(Math.ceil(lanes / 4) * 4);
  return String(Math.max(2, Math.floor(lanes)));
}

/**
 * More lanes than a printed day column (about 650 px) holds at the usual type: calendar.css prints these
 * in small type without their times, as it prints every lane of a week.
 */
const MOST_LANES_PRINTED_AS_USUAL = 24;

/** An event's lanes as calendar.css reads them: on screen by bucket, on paper narrow or not. */
function crowdedAttributes(lanes: number): string {
  const narrowOnPaper = !(lanes <= MOST_LANES_PRINTED_AS_USUAL);
  return ` data-crowded="${lanesBucket(lanes)}"${narrowOnPaper ? ' data-crowded-print="narrow"' : ""}`;
}

/**
 * An agenda row's id: the day it is listed under and the occurrence (an event over several days has a row
 * on each). A crowd's link in the day view names its first event's, so the agenda opens at the crowd.
 */
export const agendaRowId = (date: string, occurrence: { eventId: string; startMs: number }) =>
  `at-${date}-${occurrence.eventId}-${occurrence.startMs}`;

/** Where a crowd's link leads: a week's to the day view, a day's to the agenda from that day. */
export type CrowdTarget = { href: string; to: "day view" | "agenda" };

/**
 * In a day column, in place of events at the same time: "3", a link to where each has room (`target`: the
 * day view from a week, the agenda from the day view). Shown only where the column is too narrow for
 * their `lanes` lanes to be 24 px wide tap targets (WCAG 2.5.8; calendar.css asks the column's own width,
 * not the screen's: a laptop zoomed to 200 % has a desktop's layout with phone-wide columns). `span` says
 * when ("09:00–11:00", "all day").
 */
export function crowdHtml(
  crowd: { size: number; top: number; bottom: number },
  lanes: number,
  target: CrowdTarget,
  span: string,
): string {
  const place = placementStyle({ top: crowd.top, height: crowd.bottom - crowd.top, lane: 0, lanes: 1 });
  return (
    `<li class="time-grid__crowd" data-crowd="${lanesBucket(lanes)}" style="${place}">` +
    `<a href="${escapeAttribute(target.href)}" class="time-grid__more">` +
    // The count alone is shown: "events" does not fit a phone's day column of the week.
    `${crowd.size}<span class="visually-hidden"> events, ${escapeText(span)}: see them in the ${target.to}</span></a></li>`
  );
}
