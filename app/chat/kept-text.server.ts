import { MESSAGE_MAX } from "~/chat/schemas";
import { prisma } from "~/db/db.server";
import { signedCookie } from "~/http/signed-cookie.server";

/**
 * The chat domain's one entry for "keep what was in the message box": without JS the conversation page
 * is left with text in its box (another of its buttons or links submits the box's form, the theme switch,
 * a send after the session ended), and the page that comes back must have it again. The text is kept in
 * the database (a cookie held 3.9 KB, a tenth of a message), under the person and the page, and taken
 * (read and deleted) the first time that page renders it. A small signed marker cookie names whose text
 * this browser left, so a page view without it (or someone else's) costs no query. Never in a URL
 * (addresses end up in logs).
 */
const MARKER_COOKIE = "__ares_kept_text";
/** Kept this long: a browser that never comes back leaves it to the hourly purge. */
const KEPT_MS = 24 * 60 * 60 * 1000;

/** The composer addresses: the new-chat page and a conversation (its id as routed). */
const COMPOSER_ADDRESS = /^\/chat(?:\/[^/]+)?$/;

function markerCookie() {
  return signedCookie(MARKER_COOKIE, { maxAgeSeconds: KEPT_MS / 1000 });
}

/** The page (`/chat` or `/chat/<id>`) a post to `route` was typed on, or null for other posts. */
export function composerPage(route: string, sentPath: string): string | null {
  if (!COMPOSER_ADDRESS.test(route)) return null;
  const id = sentPath.split("/")[2];
  return id ? `/chat/${id}` : "/chat";
}

/**
 * Keeps `message` for `userId`'s composer on `page` (a path, `/chat` or `/chat/<id>`; a query or hash is
 * ignored) and returns the Set-Cookie of the marker. Null (nothing kept) when the box was empty, `page`
 * has no box, or the text is one the box could not have sent: over the message limit, or holding a NUL.
 */
export async function keepMessage(userId: string, page: string, message: unknown): Promise<string | null> {
  const pathname = new URL(page, "http://ares.invalid").pathname;
  if (typeof message !== "string" || !message.trim() || !COMPOSER_ADDRESS.test(pathname)) return null;
  // The box's own limit (its maxLength counts a line break once; a no-JS post sends it as CRLF).
  if (message.replace(/\r\n/g, "\n").length > MESSAGE_MAX || message.includes("\0")) return null;
  await prisma.keptComposerText.upsert({
    where: { userId_page: { userId, page: pathname } },
    create: { userId, page: pathname, message },
    update: { message, keptAt: new Date() },
  });
  return markerCookie().serialize(userId);
}

/**
 * Keeps the `message` field of a form posted from a composer page (another of its buttons submitted the
 * box's form) for `page`, as keepMessage.
 */
export function keepComposerText(form: FormData, page: string, userId: string): Promise<string | null> {
  return keepMessage(userId, page, form.get("message"));
}

async function markerUser(request: Request): Promise<string | null> {
  const cookieHeader = request.headers.get("cookie");
  if (!cookieHeader?.includes(`${MARKER_COOKIE}=`)) return null;
  const value: unknown = await markerCookie().parse(cookieHeader);
  return typeof value === "string" ? value : null;
}

/** The Set-Cookie that drops the marker. */
function clearMarker(): Promise<string> {
  return markerCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}

/**
 * `userId`'s text kept for this page, taken once (return the headers with the loader's data: they drop
 * the marker once nothing is left). Another page's text stays for that page; another person's is never
 * seen (the browser may have changed hands: a row is only read for the person signed in).
 */
export async function takeKeptText(
  request: Request,
  userId: string,
  now = new Date(),
): Promise<{ message: string | null; headers: Headers }> {
  const headers = new Headers();
  // Another person's marker stays: their text waits for them (the browser may have changed hands).
  if ((await markerUser(request)) !== userId) return { message: null, headers };
  const page = new URL(request.url).pathname;
  const since = new Date(now.getTime() - KEPT_MS);
  const kept = await prisma.keptComposerText.findMany({
    where: { userId, keptAt: { gte: since } },
    select: { page: true, message: true, keptAt: true },
  });
  const here = kept.find((row) => row.page === page);
  if (kept.length === (here ? 1 : 0)) headers.append("Set-Cookie", await clearMarker());
  if (!here) return { message: null, headers };
  // Taken once: of two pages opened at once, only the one that deletes it shows it.
  const { count } = await prisma.keptComposerText.deleteMany({ where: { userId, page, keptAt: here.keptAt } });
  return { message: count === 1 ? here.message : null, headers };
}

/**
 * Signing out: drops what was kept for `userId` and for the person the browser's marker names (a session
 * that already ended is no longer known, the marker still is: it was that person's leaving too), and the
 * Set-Cookie that drops the marker.
 */
export async function dropKeptTexts(request: Request, userId: string | null | undefined): Promise<string> {
  const users = [...new Set([userId, await markerUser(request)])].filter((id): id is string => Boolean(id));
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
