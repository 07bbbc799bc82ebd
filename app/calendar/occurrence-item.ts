// What the calendar page renders for one occurrence (the loader's output, serialised into the page
// for hydration). Shared by the server (which builds items) and the page (which renders them), and
// kept to what the views show: a busy week sends a hundred or more of them.

export type OccurrenceItem = {
  /** The row to open (the series for a generated occurrence). */
  eventId: string;
  /** Which occurrence of a series (its original wall-clock start); "" for a one-off event. */
  recurrenceId: string;
  title: string;
  allDay: boolean;
  /** ISO 8601 with offset, for <time datetime>. */
  start: string;
  /** "09:00–09:30" or "All day" in the viewer's zone; for multi-day spans the dates too. */
  when: string;
  repeats: boolean;
  isException: boolean;
  /** Only where it is shown (the agenda). */
  location?: string;
};

/**
 * An item as the views' page data carries it: a tuple, not an object. The page data writes every
 * object's keys again for each item (about 150 bytes of a busy week's items, each), and parsing,
 * compressing and sending them was much of what a crowded view cost over an empty one.
 */
export type PackedItem =
  | [eventId: string, recurrenceId: string, title: string, start: string, when: string, flags: number]
  | [
      eventId: string,
      recurrenceId: string,
      title: string,
      start: string,
      when: string,
      flags: number,
      location: string,
    ];

const ALL_DAY = 1;
const REPEATS = 2;
const EXCEPTION = 4;

export function packItem(item: OccurrenceItem): PackedItem {
  const flags = (item.allDay ? ALL_DAY : 0) | (item.repeats ? REPEATS : 0) | (item.isException ? EXCEPTION : 0);
  const core = [item.eventId, item.recurrenceId, item.title, item.start, item.when, flags] as const;
  return item.location === undefined ? [...core] : [...core, item.location];
}

export function unpackItem(packed: PackedItem): OccurrenceItem {
  const [eventId, recurrenceId, title, start, when, flags, location] = packed;
  const item: OccurrenceItem = {
    eventId,
    recurrenceId,
    title,
    allDay: (flags & ALL_DAY) !== 0,
    start,
    when,
    repeats: (flags & REPEATS) !== 0,
    isException: (flags & EXCEPTION) !== 0,
  };
  if (location !== undefined) item.location = location;
  return item;
}

/** React's key for an item: an occurrence is its event and its place in the series. */
export function itemKey(item: Pick<OccurrenceItem, "eventId" | "recurrenceId">): string {
  return `${item.eventId}:${item.recurrenceId}`;
}

/** The page of one occurrence: a series' generated occurrence is addressed by its original start. */
export function occurrenceHref(o: {
  eventId: string;
  seriesId: string | null;
  isException: boolean;
  recurrenceId: string | null;
}): string {
  if (o.seriesId && !o.isException && o.recurrenceId) {
    return `/calendar/events/${o.eventId}?occurrence=${encodeURIComponent(o.recurrenceId)}`;
  }
  return `/calendar/events/${o.eventId}`;
}

export function itemHref(item: Pick<OccurrenceItem, "eventId" | "recurrenceId" | "repeats" | "isException">): string {
  return occurrenceHref({
    eventId: item.eventId,
    seriesId: item.repeats ? "series" : null,
    isException: item.isException,
    recurrenceId: item.recurrenceId || null,
  });
}
