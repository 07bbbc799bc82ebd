import { changePassword } from "~/auth/accounts.server";
import { deviceCookieHeader } from "~/auth/device-cookie.server";
import { recordAudit, type AuditOrigin } from "~/audit/audit.server";
import { serializeSessionCookie } from "~/sessions/cookie.server";
import { rotateSession } from "~/sessions/sessions.server";
import type { SessionUser } from "~/sessions/types";

type PasswordChangeResult =
  { ok: true; signedOut: number; setCookies: string[] } | { ok: false; reason: "wrong_password" };

/**
 * Sets a new password after checking the current one (accounts without a password set one without it),
 * and in the same commit signs out every other session: whoever knew the old password is locked out. This session gets
 * a new id (returned as Set-Cookie), so a copy of the old cookie is worthless too. Known-device cookies
 * issued before the change stop counting; this browser gets a fresh one (it has just shown the password,
 * as a sign-in does).
 */
export async function changeMyPassword(
  user: SessionUser,
  currentSessionId: string,
  passwords: { currentPassword: string | undefined; newPassword: string },
  origin: Omit<AuditOrigin, "actor">,
): Promise<PasswordChangeResult> {
  const changed = await changePassword(
    user.id,
    passwords.currentPassword ?? "",
    passwords.newPassword,
    currentSessionId,
  );
  if (!changed) {
    await recordAudit(
      { actor: user, ...origin },
      { action: "password.change", outcome: "failure", details: { reason: "wrong_password" } },
    );
    return { ok: false, reason: "wrong_password" };
  }
  const signedOut = changed.sessionsEnded;
  const rotated = await rotateSession(currentSessionId);
  const setCookies = [
    ...(rotated ? [await serializeSessionCookie(rotated.secret, rotated.persistent)] : []),
    deviceCookieHeader(user.email, changed.generation),
  ];
  await recordAudit(
    { actor: user, ...origin },
    { action: "password.change", outcome: "success", details: { otherSessionsSignedOut: signedOut } },
  );
  return { ok: true, signedOut, setCookies };
}
