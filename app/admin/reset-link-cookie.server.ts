import { redirect } from "@remix-run/node";
import { signedCookie } from "~/http/signed-cookie.server";
import { RESET_LINK_HOURS } from "./schemas";

/**
 * A reset link's token, moved out of the address: opened, /reset-password/<token> puts it in this cookie and
 * redirects to the form (RESET_FORM_PATH), so the token stays out of the address bar, the back/forward list
 * and the Referer of everything the form's page loads or posts. httpOnly and signed (it is a credential),
 * SameSite=Lax (Strict would not be sent after a link clicked in a mail or chat app: that navigation starts
 * on another site), Secure in production, and sent only under /reset-password: the form lives at
 * /reset-password/new because a cookie for the path /reset-password would not reach /reset-password.data,
 * where Remix sends the form's post with JavaScript. It lives as long as the link does (at most an hour).
 * After the password is set it holds, for a minute, only whose password that was, for the confirmation of
 * someone signed in here as another person; then it is cleared.
 */
const RESET_LINK_COOKIE = "__ares_reset_token";
export const RESET_FORM_PATH = "/reset-password/new";

const cookie = (maxAgeSeconds: number) =>
  signedCookie(RESET_LINK_COOKIE, { path: "/reset-password", maxAgeSeconds: Math.max(0, maxAgeSeconds) });

export type ResetCookie = { token: string } | { setFor: string } | null;

/** What this browser's cookie holds: the token of the link it last opened, or whose password it just set. */
export async function readResetCookie(request: Request): Promise<ResetCookie> {
  const header = request.headers.get("cookie");
  if (!header?.includes(`${RESET_LINK_COOKIE}=`)) return null;
  const value: unknown = await cookie(0).parse(header);
  if (typeof value !== "object" || value === null) return null;
  const { token, setFor } = value as Record<string, unknown>;
  if (typeof token === "string") return { token };
  if (typeof setFor === "string") return { setFor };
  return null;
}

/** A 303 to the form, with the token in the cookie for as long as the link works (at most an hour). */
export async function redirectToResetForm(token: string, expiresAt: Date, now = new Date()): Promise<Response> {
  const seconds = Math.min(RESET_LINK_HOURS * 60 * 60, Math.ceil((expiresAt.getTime() - now.getTime()) / 1000));
  return redirect(RESET_FORM_PATH, {
    status: 303,
    headers: { "Set-Cookie": await cookie(seconds).serialize({ token }), "Cache-Control": "no-store" },
  });
}

/** The token replaced by whose password was set, for the next page only. */
export async function setForCookie(email: string): Promise<string> {
  return cookie(60).serialize({ setFor: email });
}

export async function clearResetCookie(): Promise<string> {
  return cookie(0).serialize("", { maxAge: 0, expires: new Date(0) });
}
