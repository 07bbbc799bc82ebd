import { MESSAGE_MAX } from "~/chat/schemas";
import { isContentionOrOutage } from "~/db/contention.server";
import { prisma } from "~/db/db.server";
import { rowContract, type RowOf } from "~/db/row-contract";
import { queryRows } from "~/db/sql.server";
import { Prisma } from "~/generated/prisma/client";
import { signedCookie } from "~/http/signed-cookie.server";
import { logger } from "~/observability/logger.server";

/**
 * The chat domain's one entry for "keep what was in the message box": without JS the conversation page
 * is left with text in its box (another of its buttons or links submits the box's form, the theme switch,
 * a send after the session ended), and the page that comes back must have it again. The text is kept in
 * the database (a cookie held 3.9 KB, a tenth of a message), under the person and the page. A small
 * signed marker cookie names whose text this browser left, for which page and which keep: only that page
 * reads it (one select, or a column of the page's own statement), once — the response drops the marker.
 * A page view writes nothing: the row goes with the next keep, signing out or the hourly purge. Never in
 * a URL (addresses end up in logs).
 */
const MARKER_COOKIE = "__ares_kept_text";
/** Kept this long: a browser that never comes back leaves it to the hourly purge. */
const KEPT_MS = 24 * 60 * 60 * 1000;

/**
 * The composer addresses: the new-chat page and a conversation (its id as routed). An id is a cuid: a
 * longer one is no page of ours, and would be a key past what the primary key's index can hold.
 */
const COMPOSER_ADDRESS = /^\/chat(?:\/[A-Za-z0-9_-]{1,64})?$/;
const ANY_COMPOSER_ADDRESS = /^\/chat(?:\/[^/]+)?$/;
/** Pages whose text one person keeps at once: the newest stay, so no one fills the table. */
const KEPT_PAGES_PER_USER = 10;

/**
 * What the page says next to the box about the text it left (shown once, with the marker), one or more:
 * `replaced`: a NUL in it (PostgreSQL text cannot hold one) came back as U+FFFD; `not-kept`: keeping it
 * failed; `refused`: the write limit refused the post (`wait` seconds), nothing was done; `unsent`: it
 * was posted after the session had ended, and comes back after signing in (up to a day later).
 */
export type KeptNote = "replaced" | "not-kept" | "refused" | "unsent";

/**
 * What the post did when its text could not be kept, named on the page ("the conversation was pinned,
 * but the box is empty"): the press, not a vague "that was done".
 */
export type KeptDone =
  | "theme"
  | "card"
  | "deleted"
  | "pin"
  | "unpin"
  | "stop"
  | "regenerate"
  | "retry"
  | "version"
  | "rename"
  | "keep"
  | "model"
  | "memory-off"
  | "memory-on";

const DONE_WORDS: Record<KeptDone, string> = {
  theme: "the theme was switched",
  card: "your choice on the card was saved",
  deleted: "the conversation was deleted",
  pin: "the conversation was pinned",
  unpin: "the conversation was unpinned",
  stop: "the reply was stopped",
  regenerate: "a new reply was asked for",
  retry: "the reply was asked for again",
  version: "the reply's version was chosen",
  rename: "the conversation was renamed",
  keep: "the page was opened",
  model: "the model was changed",
  "memory-off": "memory was turned off for this conversation",
  "memory-on": "memory was turned on for this conversation",
};

/** Whether `value` (a form's intent) names a press the page can name when its text was not kept. */
export function isKeptDone(value: string): value is KeptDone {
  return Object.hasOwn(DONE_WORDS, value);
}

/**
 * What the marker holds: whose text, for which page, which keep of it (the row's keptAt), the notes
 * (`wait` with a refusal) and, when the text was not kept after the post was done, what it did.
 */
type Marker = { user: string; page: string; at: number; notes?: KeptNote[]; wait?: number; done?: KeptDone };

const KEPT_NOTES: ReadonlySet<string> = new Set<KeptNote>(["replaced", "not-kept", "refused", "unsent"]);

function markerCookie() {
  return signedCookie(MARKER_COOKIE, { maxAgeSeconds: KEPT_MS / 1000 });
}

/** The page (`/chat` or `/chat/<id>`) a post to `route` was typed on, or null for other posts. */
export function composerPage(route: string, sentPath: string): string | null {
  // Any conversation address, even one no id could be: a post to it is still shown back (keepMessage
  // keeps only for the strict COMPOSER_ADDRESS).
  if (!ANY_COMPOSER_ADDRESS.test(route)) return null;
  const id = sentPath.split("/")[2];
  return id ? `/chat/${id}` : "/chat";
}

