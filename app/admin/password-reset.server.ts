import { randomInt } from "node:crypto";
import { recordAudit } from "~/audit/audit.server";
import { normaliseEmail, resetPassword } from "~/auth/accounts.server";
import { isWeakPassword, WEAK_PASSWORD_MESSAGE } from "~/auth/password-strength.server";
import { newPasswordField } from "~/auth/schemas";
import { prisma } from "~/db/db.server";

/**
 * An operator's password reset (`npm run user:password`): ARES sends no email, so someone who forgot their
 * password asks whoever runs the server. The new password is checked as a chosen one is (ADR 014), and every
 * session and known-device cookie of the account ends with the old one (revocation.server.ts).
 */

// No 0/O, 1/l/I: read aloud or copied from a terminal by hand, nothing is mistaken for something else.
const ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const GROUPS = 4;
const GROUP_LENGTH = 5;

/** 20 random characters of 57 (~117 bits), in dash-separated groups of five. */
export function generatePassword(): string {
  return Array.from({ length: GROUPS }, () =>
    Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(""),
  ).join("-");
}

export type OperatorReset =
  | { ok: true; email: string; sessionsEnded: number }
  | { ok: false; reason: "unknown_email" | "invalid_password"; message: string };

/**
 * Sets `password` as the account's new one, ending its sessions and device cookies; audited in the same
 * commit, with `operator` (who ran the command, e.g. `root@host`: no account of ours did it).
 */
export async function resetPasswordAsOperator(
  email: string,
  password: string,
  operator: string,
): Promise<OperatorReset> {
  const account = await prisma.user.findUnique({
    where: { email: normaliseEmail(email) },
    select: { id: true, email: true, name: true },
  });
  if (!account) return { ok: false, reason: "unknown_email", message: `No account has the email ${email}.` };
  const shape = newPasswordField.safeParse(password);
  if (!shape.success) return { ok: false, reason: "invalid_password", message: shape.error.issues[0]!.message };
  if (isWeakPassword(password, [account.email, account.name])) {
    return { ok: false, reason: "invalid_password", message: WEAK_PASSWORD_MESSAGE };
  }
  const revoked = await resetPassword(account.id, password, (tx, { sessionsEnded }) =>
    recordAudit(
      { actor: null },
      {
        action: "password.reset",
        outcome: "success",
        target: { type: "user", id: account.id },
        details: { via: "cli", operator: operator.slice(0, 200), sessionsEnded },
      },
      tx,
    ),
  );
  // Deleted between the look-up and the reset.
  if (!revoked) return { ok: false, reason: "unknown_email", message: `No account has the email ${email}.` };
  return { ok: true, email: account.email, sessionsEnded: revoked.sessionsEnded };
}
