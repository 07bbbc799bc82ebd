import { feedOwner, regenerateFeedToken, revokeFeedToken } from "./feed.server";
import { signedCookie } from "~/http/signed-cookie.server";

/**
 * A new feed link is shown once, on the page its form redirects to (Post/Redirect/Get, so a reload or
 * Back/Forward cannot post again and replace the link just shown). Its token is stored in clear
 * nowhere — the database has its hash, and ARES runs as several processes — so it rides to that page
 * in this short-lived cookie, which the page clears as it shows it.
 *
 * Signed (with the session cookie's secrets), not encrypted: the value is the person's own secret,
 * going to their own browser over their own connection, httpOnly, for a minute at most, and the page
 * shows it in clear a moment later. The signature keeps a value planted by anyone else from being shown
 * as their link, and the page shows a token only while it is this person's current one.
 *
 * Path "/": the page is /calendar, and with JavaScript its data comes from /calendar.data, which no
 * narrower cookie path covers (RFC 6265 §5.1.4: "/calendar" matches "/calendar/…", not "/calendar.data").
 */
const NEW_FEED_COOKIE = "__ares_new_feed";
const NEW_FEED_MAX_AGE_SECONDS = 60;

function newFeedCookie() {
  return signedCookie(NEW_FEED_COOKIE, { maxAgeSeconds: NEW_FEED_MAX_AGE_SECONDS });
}

/** Makes a new feed link (the old one stops working); returns the Set-Cookie that carries it to the page. */
export async function createFeedLink(userId: string): Promise<string> {
  return newFeedCookie().serialize(await regenerateFeedToken(userId));
}

/** Turns the feed link off: calendar apps that use it get nothing more. */
export const turnOffFeedLink = revokeFeedToken;

/**
 * The feed link made a moment ago, taken once: its token when the cookie is ours and the token is still
 * this person's current one, and the Set-Cookie that clears it (null when there was no cookie).
 */
async function takeNewFeedToken(
  cookieHeader: string | null,
  userId: string,
): Promise<{ token: string | null; setCookie: string | null }> {
  if (!hasNewFeedCookie(cookieHeader)) return { token: null, setCookie: null };
  const cookie = newFeedCookie();
  const value: unknown = await cookie.parse(cookieHeader);
  const token = typeof value === "string" && (await feedOwner(value))?.id === userId ? value : null;
  return { token, setCookie: await clearingCookie() };
}

function hasNewFeedCookie(cookieHeader: string | null): cookieHeader is string {
  return Boolean(cookieHeader?.includes(`${NEW_FEED_COOKIE}=`));
}

function clearingCookie(): Promise<string> {
  return newFeedCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}

/**
 * Signing out within the minute a new link rides to its page: the Set-Cookie that clears that cookie
 * (null when there is none), so the next person at this browser does not carry the token to the server.
 */
export async function newFeedLinkCleared(request: Request): Promise<string | null> {
  return hasNewFeedCookie(request.headers.get("cookie")) ? clearingCookie() : null;
}

/**
 * What the page says about the feed link beyond whether one exists: the new link's address (once), or,
 * on the page a feed-link form led back to, that the address was shown once / that the link is off.
 */
export type FeedNotice = { url: string } | { created: true } | { off: true } | null;

/**
 * The page's feed notice, and the headers its answer needs: the cookie cleared, and nothing of a page
 * that shows the address kept by the browser or a cache.
 */
export async function feedNotice(
  request: Request,
  userId: string,
  after: "created" | "off" | undefined,
): Promise<{ notice: FeedNotice; headers: Headers }> {
  const { token, setCookie } = await takeNewFeedToken(request.headers.get("cookie"), userId);
  const headers = new Headers();
  if (setCookie) headers.append("Set-Cookie", setCookie);
  if (token) {
    headers.set("Cache-Control", "private, no-store");
    return { notice: { url: `${new URL(request.url).origin}/calendar/feed/${token}.ics` }, headers };
  }
  if (after === "created") return { notice: { created: true }, headers };
  if (after === "off") return { notice: { off: true }, headers };
  return { notice: null, headers };
}
