import { signedCookie } from "~/http/signed-cookie.server";

export const SESSION_COOKIE_NAME = "__ares_session";
export const PERSISTENT_SESSION_DAYS = 30;

function sessionCookie() {
  // The value is only the session secret, signed (the row stores its digest); everything else lives in the database.
  return signedCookie(SESSION_COOKIE_NAME);
}

/** The session id in a request's cookie header, or null when absent or not signed by us. */
export async function readSessionId(cookieHeader: string | null | undefined): Promise<string | null> {
  if (!cookieHeader?.includes(SESSION_COOKIE_NAME)) return null;
  const value: unknown = await sessionCookie().parse(cookieHeader);
  return typeof value === "string" && value.length > 0 ? value : null;
}

/** Set-Cookie for a new session: a browser-session cookie, or one that lasts 30 days ("remember me"). */
export function serializeSessionCookie(sessionId: string, persistent: boolean): Promise<string> {
  return sessionCookie().serialize(sessionId, persistent ? { maxAge: PERSISTENT_SESSION_DAYS * 24 * 60 * 60 } : {});
}

export function clearSessionCookie(): Promise<string> {
  return sessionCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}