/**
 * Keeps `message` for `userId`'s composer on `page` (a path, `/chat` or `/chat/<id>`; a query or hash is
 * ignored) and returns the Set-Cookie of the marker. Null (nothing kept) when the box was empty, `page`
 * has no box or is a conversation that is not theirs, or the text is one the box could not have sent:
 * over the message limit, or holding a NUL. Only the person's newest KEPT_PAGES_PER_USER pages stay.
 * `notes` (and `wait`) go in the marker: what the page says next to the box.
 */
export async function keepMessage(
  userId: string,
  page: string,
  message: unknown,
  { now = new Date(), notes = [], wait }: { now?: Date; notes?: KeptNote[]; wait?: number } = {},
): Promise<string | null> {
  const pathname = URL.canParse(page, "http://ares.invalid") ? new URL(page, "http://ares.invalid").pathname : "";
  if (typeof message !== "string" || !message.trim() || !COMPOSER_ADDRESS.test(pathname)) return null;
  // The box's own limit (its maxLength counts a line break once; a no-JS post sends it as CRLF).
  if (message.replace(/\r\n/g, "\n").length > MESSAGE_MAX || message.includes("\0")) return null;
  const keptAt = new Date(now.getTime());
  const kept = await queryRows<RowOf<typeof keepTextColumns>>(keepTextSql(userId, pathname, message, keptAt));
  if (kept.length === 0) return null;
  const marker: Marker = { user: userId, page: pathname, at: keptAt.getTime(), ...(notes.length ? { notes } : {}) };
  return markerCookie().serialize(wait === undefined ? marker : ({ ...marker, wait } satisfies Marker));
}

/** The keep statement's columns (docs/decisions/015): the page kept, none when nothing was. */
export const keepTextColumns = rowContract({ page: "KeptComposerText.page" });

/**
 * The keep, one statement (raw SQL held to the schema like ADR 004's, tests/integration/hot-path-sql.test.ts):
 * the ownership check (a primary-key lookup), the upsert, and dropping the person's older pages past the
 * cap (a statement's parts see the same snapshot: the new row is not among them). `page` is a composer
 * address (COMPOSER_ADDRESS).
 */
export function keepTextSql(userId: string, page: string, message: string, keptAt: Date): Prisma.Sql {
  const conversationId = page.split("/")[2] ?? "";
  return Prisma.sql`
    WITH owned AS (
      SELECT 1 WHERE ${page}::text = '/chat'
      UNION ALL
      SELECT 1 FROM "Conversation" WHERE id = ${conversationId} AND "userId" = ${userId}
    ), kept AS (
      INSERT INTO "KeptComposerText" ("userId", page, message, "keptAt")
      SELECT ${userId}, ${page}, ${message}, ${keptAt.toISOString()}::timestamp(3)
       WHERE EXISTS (SELECT 1 FROM owned)
      ON CONFLICT ("userId", page) DO UPDATE SET message = EXCLUDED.message, "keptAt" = EXCLUDED."keptAt"
      RETURNING page
    ), dropped AS (
      DELETE FROM "KeptComposerText"
       WHERE "userId" = ${userId} AND EXISTS (SELECT 1 FROM kept)
         AND page IN (SELECT page FROM "KeptComposerText" WHERE "userId" = ${userId} AND page <> ${page}
                       ORDER BY "keptAt" DESC, page OFFSET ${KEPT_PAGES_PER_USER - 1}
                       -- A page another keep of this person's holds is left to the next keep: two keeps at
                       -- once would otherwise deadlock, or drop the row the other has just written.
                       FOR UPDATE SKIP LOCKED)
    )
    SELECT page FROM kept`;
}

/**
 * Whether a keep failed in the database for want of it (a lock it waited on past the statement timeout,
 * a deadlock, the database gone): the post it came with has done its thing, so the page says the text
 * was not kept instead of a 500. Any other SQL error is a bug and stays one.
 */
export function isKeepFailure(error: unknown): boolean {
  return isContentionOrOutage(error);
}

/**
 * Keeps the `message` field of a form posted from a composer page (another of its buttons submitted the
 * box's form) for `page`, as keepMessage, and returns the marker's Set-Cookie. `hadNul`: the body guard
 * put U+FFFD in place of a NUL (context.formHadNul): when the text has one, the page says so. `refused`:
 * the write limit refused the post (its wait in seconds): the page says so, the text back in the box.
 * `done`: what the post did, named if the keep fails. A keep that fails in the database is never a 500:
 * the marker then says the text was not kept, and still that a refused press was not done (and the wait).
 */
