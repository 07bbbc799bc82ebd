import { toJsonText } from "~/http/json-text";
import { listOccurrences, searchEvents } from "./events.server";
import { feedCreatedAt } from "./feed.server";
import { Temporal, isWallDate, todayIn } from "./time";
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
  const date = query.date && isWallDate(query.date) ? Temporal.PlainDate.from(query.date) : today;
  const range = viewRange(query.view, date);
  const search = query.q
    ? {
        q: query.q,
        results: (await searchEvents(user.id, query.q)).map((hit) => searchItem({ ...hit, eventId: hit.id }, timeZone)),
      }
    : null;
  const occurrences = search ? [] : await listOccurrences(user.id, windowOf(range, timeZone), timeZone);
  return {
    feedSince: (await feedCreatedAt(user.id))?.toISOString() ?? null,
    timeZone,
    view: query.view,
    date: date.toString(),
    today: today.toString(),
    previous: range.previous.toString(),
    next: range.next.toString(),
    title: rangeTitle(range),
    // One string in the page data, not hundreds of values (see JsonText).
    model: search ? null : toJsonText(buildModel(range, occurrences, timeZone, today)),
    search,
  };
}
