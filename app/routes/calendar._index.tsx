import type {
  ActionFunctionArgs,
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useFormAction,
  useLoaderData,
  useNavigate,
  useSearchParams,
} from "@remix-run/react";
import { type RefObject, useEffect, useMemo, useRef, useState } from "react";
import { z } from "zod";
import { requireUser } from "~/auth/guards.server";
import { ErrorPage } from "~/components/error-page";
import { OneTimeNotice } from "~/components/one-time-notice";
import { CopyTextButton } from "~/components/copy-button";
import { ImportContendedError, ImportFailedError } from "~/calendar/events.server";
import { type FeedNotice, createFeedLink, feedNotice, turnOffFeedLink } from "~/calendar/feed-link.server";
import { type ImportSummary, importKeepingReport, importReport } from "~/calendar/import-reports.server";
import { calendarPage } from "~/calendar/page.server";
import { ICalendarError, MAX_IMPORT_REQUEST_BYTES, causeForLog, fromICalendar } from "~/calendar/ical.server";
import { IMPORT_TOO_LARGE_MESSAGE, MAX_IMPORT_BYTES } from "~/calendar/import-limits";
import type { CalendarModel, ListIndex } from "~/calendar/view-model";
import { listsOf } from "~/components/calendar/lists-from-the-page";
import { fromJsonText } from "~/http/json-text";
import { countOf, pick } from "~/text/plural";
import { markupOnly } from "~/http/markup-only.server";
import { takeNotice } from "~/http/notice.server";
import { VIEWS, type CalendarView } from "~/calendar/views";
import { logger } from "~/observability/logger.server";
import calendarStylesheet from "~/styles/calendar.css?url";

const log = logger.child({ domain: "calendar" });

export const links: LinksFunction = () => [{ rel: "stylesheet", href: calendarStylesheet }];

// A search names itself, as its heading does: the tab and history otherwise showed the month.
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.search ? `Search “${data.search.q}”` : (data?.title ?? "Calendar")} · Calendar · ARES` },
];

const querySchema = z.object({
  view: z.enum(VIEWS).catch("month"),
  date: z.string().optional().catch(undefined),
  q: z.string().trim().max(200).optional().catch(undefined),
  /** The import whose report to show (the import redirects here). */
  imported: z.string().max(64).optional().catch(undefined),
  // Where a feed-link form led back to (see sharingAnswer).
  feed: z.enum(["created", "off"]).optional().catch(undefined),
});

/** With the feed link just shown in it, the page must not be kept: the document (HTML) too. */
export const headers: HeadersFunction = ({ loaderHeaders }) => {
  const headers = new Headers();
  const cacheControl = loaderHeaders.get("Cache-Control");
  if (cacheControl) headers.set("Cache-Control", cacheControl);
  return headers;
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const url = new URL(request.url);
  const query = querySchema.parse(Object.fromEntries(url.searchParams));
  // Before the page is read: a page that fails to load does not clear the one-time feed link.
  const feed = await feedNotice(request, user.id, query.feed);
  // Where deleting an event lands: without a word here the page looked as if nothing happened.
  const taken = await takeNotice(request, user.id, { deleted: "Deleted: it is no longer in your calendar." });
  for (const cookie of taken.headers.getSetCookie()) feed.headers.append("Set-Cookie", cookie);
  const page = {
    ...(await calendarPage(user, query)),
    notice: taken.notice,
    feedNotice: feed.notice,
    // "gone": the address names a report no longer kept (or not mine); the page says so.
    imported: query.imported ? ((await importReport(user.id, query.imported)) ?? ("gone" as const)) : null,
  };
  // The occurrences travel once: in a document's markup, not again in its hydration data (see listsOf).
  return data(context.documentRequest ? markupOnly(page, "lists") : page, { headers: feed.headers });
}

/**
 * The feed-link forms answer with a redirect (303) back to the page they were on (same view, date and
 * search), at the sharing section: a reload or Back/Forward then reads the page again instead of
 * posting again — which, for "create", would make another link and stop the one just shown.
 */
function sharingAnswer(request: Request, feed: "created" | "off", headers: HeadersInit = {}) {
  const back = new URL(request.url);
  back.searchParams.delete("index");
  // An earlier import's report is not this answer's.
  back.searchParams.delete("imported");
  back.searchParams.set("feed", feed);
  return redirect(`${back.pathname}${back.search}#feed-link`, { status: 303, headers });
}

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("feed-create") }),
  z.object({ intent: z.literal("feed-revoke") }),
  z.object({
    intent: z.literal("import"),
    // A file input with nothing chosen sends an empty file; a hand-made request may send none, or text.
    file: z.instanceof(File).optional().catch(undefined),
    // A checkbox: sent ("on") when ticked, absent otherwise. Anything else does not bring deleted events back.
    restoreDeleted: z
      .literal("on")
      .optional()
      .transform((value) => value === "on")
      .catch(false),
  }),
]);

