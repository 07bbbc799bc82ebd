// What the calendar page renders for one occurrence (the loader's output, serialised into the page
// for hydration). Shared by the server (which builds items) and the page (which renders them), and
// kept to what the views show: a busy week sends a hundred of them.

export type OccurrenceItem = {
  /** `${eventId}:${recurrenceId}` (recurrenceId empty for a one-off event): the React key and the link. */
  key: string;
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

export function itemHref(item: Pick<OccurrenceItem, "key" | "repeats" | "isException">): string {
  const colon = item.key.indexOf(":");
  const recurrenceId = item.key.slice(colon + 1);
  return occurrenceHref({
    eventId: item.key.slice(0, colon),
    seriesId: item.repeats ? "series" : null,
    isException: item.isException,
    recurrenceId: recurrenceId || null,
  });
}
