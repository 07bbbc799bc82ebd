import escapeHtml from "escape-html";
import type { Theme } from "~/components/theme";
import { signedCookie } from "~/http/signed-cookie.server";
import { NUL_NOT_KEPT, signedOutPageHtml } from "~/http/signed-out-page.server";

/**
 * A message sent without JS after the session ended (signed out in another tab, expired, revoked) must
 * not be lost on the way to the sign-in page. The answer to that post shows the text back, to copy, and
 * a short-lived signed cookie carries it through signing in: the composer of the page it was sent from
 * has it again. The text never travels in a URL (addresses end up in logs and history).
 */
const UNSENT_COOKIE = "__ares_unsent";
const UNSENT_MAX_AGE_SECONDS = 15 * 60;
/** Browsers keep cookies up to 4096 bytes (name and attributes included); a longer text is only shown. */
const COOKIE_BYTES_MAX = 3_900;

/** The composer addresses: the new-chat page and a conversation (its id as routed). */
const COMPOSER_ADDRESS = /^\/chat(?:\/[^/]+)?$/;

/** `user`: whose ended session sent it; only they get it back (the browser may be someone else's next). */
type StoredUnsent = { page: string; message: string; user: string };

function unsentCookie() {
  return signedCookie(UNSENT_COOKIE, { maxAgeSeconds: UNSENT_MAX_AGE_SECONDS });
}

/** The page (`/chat` or `/chat/<id>`) a signed-out post to `route` was typed on, or null for other posts. */
export function composerPage(route: string, sentPath: string): string | null {
  if (!COMPOSER_ADDRESS.test(route)) return null;
  const id = sentPath.split("/")[2];
  return id ? `/chat/${id}` : "/chat";
}

/** The Set-Cookie that keeps `message` for `page` until `user` signs in again; null when it is too long for a cookie. */
export async function keepUnsentCookie(unsent: StoredUnsent): Promise<string | null> {
  const header = await unsentCookie().serialize(unsent);
  return Buffer.byteLength(header) <= COOKIE_BYTES_MAX ? header : null;
}

/**
 * The Set-Cookie that keeps what was in a conversation's message box when another of the page's forms
 * was posted with it (no JS: Stop, Regenerate, the model, Pin, the theme submit the composer form, see
 * COMPOSER_FORM_ID): back on `page` the box has it again, as for a message sent while signed out.
 * Null when the box was empty, `page` has no box, or the text is too long for a cookie.
 */
export async function keepComposerText(form: FormData, page: string, userId: string): Promise<string | null> {
  const message = form.get("message");
  const pathname = new URL(page, "http://ares.invalid").pathname;
  if (typeof message !== "string" || !message.trim() || !COMPOSER_ADDRESS.test(pathname)) return null;
  return keepUnsentCookie({ page: pathname, message, user: userId });
}

function isStoredUnsent(value: unknown): value is StoredUnsent {
  if (typeof value !== "object" || value === null) return false;
  const { page, message, user } = value as Record<string, unknown>;
  return typeof page === "string" && typeof message === "string" && typeof user === "string";
}

/** The Set-Cookie that drops a kept message (signing out: it was the person's leaving). */
export function clearUnsentCookie(): Promise<string> {
  return unsentCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}

/**
 * `userId`'s unsent message kept for this page, taken once (the headers clear the cookie; return them
 * with the loader's data). Another page's message stays for that page; someone else's is dropped unseen.
 */
export async function takeUnsentMessage(
  request: Request,
  userId: string,
): Promise<{ message: string | null; headers: Headers }> {
  const headers = new Headers();
  const cookieHeader = request.headers.get("cookie");
  if (!cookieHeader?.includes(`${UNSENT_COOKIE}=`)) return { message: null, headers };
  const value: unknown = await unsentCookie().parse(cookieHeader);
  const valid = isStoredUnsent(value);
  const mine = valid && value.user === userId;
  if (mine && value.page !== new URL(request.url).pathname) return { message: null, headers };
  headers.append("Set-Cookie", await clearUnsentCookie());
  return { message: mine ? value.message : null, headers };
}

/**
 * The 401 page a signed-out send gets: what happened, the text in a box to copy, and the way to sign in
 * and back to the conversation (`kept`: the cookie carries the text there).
 */
export function unsentMessageHtml(options: {
  message: string;
  signInAddress: string;
  kept: boolean;
  /** It held a NUL (shown as U+FFFD), so it was not kept: say why. */
  hadNul?: boolean;
  theme: Theme;
}): string {
  const after = options.hadNul
    ? NUL_NOT_KEPT
    : options.kept
      ? "Sign in again and it will be back in the message box."
      : "It is not kept while you sign in: copy it first, then sign in again.";
  // The HTML parser drops the newline right after <textarea>: the text's own leading blank line stays.
  return signedOutPageHtml({
    theme: options.theme,
    signInAddress: options.signInAddress,
    textareaCss: "box-sizing:border-box;width:100%;min-height:10rem;font:inherit;padding:.5rem",
    body: `<p role="alert" data-status="signed-out">Your session ended before your message was sent, so it was not sent. ${after}</p>
<label for="unsent-message">Your message (not sent)</label>
<textarea id="unsent-message" name="message" rows="8">
${escapeHtml(options.message)}</textarea>`,
  });
}