/** A refused import: its message, and the form's choice as it was posted (the page shows it again). */
type ActionResult = { intent: "import"; error: string; restoreDeleted: boolean };

const refused = (error: string, status: number, restoreDeleted = false) =>
  data<ActionResult>({ intent: "import", error, restoreDeleted }, { status });

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  // Over the import's request limit the body guard hands on, marked, only the fields sent before the file
  // (only an import sends that much): the form's choice is shown again with the message.
  if (context.bodyTooLarge) {
    const head = actionSchema.safeParse(Object.fromEntries(await request.formData()));
    return refused(
      IMPORT_TOO_LARGE_MESSAGE,
      413,
      head.success && head.data.intent === "import" && head.data.restoreDeleted,
    );
  }
  if (Number(request.headers.get("content-length") ?? 0) > MAX_IMPORT_REQUEST_BYTES) {
    return refused(IMPORT_TOO_LARGE_MESSAGE, 413);
  }
  const parsed = actionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return refused("Unknown action.", 400);
  const submission = parsed.data;
  if (submission.intent === "feed-create") {
    // The new link's address reaches the page in a cookie, once (see feed-link.server).
    return sharingAnswer(request, "created", { "Set-Cookie": await createFeedLink(user.id) });
  }
  if (submission.intent === "feed-revoke") {
    await turnOffFeedLink(user.id);
    return sharingAnswer(request, "off");
  }
  const { file, restoreDeleted } = submission;
  if (!file || file.size === 0) return refused("Choose an .ics file to import.", 400, restoreDeleted);
  if (file.size > MAX_IMPORT_BYTES) return refused(IMPORT_TOO_LARGE_MESSAGE, 413, restoreDeleted);
  try {
    const events = fromICalendar(await file.text(), user.timeZone);
    const id = await importKeepingReport(user.id, events, { restoreDeleted });
    return redirect(afterImport(request, id), 303);
  } catch (error) {
    if (error instanceof ICalendarError) {
      if (error.cause)
        log.info({ userId: user.id, cause: causeForLog(error.cause) }, "calendar import: file not readable");
      return refused(`Nothing was imported. ${error.message}`, 400, restoreDeleted);
    }
    if (error instanceof ImportContendedError) return refused(error.message, 409, restoreDeleted);
    if (error instanceof ImportFailedError) {
      log.error({ userId: user.id, err: error.cause }, "calendar import: not stored");
      return refused(error.message, 503, restoreDeleted);
    }
    throw error;
  }
}

/**
 * Where an import leads (Post/Redirect/Get): the view and date it was made from, with its report, at
 * the report itself — below the calendar, so a phone without JS would otherwise open at the top.
 */
function afterImport(request: Request, id: string): string {
  const from = new URL(request.url).searchParams;
  const kept = { view: from.get("view"), date: from.get("date"), q: from.get("q") };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(kept)) if (value) params.set(key, value);
  params.set("imported", id);
  return `/calendar?${params.toString()}#${IMPORT_REPORT}`;
}

const IMPORT_REPORT = "import-report";

