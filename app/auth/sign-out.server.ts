import { recordAudit } from "~/audit/audit.server";
import { clearSessionCookie } from "~/sessions/cookie.server";
import { revokeSession } from "~/sessions/sessions.server";
import type { ActiveSession, SessionUser } from "~/sessions/types";
import type { RequestOrigin } from "./sign-in.server";

/** Ends the current session; returns the Set-Cookie header that clears the browser's cookie. */
export async function signOut(user: SessionUser, session: ActiveSession, origin: RequestOrigin): Promise<string> {
  await revokeSession(user.id, session.id);
  await recordAudit(
    { actor: user, ...origin },
    { action: "logout", outcome: "success", target: { type: "session", id: session.id } },
  );
  return clearSessionCookie();
}
