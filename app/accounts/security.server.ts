import { changePassword } from "~/auth/accounts.server";
import { recordAudit, type AuditOrigin } from "~/audit/audit.server";
import { revokeOtherSessions } from "~/sessions/sessions.server";
import type { SessionUser } from "~/sessions/types";

type PasswordChangeResult = { ok: true; signedOut: number } | { ok: false; reason: "wrong_password" };

/**
 * Sets a new password after checking the current one (accounts without a password set one without it),
 * then signs out every other session: whoever knew the old password is locked out.
 */
export async function changeMyPassword(
  user: SessionUser,
  currentSessionId: string,
  passwords: { currentPassword: string | undefined; newPassword: string },
  origin: Omit<AuditOrigin, "actor">,
): Promise<PasswordChangeResult> {
  const changed = await changePassword(user.id, passwords.currentPassword ?? "", passwords.newPassword);
  if (!changed) {
    await recordAudit(
      { actor: user, ...origin },
      { action: "password.change", outcome: "failure", details: { reason: "wrong_password" } },
    );
    return { ok: false, reason: "wrong_password" };
  }
  const signedOut = await revokeOtherSessions(user.id, currentSessionId);
  await recordAudit(
    { actor: user, ...origin },
    { action: "password.change", outcome: "success", details: { otherSessionsSignedOut: signedOut } },
  );
  return { ok: true, signedOut };
}
