import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigate } from "@remix-run/react";
import {
  createContext,
  type CSSProperties,
  type RefObject,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { z } from "zod";
import { requireUser } from "~/auth/guards.server";
import { ErrorPage } from "~/components/error-page";
import { type ImportReport, importEvents } from "~/calendar/events.server";
import { regenerateFeedToken, revokeFeedToken } from "~/calendar/feed.server";
import { calendarPage } from "~/calendar/page.server";
import { ICalendarError, MAX_IMPORT_BYTES, MAX_IMPORT_REQUEST_BYTES, fromICalendar } from "~/calendar/ical.server";
import { type OccurrenceItem, type PackedItem, itemHref, itemKey, unpackItem } from "~/calendar/occurrence-item";
import type { CalendarModel } from "~/calendar/view-model";
import { fromJsonText } from "~/http/json-text";
import { VIEWS, type CalendarView } from "~/calendar/views";
import calendarStylesheet from "~/styles/calendar.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: calendarStylesheet }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.title ?? "Calendar"} · Calendar · ARES` },
];

const querySchema = z.object({
  view: z.enum(VIEWS).catch("month"),
  date: z.string().optional().catch(undefined),
  q: z.string().trim().max(200).optional().catch(undefined),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const url = new URL(request.url);
  return calendarPage(user, querySchema.parse(Object.fromEntries(url.searchParams)));
}

type ActionResult =
  | { intent: "import"; report: ImportReport }
  | { intent: "import"; error: string }
  | { intent: "feed"; url: string | null };

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  if (Number(request.headers.get("content-length") ?? 0) > MAX_IMPORT_REQUEST_BYTES) {
    return data<ActionResult>(
      { intent: "import", error: "The file is too large: import at most 2 MB at a time." },
      { status: 413 },
    );
  }
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "feed-create") {
    const token = await regenerateFeedToken(user.id);
    return data<ActionResult>({ intent: "feed", url: `${new URL(request.url).origin}/calendar/feed/${token}.ics` });
  }
  if (intent === "feed-revoke") {
    await revokeFeedToken(user.id);
    return data<ActionResult>({ intent: "feed", url: null });
  }
  if (intent !== "import") return data<ActionResult>({ intent: "import", error: "Unknown action." }, { status: 400 });
  const file = form.get("file");
  if (!(file instanceof File) || file.size === 0) {
    return data<ActionResult>({ intent: "import", error: "Choose an .ics file to import." }, { status: 400 });
  }
  if (file.size > MAX_IMPORT_BYTES) {
    return data<ActionResult>(
      { intent: "import", error: "The file is too large: import at most 2 MB at a time." },
      { status: 413 },
    );
  }
  try {
    const parsed = fromICalendar(await file.text(), user.timeZone);
    return data<ActionResult>({ intent: "import", report: await importEvents(user.id, parsed) });
  } catch (error) {
    if (error instanceof ICalendarError) {
      return data<ActionResult>({ intent: "import", error: `Nothing was imported. ${error.message}` }, { status: 400 });
    }
    throw error;
  }
}

