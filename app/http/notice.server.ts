import { randomUUID } from "node:crypto";
import { redirect } from "@remix-run/node";
import type { ShownNotice } from "./shown-notice";
import { signedCookie } from "~/http/signed-cookie.server";

/**
 * One-time notices ("Saved.", "Conversation deleted.") after a form's redirect (Post/Redirect/Get).
 * They used to ride in the query string (?saved=1), so a reload or a bookmark showed them again. Now
 * the redirect sets this short-lived cookie and the page's loader takes it once, clearing it in the
 * same answer — the flash-cookie pattern (Epic Stack's toast). Nothing is kept in memory: ARES runs as
 * several stateless processes, and the browser brings the cookie to whichever one answers.
 *
 * Signed with the session cookie's secrets, like the new-feed-link cookie: it holds no secret, but a
 * planted value must not make a page say something it did not do. The notice names the page it is
 * for, so another page's loader (a prefetch, a parallel tab) leaves it alone; path "/" because with
 * JavaScript the data comes from /<page>.data, which no narrower cookie path covers.
 */
const NOTICE_COOKIE = "__ares_notice";
const NOTICE_MAX_AGE_SECONDS = 60;

type StoredNotice = { page: string; key: string; user: string | null; count?: number; id: string };

/** A page's notices by key: the words, or the words for a count the redirect carried. */
type NoticeTexts = Record<string, string | ((count: number) => string)>;

function noticeCookie() {
  return signedCookie(NOTICE_COOKIE, { maxAgeSeconds: NOTICE_MAX_AGE_SECONDS });
}

/** Set-Cookie that carries a notice to the page at `to` (its path; any query or hash is not part of it). */
function noticeSetCookie(to: string, key: string, user: string | null, count?: number): Promise<string> {
  const page = new URL(to, "http://ares.invalid").pathname;
  const stored: StoredNotice = {
    page,
    key,
    user,
    id: randomUUID().slice(0, 8),
    ...(count === undefined ? {} : { count }),
  };
  return noticeCookie().serialize(stored);
}

/** Set-Cookie that drops a notice not yet shown (sign-out: it belonged to the person leaving). */
export function clearNoticeCookie(): Promise<string> {
  return noticeCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}

/**
 * A 302 to `to` that shows the page's notice `key` once when it arrives, to the person `userId` only
 * (null: to a signed-out browser).
 */
export async function redirectWithNotice(
  to: string,
  key: string,
  userId: string | null,
  options: { count?: number; headers?: HeadersInit } = {},
): Promise<Response> {
  const headers = new Headers(options.headers);
  headers.append("Set-Cookie", await noticeSetCookie(to, key, userId, options.count));
  return redirect(to, { headers });
}

function isStoredNotice(value: unknown): value is StoredNotice {
  if (typeof value !== "object" || value === null) return false;
  const { page, key, user, id, count } = value as Record<string, unknown>;
  return (
    typeof page === "string" &&
    typeof key === "string" &&
    (user === null || typeof user === "string") &&
    typeof id === "string" &&
    (count === undefined || (typeof count === "number" && Number.isSafeInteger(count)))
  );
}

/**
 * The notice waiting for this page, taken once: its words (when its key is one of this page's `texts`,
 * it was sent to this path and to this person — `userId`, null when signed out) and the headers that
 * clear the cookie. Return the headers with the loader's data.
 */
export async function takeNotice(
  request: Request,
  userId: string | null,
  texts: NoticeTexts,
): Promise<{ notice: ShownNotice | null; headers: Headers }> {
  const headers = new Headers();
  const cookieHeader = request.headers.get("cookie");
  if (!cookieHeader?.includes(`${NOTICE_COOKIE}=`)) return { notice: null, headers };
  const cookie = noticeCookie();
  const value: unknown = await cookie.parse(cookieHeader);
  const forThisPerson = isStoredNotice(value) && value.user === userId;
  // Another page's notice for this person stays for that page; a bad, unsigned or someone else's one is cleared.
  if (forThisPerson && value.page !== new URL(request.url).pathname) return { notice: null, headers };
  headers.append("Set-Cookie", await clearNoticeCookie());
  const text = forThisPerson && Object.hasOwn(texts, value.key) ? texts[value.key] : undefined;
  if (!forThisPerson || text === undefined) return { notice: null, headers };
  return { notice: { id: value.id, text: typeof text === "string" ? text : text(value.count ?? 0) }, headers };
}