const RESTORE_DELETED_LABEL = "Also bring back events I deleted";

/** What ticking it does: all of the file's events deleted here come back at once, not a chosen one. */
const RESTORE_DELETED_HINT =
  "Brings back every event of the file that you deleted here since it was imported, not just one of them.";

type ImportShown = ImportSummary | "gone" | null;

function ImportResult({ result, report }: { result: ActionResult | undefined; report: ImportShown }) {
  if (result) {
    return (
      <p className="form-error" role="alert" id={IMPORT_REPORT}>
        {result.error}
      </p>
    );
  }
  if (!report) return null;
  if (report === "gone") {
    return (
      <p className="notice" role="status" id={IMPORT_REPORT}>
        This import&apos;s report is no longer available (reports are kept for an hour).
      </p>
    );
  }
  const { created, updated, kept, deletedHere, skipped } = report;
  const notBack = deletedHere.length;
  return (
    <div className="notice" role="status" id={IMPORT_REPORT}>
      <p>
        {`Imported: ${created} created, ${updated} updated, ${kept.length ? `${kept.length} kept, ` : ""}${notBack ? `${notBack} not brought back (deleted here), ` : ""}${skipped.length} skipped.`}
      </p>
      {notBack ? (
        // An imported event deleted here stays deleted: the file brings it back only when asked to.
        <>
          <p>
            {`Not brought back: ${countOf(notBack, "event", "events")} you deleted in ARES since ${pick(notBack, "it was", "they were")} imported. To have ${pick(notBack, "it", "them")} again, import the file with “${RESTORE_DELETED_LABEL}” ticked${notBack > 1 ? ": that brings back all of them, not just one" : ""}.`}
          </p>
          <TitleList items={deletedHere} />
        </>
      ) : null}
      {kept.length ? (
        // An event imported before and changed here since is not overwritten: the change made here stays.
        <>
          <p>
            {`Kept as ${pick(kept.length, "it is", "they are")} here: ${countOf(kept.length, "event", "events")} you changed in ARES since ${pick(kept.length, "it was", "they were")} imported; the file's version was not applied. To take the file's version of one, delete it here and import the file again with “${RESTORE_DELETED_LABEL}” ticked: that also brings back every other event of the file you deleted here.`}
          </p>
          <TitleList items={kept} />
        </>
      ) : null}
      {skipped.length ? (
        <ul>
          {skipped.map((item, index) => (
            <li key={index} dir="auto">{`${item.title}: ${item.reason}`}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function TitleList({ items }: { items: readonly { title: string }[] }) {
  return (
    <ul>
      {items.map((item, index) => (
        <li key={index} dir="auto">
          {item.title}
        </li>
      ))}
    </ul>
  );
}

/** When the subscription link was made: the instant, and the day on the person's clock. */
type FeedSince = { at: string; day: string };

function FeedLinkNotice({ notice, feedSince }: { notice: FeedNotice; feedSince: FeedSince | null }) {
  // With JS the page's data is read again later (the notifications poll, another form) without the
  // cookie: the address just shown stays on screen while the page is still the one it was made on.
  const [shownUrl, setShownUrl] = useState(notice && "url" in notice ? notice.url : null);
  useEffect(() => {
    if (notice && "url" in notice) setShownUrl(notice.url);
  }, [notice]);
  const url = notice && "url" in notice ? notice.url : notice && "created" in notice ? shownUrl : null;
  if (url) {
    return (
      // The Copy control (and its own "Copied" status) sits outside the live region: nested in it, each
      // copy could have a screen reader read the whole region again, the secret address included.
      <div className="notice" id="feed-link">
        <div role="status">
          <p>
            Your private feed link, shown only this once: copy it into your calendar app now. Anyone with it can read
            your calendar.
          </p>
          <p>
            <code className="feed-url">{url}</code>
          </p>
        </div>
        <CopyTextButton text={url} label="Copy feed link" />
      </div>
    );
  }
  if (notice && "created" in notice && feedSince) {
    // The page again after the link was shown (a reload, Back/Forward): the address is not kept anywhere.
    return (
      <p className="notice" role="status" id="feed-link">
        The link’s address was shown once, when it was made, and cannot be shown again. If you did not copy it, make a
        new link: the one shown then stops working.
      </p>
    );
  }
  if (notice && "off" in notice && !feedSince) {
    return (
      <p className="notice" role="status" id="feed-link">
        The subscription link is turned off: calendar apps that used it no longer get your events.
      </p>
    );
  }
  return null;
}

function Sharing({
  feedSince,
  feedNotice,
  result,
  report,
}: {
  feedSince: FeedSince | null;
  feedNotice: FeedNotice;
  result: ActionResult | undefined;
  report: ImportShown;
}) {
  // This address (the same view and date), at the import's message: a refused file's page opens there too.
  const importAction = `${useFormAction()}#${IMPORT_REPORT}`;
  // With JS the form outlives the import's redirect back here: a new report starts it afresh, so the next
  // import does not bring deleted events back with a box ticked for the last one (nor take the same file).
  const [searchParams] = useSearchParams();
  return (
    <details className="card calendar__sharing" open={Boolean(result ?? report ?? feedNotice)}>
      <summary>Import, export and subscribe</summary>
      <ImportResult result={result} report={report} />
      <Form method="post" encType="multipart/form-data" action={importAction} key={searchParams.get("imported") ?? ""}>
        <input type="hidden" name="intent" value="import" />
        {/* One group, named first: the box before the file is heard as part of the import. */}
        <fieldset className="calendar__import">
          <legend>Import from another calendar</legend>
          {/* Before the file: sent ahead of it, so that a file refused as too large still brings this choice
            back (the body guard reads only the fields before a file, see multipart-head.server.ts). */}
          <label>
            <input
              type="checkbox"
              name="restoreDeleted"
              aria-describedby="restore-deleted-hint"
              // A refused import's page (without JS) shows the choice as it was posted.
              defaultChecked={result?.restoreDeleted ?? false}
            />{" "}
            {RESTORE_DELETED_LABEL}
          </label>
          <p className="field-hint" id="restore-deleted-hint">
            {RESTORE_DELETED_HINT}
          </p>
          <label htmlFor="ics-file">Import an .ics file (Google, Outlook, Apple…)</label>{" "}
          <input
            id="ics-file"
            type="file"
            name="file"
            accept=".ics,text/calendar"
            required
            // With JS a file over the limit is stopped here, before it is sent; without JS the page's action
            // says so after the post (a body over the limit arrives without it, see body-guard.server.ts).
            onChange={(event) => {
              const file = event.currentTarget.files?.[0];
              event.currentTarget.setCustomValidity(
                file && file.size > MAX_IMPORT_BYTES ? IMPORT_TOO_LARGE_MESSAGE : "",
              );
            }}
          />{" "}
          <button type="submit">Import</button>
        </fieldset>
      </Form>
      <p>
        <a href="/calendar/export.ics" download className="standalone-link">
          Export all my events (.ics)
        </a>
      </p>
      <p>
        <Link to="/calendar/subscriptions" className="standalone-link">
          Subscribe to a calendar by its address (.ics, webcal://)
        </Link>
      </p>
      <FeedLinkNotice notice={feedNotice} feedSince={feedSince} />
      <p className="muted">
        {feedSince ? (
          <>
            A private subscription link exists (made <time dateTime={feedSince.at}>{feedSince.day}</time>). A new link
            stops the old one.
          </>
        ) : (
          "No subscription link: other calendar apps cannot read your calendar."
        )}
      </p>
      <Form method="post" className="inline-form">
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

type ListProps = { lists: readonly string[]; index: ListIndex; "aria-label"?: string; className?: string };

/**
 * A list of occurrences as the server made it (see PageLists): the markup is the server's HTML as it
 * is, so React renders no element per occurrence, and at hydration it is read back from the document.
 */
function Items({ lists, index, ...props }: ListProps) {
  return <ul {...props} data-list={index} dangerouslySetInnerHTML={{ __html: lists[index] ?? "" }} />;
}

/**
 * With JS, a plain click on an occurrence link (or a month cell's "+N more", a week's crowd of events) navigates in the page, as
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
      const link =
        event.target instanceof Element
          ? event.target.closest("a.occurrence, a.month-cell__more, a.time-grid__more")
          : null;
      if (!(link instanceof HTMLAnchorElement) || link.origin !== window.location.origin) return;
      event.preventDefault();
      // With its fragment: a day's crowd leads to its first event's row in the agenda.
      navigate(`${link.pathname}${link.search}${link.hash}`);
    };
    element.addEventListener("click", onClick);
    return () => element.removeEventListener("click", onClick);
  }, [container, navigate]);
}

type ViewProps<V extends CalendarModel["view"]> = {
  model: Extract<CalendarModel, { view: V }>;
  lists: readonly string[];
};

function MonthGrid({ model, lists }: ViewProps<"month">) {
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
                {day.items === null ? null : <Items lists={lists} index={day.items} />}
                {day.more ? (
                  // A plain anchor, as the occurrences are: a crowded month has one in every cell, and the
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

function TimeGrid({ model, lists }: ViewProps<"week" | "day">) {
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
          <Items key={day.date} lists={lists} index={day.allDay} aria-label={`All day, ${day.label}`} />
        ))}
      </div>
      <div className="time-grid__body">
        <ol className="time-grid__hours" aria-hidden="true">
          {hours.map((hour) => (
            <li key={hour}>{`${String(hour).padStart(2, "0")}:00`}</li>
          ))}
        </ol>
        {model.days.map((day) => (
          <Items
            key={day.date}
            lists={lists}
            index={day.timed}
            className={`time-grid__column${day.isToday ? " today" : ""}`}
            aria-label={day.label}
          />
        ))}
      </div>
    </div>
  );
}

function Agenda({ model, lists }: ViewProps<"agenda">) {
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
          <Items lists={lists} index={day.items} />
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
      This browser is in {browserZone.replaceAll("_", " ")}.{" "}
      <Link to="/settings/profile" className="standalone-link">
        Change your time zone
      </Link>{" "}
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
  const lists = listsOf(data);
  return (
    <div className="calendar" ref={container}>
      <header className="calendar__header">
        <h1>{data.search ? "Search events" : data.title}</h1>
        <nav aria-label="Calendar views" className="calendar__views">
          <ul>
            {VIEWS.map((view) => (
              <li key={view}>
                <Link to={href(view, data.date)} aria-current={!data.search && view === data.view ? "page" : undefined}>
                  {view[0]!.toUpperCase() + view.slice(1)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <nav aria-label="Dates" className="calendar__pager">
          {data.previous ? (
            <Link to={href(data.view, data.previous)} rel="prev">
              ← Previous
            </Link>
          ) : null}
          <Link to={href(data.view, data.today)}>Today</Link>
          {data.next ? (
            <Link to={href(data.view, data.next)} rel="next">
              Next →
            </Link>
          ) : null}
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
        <OneTimeNotice notice={data.notice} hidden={Boolean(result)} />
      </header>
      {data.search ? (
        <section aria-label="Search results">
          <p>
            {data.search.found === 0
              ? `No events match “${data.search.q}”.`
              : `${data.search.limited ? `The ${data.search.found} latest` : data.search.found} ${pick(data.search.found, "event matches", "events match")} “${data.search.q}”.`}{" "}
            <Link to={href(data.view, data.date)}>Back to the calendar</Link>
          </p>
          <Items lists={lists} index={0} className="search-results" />
        </section>
      ) : model?.view === "month" ? (
        <MonthGrid model={model} lists={lists} />
      ) : model?.view === "agenda" ? (
        <Agenda model={model} lists={lists} />
      ) : model ? (
        <TimeGrid model={model} lists={lists} />
      ) : null}
      <Sharing feedSince={data.feedSince} feedNotice={data.feedNotice} result={result} report={data.imported} />
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