function ImportResult({ result }: { result: ActionResult | undefined }) {
  if (!result || result.intent !== "import") return null;
  if ("error" in result) {
    return (
      <p className="form-error" role="alert">
        {result.error}
      </p>
    );
  }
  const { created, updated, skipped } = result.report;
  return (
    <div className="notice" role="status">
      <p>{`Imported: ${created.length} created, ${updated.length} updated, ${skipped.length} skipped.`}</p>
      {skipped.length ? (
        <ul>
          {skipped.map((item, index) => (
            <li key={`${item.uid}-${index}`}>{`${item.title}: ${item.reason}`}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function Sharing({ feedSince, result }: { feedSince: string | null; result: ActionResult | undefined }) {
  const feedUrl = result?.intent === "feed" ? result.url : null;
  return (
    <details className="card calendar__sharing" open={Boolean(result)}>
      <summary>Import, export and subscribe</summary>
      <ImportResult result={result} />
      <Form method="post" action="/calendar?index" encType="multipart/form-data">
        <input type="hidden" name="intent" value="import" />
        <label htmlFor="ics-file">Import an .ics file (Google, Outlook, Apple…)</label>{" "}
        <input id="ics-file" type="file" name="file" accept=".ics,text/calendar" required />{" "}
        <button type="submit">Import</button>
      </Form>
      <p>
        <a href="/calendar/export.ics" download>
          Export all my events (.ics)
        </a>
      </p>
      <p>
        <Link to="/calendar/subscriptions">Subscribe to a calendar by its address (.ics, webcal://)</Link>
      </p>
      {feedUrl ? (
        <p className="notice" role="status">
          Your private feed link (shown once; anyone with it can read your calendar):{" "}
          <code className="feed-url">{feedUrl}</code>
        </p>
      ) : null}
      <p className="muted">
        {feedSince && !(result?.intent === "feed" && !result.url)
          ? `A private subscription link exists (made ${feedSince.slice(0, 10)}). A new link stops the old one.`
          : "No subscription link: other calendar apps cannot read your calendar."}
      </p>
      <Form method="post" action="/calendar?index" className="inline-form">
        <button type="submit" name="intent" value="feed-create" className="secondary">
          {feedSince ? "New subscription link" : "Create a subscription link"}
        </button>
        {feedSince ? (
          <button type="submit" name="intent" value="feed-revoke" className="secondary">
            Turn off the link
          </button>
        ) : null}
      </Form>
    </details>
  );
}

function href(view: CalendarView, date: string) {
  return `/calendar?view=${view}&date=${date}`;
}

/**
 * The occurrences that carry data-discover: one per event in the view. Remix looks a route up per
 * address, and an event's address is the same for all its occurrences; one per day left a click on any
 * other event waiting on a route lookup. Worked out from the page data, so server and browser agree.
 */
const DiscoveredOccurrences = createContext<ReadonlySet<string>>(new Set());

function firstOfEachEvent(items: Iterable<Pick<OccurrenceItem, "eventId" | "recurrenceId">>): Set<string> {
  const events = new Set<string>();
  const keys = new Set<string>();
  for (const item of items) {
    if (events.has(item.eventId)) continue;
    events.add(item.eventId);
    keys.add(itemKey(item));
  }
  return keys;
}

function* packedInView(model: CalendarModel): Generator<{ eventId: string; recurrenceId: string }> {
  const lists =
    model.view === "month"
      ? model.weeks.flatMap((week) => week.days.map((day) => day.items))
      : model.view === "agenda"
        ? model.days.map((day) => day.items)
        : model.days.flatMap((day) => [day.allDay, day.timed]);
  for (const list of lists) for (const [eventId, recurrenceId] of list) yield { eventId, recurrenceId };
}

/**
 * A plain anchor, not a <Link>: a busy week has a hundred or more of these, and a <Link> costs far more
 * to render. With JS, useOccurrenceNavigation gives them <Link>'s client-side navigation.
 */
function OccurrenceLink({ item, compact = false }: { item: OccurrenceItem; compact?: boolean }) {
  const discover = useContext(DiscoveredOccurrences).has(itemKey(item));
  return (
    <a
      href={itemHref(item)}
      data-discover={discover ? "true" : undefined}
      className={item.allDay ? "occurrence occurrence--all-day" : "occurrence"}
    >
      <time dateTime={item.start} className={compact && item.allDay ? "visually-hidden" : undefined}>
        {item.when}
      </time>
      {/* One text node: separate ones would be rendered with a comment between them. */}
      {` ${item.title}`}
      {item.repeats ? (
        <span className="visually-hidden">{item.isException ? " (repeating, changed)" : " (repeating)"}</span>
      ) : null}
    </a>
  );
}

/** A day's list of packed items (see PackedItem), each in its <li>. */
function Items({ items, compact = false }: { items: PackedItem[]; compact?: boolean }) {
  return items.map((packed) => {
    const item = unpackItem(packed);
    return (
      <li key={itemKey(item)}>
        <OccurrenceLink item={item} compact={compact} />
      </li>
    );
  });
}

/**
 * With JS, a plain click on an occurrence link (or a month cell's "+N more") navigates in the page, as
 * a <Link> would.
 */
function useOccurrenceNavigation(container: RefObject<HTMLElement | null>) {
  const navigate = useNavigate();
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const onClick = (event: MouseEvent) => {
      if (event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.altKey || event.ctrlKey || event.shiftKey) return;
      const link = event.target instanceof Element ? event.target.closest("a.occurrence, a.month-cell__more") : null;
      if (!(link instanceof HTMLAnchorElement) || link.origin !== window.location.origin) return;
      event.preventDefault();
      navigate(`${link.pathname}${link.search}`);
    };
    element.addEventListener("click", onClick);
    return () => element.removeEventListener("click", onClick);
  }, [container, navigate]);
}

function MonthGrid({ model }: { model: Extract<CalendarModel, { view: "month" }> }) {
  return (
    <table className="month-grid">
      <thead>
        <tr>
          <th scope="col" className="week-number">
            <abbr title="ISO week">Wk</abbr>
          </th>
          {["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map((day) => (
            <th key={day} scope="col">
              {day}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {model.weeks.map((week) => (
          <tr key={week.days[0]!.date}>
            <th scope="row" className="week-number">
              <Link to={href("week", week.days[0]!.date)} aria-label={`Week ${week.week}`}>
                {week.week}
              </Link>
            </th>
            {week.days.map((day) => (
              <td
                key={day.date}
                className={`month-cell${day.inMonth ? "" : " month-cell--outside"}${day.isToday ? " today" : ""}`}
                aria-current={day.isToday ? "date" : undefined}
              >
                <Link to={href("day", day.date)} className="month-cell__date" aria-label={day.label}>
                  {Number(day.date.slice(8))}
                </Link>
                {day.items.length ? (
                  <ul>
                    <Items items={day.items} compact />
                  </ul>
                ) : null}
                {day.more ? (
                  // A plain anchor, as OccurrenceLink is: a crowded month has one in every cell, and the
                  // cell's date already is a <Link> to the same day (which carries data-discover).
                  <a href={href("day", day.date)} className="month-cell__more">
                    {`+${day.more} more`}
                  </a>
                ) : null}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * An event's place in its day column as CSS variables (four numbers from DayColumn.places); lane and
 * lanes only where events overlap (the stylesheet defaults them to one lane), as most events have a
 * column to themselves.
 */
function placement(places: number[], index: number): CSSProperties {
  const at = index * 4;
  const [top, height, lane, lanes] = [places[at], places[at + 1], places[at + 2], places[at + 3]];
  return lanes !== undefined && lanes > 1
    ? ({ "--top": top, "--height": height, "--lane": lane, "--lanes": lanes } as CSSProperties)
    : ({ "--top": top, "--height": height } as CSSProperties);
}

/** A day column's timed events, each placed by its CSS variables. */
function TimedItems({ day }: { day: Extract<CalendarModel, { view: "week" | "day" }>["days"][number] }) {
  return day.timed.map((packed, index) => {
    const item = unpackItem(packed);
    return (
      <li key={itemKey(item)} style={placement(day.places, index)}>
        <OccurrenceLink item={item} />
      </li>
    );
  });
}

function TimeGrid({ model }: { model: Extract<CalendarModel, { view: "week" | "day" }> }) {
  const hours = Array.from({ length: 24 }, (_, hour) => hour);
  return (
    <div className={`time-grid time-grid--${model.view}`} style={{ ["--days" as string]: model.days.length }}>
      <div className="time-grid__head">
        <span className="time-grid__corner">
          <abbr title="ISO week">Wk</abbr> {model.week}
        </span>
        {model.days.map((day) => (
          <Link
            key={day.date}
            to={href("day", day.date)}
            className={`time-grid__day-name${day.isToday ? " today" : ""}`}
            aria-current={day.isToday ? "date" : undefined}
          >
            {day.label}
          </Link>
        ))}
      </div>
      <div className="time-grid__all-day">
        <span className="time-grid__corner">All day</span>
        {model.days.map((day) => (
          <ul key={day.date} aria-label={`All day, ${day.label}`}>
            <Items items={day.allDay} compact />
          </ul>
        ))}
      </div>
      <div className="time-grid__body">
        <ol className="time-grid__hours" aria-hidden="true">
          {hours.map((hour) => (
            <li key={hour}>{`${String(hour).padStart(2, "0")}:00`}</li>
          ))}
        </ol>
        {model.days.map((day) => (
          <ul key={day.date} className={`time-grid__column${day.isToday ? " today" : ""}`} aria-label={day.label}>
            <TimedItems day={day} />
          </ul>
        ))}
      </div>
    </div>
  );
}

function Agenda({ model }: { model: Extract<CalendarModel, { view: "agenda" }> }) {
  if (!model.days.length) return <p className="muted">Nothing planned in these 30 days.</p>;
  return (
    <ol className="agenda">
      {model.days.map((day) => (
        <li
          key={day.date}
          className={day.isToday ? "today" : undefined}
          aria-current={day.isToday ? "date" : undefined}
        >
          <h3>
            <Link to={href("day", day.date)}>{day.label}</Link>
          </h3>
          <ul>
            {day.items.map((packed) => {
              const item = unpackItem(packed);
              return (
                <li key={itemKey(item)}>
                  <OccurrenceLink item={item} />
                  {item.location ? <span className="muted"> · {item.location}</span> : null}
                </li>
              );
            })}
          </ul>
        </li>
      ))}
    </ol>
  );
}

/** With JS, suggests the browser's zone when it differs from the profile's. */
function ZoneSuggestion({ timeZone }: { timeZone: string }) {
  const [browserZone, setBrowserZone] = useState<string | null>(null);
  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && zone !== timeZone) setBrowserZone(zone);
  }, [timeZone]);
  if (!browserZone) return null;
  return (
    <p className="notice" role="status">
      This browser is in {browserZone.replaceAll("_", " ")}. <Link to="/settings/profile">Change your time zone</Link>{" "}
      to see times there.
    </p>
  );
}

export default function Calendar() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const container = useRef<HTMLDivElement>(null);
  useOccurrenceNavigation(container);
  const model = useMemo(() => (data.model === null ? null : fromJsonText(data.model)), [data.model]);
  const discovered = useMemo(
    () => firstOfEachEvent(data.search ? data.search.results : model ? packedInView(model) : []),
    [data.search, model],
  );
  return (
    <DiscoveredOccurrences.Provider value={discovered}>
      <div className="calendar" ref={container}>
        <header className="calendar__header">
          <h1>{data.search ? "Search events" : data.title}</h1>
          <nav aria-label="Calendar views" className="calendar__views">
            <ul>
              {VIEWS.map((view) => (
                <li key={view}>
                  <Link
                    to={href(view, data.date)}
                    aria-current={!data.search && view === data.view ? "page" : undefined}
                  >
                    {view[0]!.toUpperCase() + view.slice(1)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <nav aria-label="Dates" className="calendar__pager">
            <Link to={href(data.view, data.previous)} rel="prev">
              ← Previous
            </Link>
            <Link to={href(data.view, data.today)}>Today</Link>
            <Link to={href(data.view, data.next)} rel="next">
              Next →
            </Link>
          </nav>
          <div className="calendar__tools">
            <Link to={`/calendar/new?date=${data.date}`} className="button">
              New event
            </Link>
            <Form method="get" action="/calendar" role="search" className="calendar__search">
              <label htmlFor="calendar-search" className="visually-hidden">
                Search my events
              </label>
              <input
                id="calendar-search"
                type="search"
                name="q"
                placeholder="Search events…"
                defaultValue={data.search?.q ?? ""}
              />
              <input type="hidden" name="view" value={data.view} />
              <input type="hidden" name="date" value={data.date} />
              <button type="submit" className="secondary">
                Search
              </button>
            </Form>
          </div>
          <p className="muted calendar__zone">
            Times in {data.timeZone.replaceAll("_", " ")} (<Link to="/settings/profile">change</Link>).
          </p>
          <ZoneSuggestion timeZone={data.timeZone} />
        </header>
        {data.search ? (
          <section aria-label="Search results">
            <p>
              {data.search.results.length === 0
                ? `No events match “${data.search.q}”.`
                : `${data.search.results.length === 50 ? "The 50 latest" : data.search.results.length} event${data.search.results.length === 1 ? "" : "s"} match “${data.search.q}”.`}{" "}
              <Link to={href(data.view, data.date)}>Back to the calendar</Link>
            </p>
            <ul className="search-results">
              {data.search.results.map((item) => (
                <li key={itemKey(item)}>
                  <span className="muted">{item.date}</span> <OccurrenceLink item={item} />
                  {item.repeats ? <span className="muted"> · repeats</span> : null}
                </li>
              ))}
            </ul>
          </section>
        ) : model?.view === "month" ? (
          <MonthGrid model={model} />
        ) : model?.view === "agenda" ? (
          <Agenda model={model} />
        ) : model ? (
          <TimeGrid model={model} />
        ) : null}
        <Sharing feedSince={data.feedSince} result={result} />
      </div>
    </DiscoveredOccurrences.Provider>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