export async function keepComposerText(
  form: FormData,
  page: string,
  userId: string,
  { hadNul = false, refusedFor, done }: { hadNul?: boolean; refusedFor?: number; done?: KeptDone } = {},
): Promise<KeptCookie | null> {
  const message = form.get("message");
  const notes: KeptNote[] = [];
  if (refusedFor !== undefined) notes.push("refused");
  if (hadNul && typeof message === "string" && message.includes("\uFFFD")) notes.push("replaced");
  try {
    const cookie = await keepMessage(userId, page, message, { notes, wait: refusedFor });
    return cookie ? { setCookie: cookie, kept: true } : null;
  } catch (error) {
    if (!isKeepFailure(error)) throw error;
    logger.warn({ err: error, page }, "the message box's text could not be kept");
    const pathname = new URL(page, "http://ares.invalid").pathname;
    // The replaced character is in text that is gone: only the refusal (nothing done) and the loss are said.
    const marker: Marker =
      refusedFor !== undefined
        ? { user: userId, page: pathname, at: Date.now(), notes: ["refused", "not-kept"], wait: refusedFor }
        : { user: userId, page: pathname, at: Date.now(), notes: ["not-kept"], ...(done ? { done } : {}) };
    return { setCookie: await markerCookie().serialize(marker), kept: false };
  }
}

/**
 * keepComposerText for `to`, the page a post (the theme switch) returns to; when `to` is a conversation
 * that is not the person's (deleted meanwhile, in another tab — or the 404 page of one, whose box shows
 * the text back), the text is kept for the new-chat page instead and `to` becomes `/chat`: returning to
 * the conversation would be its 404, the text lost. A second statement only then.
 */
export async function keepComposerTextFor(
  form: FormData,
  to: string,
  userId: string,
  options: Parameters<typeof keepComposerText>[3] = {},
): Promise<{ kept: KeptCookie | null; to: string }> {
  const kept = await keepComposerText(form, to, userId, options);
  const pathname = URL.canParse(to, "http://ares.invalid") ? new URL(to, "http://ares.invalid").pathname : "";
  if (kept || pathname === "/chat" || !COMPOSER_ADDRESS.test(pathname)) return { kept, to };
  const newChat = await keepComposerText(form, "/chat", userId, options);
  return newChat ? { kept: newChat, to: "/chat" } : { kept: null, to };
}

/**
 * With JS the box is never left, so nothing is kept; a post the write limit refused still comes back to
 * its page (a redirect), which says so next to the box: the marker with the note alone (no row). Null
 * when `page` has no box.
 */
export async function refusalNote(userId: string, page: string, refusedFor: number): Promise<string | null> {
  const pathname = URL.canParse(page, "http://ares.invalid") ? new URL(page, "http://ares.invalid").pathname : "";
  if (!COMPOSER_ADDRESS.test(pathname)) return null;
  const marker: Marker = { user: userId, page: pathname, at: Date.now(), notes: ["refused"], wait: refusedFor };
  return markerCookie().serialize(marker);
}

/** The marker's Set-Cookie, and whether the text was kept (false: the marker only says it was not). */
export type KeptCookie = { setCookie: string; kept: boolean };

function isMarker(value: unknown): value is Marker {
  if (typeof value !== "object" || value === null) return false;
  const { user, page, at, notes, wait, done } = value as Record<string, unknown>;
  return (
    typeof user === "string" &&
    typeof page === "string" &&
    typeof at === "number" &&
    (notes === undefined ||
      (Array.isArray(notes) && notes.every((note) => typeof note === "string" && KEPT_NOTES.has(note)))) &&
    (wait === undefined || (typeof wait === "number" && Number.isSafeInteger(wait))) &&
    (done === undefined || (typeof done === "string" && Object.hasOwn(DONE_WORDS, done)))
  );
}

async function readMarker(request: Request): Promise<Marker | null> {
  const cookieHeader = request.headers.get("cookie");
  if (!cookieHeader?.includes(`${MARKER_COOKIE}=`)) return null;
  const value: unknown = await markerCookie().parse(cookieHeader);
  return isMarker(value) ? value : null;
}

/** The Set-Cookie that drops the marker. */
function clearMarker(): Promise<string> {
  return markerCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}

