import type { Prisma } from "~/generated/prisma/client";
import { revokeOtherSessions } from "~/sessions/sessions.server";

/**
 * Ending an account's sign-ins (a password change or reset, "sign out everywhere else", disabling) must also
 * end those still under way: a sign-in that checked the old password just before the change, and writes its
 * session and device cookie just after, must not produce either that survives it.
 *
 * So each revocation increments `User.credentialGeneration`, and a password sign-in carries the value it read
 * with the password hash:
 * - its session is written only while the account's generation is still that value, under a share lock on
 *   the account row (sessions.server.ts, createSession): either the session commits first and is then revoked
 *   here (the increment waits for the lock, and the sessions are ended after it), or the increment commits
 *   first and the sign-in sees a new generation and writes nothing;
 * - its device cookie is signed with that value and honoured only while it is current (device-cookie.server.ts).
 */
export type RevokedSignIns = { generation: number; sessionsEnded: number };

/**
 * In the caller's transaction: increments the generation (first: the row lock orders this against sign-ins
 * under way), then ends every session of the account but `keepSessionId`, and every password reset link not
 * yet used (a credential too: whoever holds one must not outlast the revocation). The generation returned is
 * the one a browser that made the change may be given a fresh device cookie for.
 */
export async function revokeSignIns(
  tx: Pick<Prisma.TransactionClient, "user" | "session" | "passwordResetLink">,
  userId: string,
  { keepSessionId, now = new Date() }: { keepSessionId?: string; now?: Date } = {},
): Promise<RevokedSignIns> {
  const { credentialGeneration } = await tx.user.update({
    where: { id: userId },
    data: { credentialGeneration: { increment: 1 } },
    select: { credentialGeneration: true },
  });
  const sessionsEnded = await revokeOtherSessions(userId, keepSessionId, now, tx);
  await tx.passwordResetLink.deleteMany({ where: { userId, usedAt: null } });
  return { generation: credentialGeneration, sessionsEnded };
}
