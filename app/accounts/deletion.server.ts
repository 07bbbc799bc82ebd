import { normaliseEmail } from "~/auth/accounts.server";
import { recordAudit, type AuditOrigin } from "~/audit/audit.server";
import type { SessionUser } from "~/sessions/types";
import { isLastActiveAdmin, withAdminLock } from "./admins.server";

type DeletionResult = { ok: true } | { ok: false; reason: "email_mismatch" | "last_admin" };

/**
 * Deletes my account and, through the schema's cascades, my sessions, password, conversations and
 * memories (facts, preferences, proposals, summaries, stored prompts). The audit row is
 * written in the same transaction, before the delete: it keeps my email after its actor id is cleared.
 */
export async function deleteMyAccount(
  user: SessionUser,
  confirmEmail: string,
  origin: Omit<AuditOrigin, "actor">,
): Promise<DeletionResult> {
  if (normaliseEmail(confirmEmail) !== normaliseEmail(user.email)) return { ok: false, reason: "email_mismatch" };
  const deleted = await withAdminLock(async (tx) => {
    if (await isLastActiveAdmin(tx, user.id)) return false;
    await recordAudit(
      { actor: user, ...origin },
      { action: "account.delete", outcome: "success", target: { type: "user", id: user.id } },
      tx,
    );
    await tx.user.delete({ where: { id: user.id } });
    return true;
  });
  if (deleted) return { ok: true };
  await recordAudit(
    { actor: user, ...origin },
    { action: "account.delete", outcome: "failure", details: { reason: "last_admin" } },
  );
  return { ok: false, reason: "last_admin" };
}
