import { formatDate } from "~/accounts/time-zone";
import { toJsonText } from "~/http/json-text";
import { SEARCH_LIMIT, type SearchHit, listOccurrences, searchEvents } from "./events.server";
import { feedCreatedAt } from "./feed.server";
import { Temporal, clampToCalendarYears, inCalendarYears, isWallDate, todayIn } from "./time";
import { PageLists, itemHtml } from "./occurrence-html.server";
import { buildModel, rangeTitle, searchItem } from "./view-model";
import { type CalendarView, viewRange, windowOf } from "./views";

/**
 * Everything /calendar shows for one view (or a search): a fixed number of statements whatever the
 * number of events — the window's events in one indexed query, the feed link's date in another.
 */
export async function calendarPage(
  user: { id: string; timeZone: string },
  query: { view: CalendarView; date?: string | undefined; q?: string | undefined },
) {
  const timeZone = user.timeZone;
  const today = todayIn(timeZone);
  const date = query.date && isWallDate(query.date) ? clampToCalendarYears(Temporal.PlainDate.from(query.date)) : today;
  const range = viewRange(query.view, date);
  // One more than shown: whether there are more than SEARCH_LIMIT.
  const found = query.q ? await searchEvents(user.id, query.q, SEARCH_LIMIT + 1) : null;
  const hits = found?.slice(0, SEARCH_LIMIT) ?? null;
  const view = hits
    ? null
    : buildModel(range, await listOccurrences(user.id, windowOf(range, timeZone), timeZone), timeZone, today);
  return {
    feedSince: await feedSinceOf(user.id, timeZone),
    timeZone,
    view: query.view,
    date: date.toString(),
    today: today.toString(),
    // None where the page already shows the first or last day events may have (the link would lead back
    // to it); an agenda near the edge pages to the edge itself.
    previous: inCalendarYears(range.first.subtract({ days: 1 }).year)
      ? clampToCalendarYears(range.previous).toString()
      : null,
    next: inCalendarYears(range.last.year) ? clampToCalendarYears(range.next).toString() : null,
    title: rangeTitle(range),
    // One string in the page data, not hundreds of values (see JsonText); its lists of items apart.
    model: view ? toJsonText(view.model) : null,
    // "limited": there are more than the hits shown (the latest SEARCH_LIMIT).
    search: query.q && hits && found ? { q: query.q, found: hits.length, limited: found.length > SEARCH_LIMIT } : null,
    /**
     * The HTML of the occurrences' lists, each named by its index (the search hits are list 0). The
     * calendar route keeps them out of a document's hydration data (markupOnly): the browser reads
     * them back from the document's markup.
     */
    lists: view ? view.lists : searchLists(hits ?? [], timeZone),
  };
}

/** A search's hits as one list: each event at its first start, a series says it repeats. */
function searchLists(hits: SearchHit[], timeZone: string): string[] {
  const page = new PageLists();
  let html = "";
  for (const hit of hits) {
    const item = searchItem({ ...hit, eventId: hit.id }, timeZone);
    html += itemHtml(item, {
      before: item.date,
      after: item.repeats ? "repeats" : undefined,
      discover: page.firstOf(item.eventId),
    });
  }
  page.add(html);
  return page.lists;
}

/** When the person's subscription link was made: the instant for <time datetime>, the day on their clock. */
async function feedSinceOf(userId: string, timeZone: string): Promise<{ at: string; day: string } | null> {
  const made = await feedCreatedAt(userId);
  return made ? { at: made.toISOString(), day: formatDate(made, timeZone) } : null;
}