/**
 * Which keep of `userId`'s text for this page (its keptAt) the browser's marker names, or null: no query.
 * A marker naming this page is dropped with the response (`headers`): the text comes back once. Another
 * page's marker stays for that page; another person's is never used (the browser may have changed hands).
 * Nothing is deleted on a page view: the next keep, signing out or the hourly purge does that.
 */
export async function keptTextMarker(
  request: Request,
  userId: string,
  now = new Date(),
): Promise<{ keptAt: Date | null; note: (keptMessage: string | null) => string | null; headers: Headers }> {
  const headers = new Headers();
  const marker = await readMarker(request);
  if (!marker || marker.user !== userId || marker.page !== new URL(request.url).pathname) {
    return { keptAt: null, note: () => null, headers };
  }
  headers.append("Set-Cookie", await clearMarker());
  const fresh = now.getTime() - marker.at <= KEPT_MS;
  return {
    // A note alone (not kept, or a refusal with JS) names no keep.
    keptAt: fresh && !marker.notes?.includes("not-kept") ? new Date(marker.at) : null,
    note: (keptMessage) => (fresh ? noteText(marker, keptMessage !== null) : null),
    headers,
  };
}

/**
 * The words next to the box for the marker's notes (null: none to say). `inBox`: the kept row was found
 * (the text is in the box): the notes that speak of it there (`unsent`, `replaced`) are said only then —
 * a row dropped since (the person's newest pages cap, the purge) leaves the box empty.
 */
function noteText({ notes = [], wait, done }: Marker, inBox: boolean): string | null {
  const refused = notes.includes("refused");
  const notKept = notes.includes("not-kept");
  const words: string[] = [];
  if (refused && notKept) {
    words.push(
      `You have sent a lot of requests in a short time, so what you pressed was not done, and what you had typed in the message box could not be kept, sorry: type it again if you need it, in ${wait ?? 60} s.`,
    );
  } else if (refused) {
    words.push(
      `You have sent a lot of requests in a short time, so what you pressed was not done. Your text is back in the box; try again in ${wait ?? 60} s.`,
    );
  } else if (notKept) {
    const what = done ? DONE_WORDS[done] : "what you pressed was done";
    words.push(
      `What you had typed in the message box could not be kept, sorry: ${what}, but the box is empty. Type it again if you need it.`,
    );
  }
  if (notes.includes("unsent") && inBox) {
    // It may come back hours later, after signing in: the box says where the text came from.
    words.push(
      "Your session had ended when you last posted this page, so that was not done: what you had typed then is back in the box, not sent.",
    );
  }
  if (notes.includes("replaced") && !notKept && inBox) {
    words.push(
      "Your text held a character that cannot be stored (a NUL); it is shown as � in the box. Check it before sending.",
    );
  }
  return words.length > 0 ? words.join(" ") : null;
}

/**
 * `userId`'s text kept for this page when the marker names it (one select by person, page and keep),
 * with the headers that drop the marker (return them with the loader's data).
 */
export async function takeKeptText(
  request: Request,
  userId: string,
  now = new Date(),
): Promise<{ message: string | null; note: string | null; headers: Headers }> {
  const { keptAt, note, headers } = await keptTextMarker(request, userId, now);
  if (!keptAt) return { message: null, note: note(null), headers };
  const page = new URL(request.url).pathname;
  const kept = await prisma.keptComposerText.findFirst({
    where: { userId, page, keptAt },
    select: { message: true },
  });
  const message = kept?.message ?? null;
  return { message, note: note(message), headers };
}

/**
 * Signing out: drops what was kept for `userId` and for the person the browser's marker names (a session
 * that already ended is no longer known, the marker still is: it was that person's leaving too), and the
 * Set-Cookie that drops the marker.
 */
export async function dropKeptTexts(request: Request, userId: string | null | undefined): Promise<string> {
  const users = [...new Set([userId, (await readMarker(request))?.user])].filter((id): id is string => Boolean(id));
  if (users.length > 0) await prisma.keptComposerText.deleteMany({ where: { userId: { in: users } } });
  return clearMarker();
}

/** Deletes everyone's kept text past its keep time (the hourly purge job). Returns how many. */
export async function purgeKeptTexts(now = new Date(), signal?: AbortSignal): Promise<number> {
  signal?.throwIfAborted();
  const { count } = await prisma.keptComposerText.deleteMany({
    where: { keptAt: { lt: new Date(now.getTime() - KEPT_MS) } },
  });
  return count;
}
