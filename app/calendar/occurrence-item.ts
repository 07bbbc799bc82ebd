// What the calendar page shows for one occurrence, kept to what the views show: a busy week has a
// hundred or more of them (made into HTML on the server, see occurrence-html.server.ts).

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
