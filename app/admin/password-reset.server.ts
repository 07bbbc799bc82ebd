import { createHash, randomBytes, randomInt } from "node:crypto";
import { recordAudit, type AuditOrigin } from "~/audit/audit.server";
import { lockUser, normaliseEmail, resetPassword } from "~/auth/accounts.server";
import { isWeakPassword, WEAK_PASSWORD_MESSAGE } from "~/auth/password-strength.server";
import { newPasswordField } from "~/auth/schemas";
import { config } from "~/config/env.server";
import { prisma } from "~/db/db.server";
import { RESET_LINK_HOURS } from "./schemas";
import type { SessionUser } from "~/sessions/types";

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
  | { ok: false; reason: "unknown_email" | "invalid_password" | "passwords_off"; message: string };

/**
 * Sets `password` as the account's new one, ending its sessions and device cookies; audited in the same
 * commit, with `operator` (who ran the command, e.g. `root@host`: no account of ours did it).
 */
export async function resetPasswordAsOperator(
  email: string,
  password: string,
  operator: string,
): Promise<OperatorReset> {
  // With LOCAL_LOGIN=false a password signs no one in: setting one would only mislead whoever gets it.
  if (!config().localLogin) {
    return {
      ok: false,
      reason: "passwords_off",
      message: "Password sign-in is turned off on this server (LOCAL_LOGIN=false): a password would sign no one in.",
    };
  }
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
  const revoked = await resetPassword(account.id, password, {
    alongside: (tx, { sessionsEnded }) =>
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
  });
  // Deleted between the look-up and the reset.
  if (!revoked) return { ok: false, reason: "unknown_email", message: `No account has the email ${email}.` };
  return { ok: true, email: account.email, sessionsEnded: revoked.sessionsEnded };
}

const RESET_LINK_MS = RESET_LINK_HOURS * 60 * 60 * 1000;

const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * A one-time link for this account to set a new password, for an admin to hand over (ARES sends no email).
 * The token is returned once; the table keeps its digest. An older link of the account stops working.
 * Not for the admin's own account: they change it in Settings → Password, with their current one (a link
 * would let a stolen admin session take the account over). Another admin's account is allowed (someone
 * has to be able to let them back in) and its audit record says the target is an admin.
 */
export async function createResetLink(
  actor: SessionUser,
  targetId: string,
  origin: Omit<AuditOrigin, "actor">,
  now = new Date(),
): Promise<
  { ok: true; token: string; expiresAt: Date } | { ok: false; reason: "not_found" | "self" | "passwords_off" }
> {
  // With LOCAL_LOGIN=false a password signs no one in: a link to set one would only mislead (the admin's
  // page offers none; this holds for any other caller too).
  if (!config().localLogin) return { ok: false, reason: "passwords_off" };
  if (actor.id === targetId) return { ok: false, reason: "self" };
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + RESET_LINK_MS);
  return prisma.$transaction(async (tx) => {
    // The account row first, as a revocation takes it: a link made while one is under way waits for it
    // (and so does not outlive it), and no two transactions wait for each other.
    if (!(await lockUser(tx, targetId))) {
      return { ok: false as const, reason: "not_found" as const };
    }
    await tx.passwordResetLink.deleteMany({ where: { userId: targetId, usedAt: null } });
    const link = await tx.passwordResetLink.create({
      data: { userId: targetId, tokenHash: tokenHash(token), expiresAt, createdById: actor.id },
      select: { id: true, user: { select: { role: true } } },
    });
    await recordAudit(
      { actor, ...origin },
      {
        action: "password.reset_link",
        outcome: "success",
        target: { type: "user", id: targetId },
        details: { expiresAt: expiresAt.toISOString(), linkId: link.id, targetRole: link.user.role },
      },
      tx,
    );
    return { ok: true as const, token, expiresAt };
  });
}

export type ResetLinkState =
  { state: "valid"; id: string; email: string; expiresAt: Date } | { state: "expired" | "used" | "unknown" };

/** What a reset link's token opens: the form for this account, or why not. */
export async function resetLinkState(token: string, now = new Date()): Promise<ResetLinkState> {
  // A token is 43 characters of base64url: anything else is no link of ours (and costs no query).
  if (!/^[\w-]{43}$/.test(token)) return { state: "unknown" };
  const link = await prisma.passwordResetLink.findUnique({
    where: { tokenHash: tokenHash(token) },
    select: { id: true, expiresAt: true, usedAt: true, user: { select: { email: true } } },
  });
  if (!link) return { state: "unknown" };
  if (link.usedAt) return { state: "used" };
  if (link.expiresAt <= now) return { state: "expired" };
  return { state: "valid", id: link.id, email: link.user.email, expiresAt: link.expiresAt };
}

export type LinkReset =
  | { ok: true; email: string }
  | { ok: false; reason: "expired" | "used" | "unknown" }
  // The token is another link's than the form was shown for (opened in another tab since): nothing set.
  | { ok: false; reason: "other_link"; email: string }
  | { ok: false; reason: "invalid_password"; message: string };

/**
 * Sets the password a reset link's holder chose: judged as a chosen one is (ADR 014), the link taken once
 * (two posts at the same moment: one wins, the other is told it was used), every session and device cookie
 * of the account ended, audited — all in one commit. With `shownLinkId` (the link a form was shown for), a
 * token of another link (opened since in another tab of the browser, whose cookie holds the later) sets nothing.
 */
export async function resetPasswordWithLink(
  token: string,
  password: string,
  origin: Omit<AuditOrigin, "actor">,
  { now = new Date(), shownLinkId }: { now?: Date; shownLinkId?: string } = {},
): Promise<LinkReset> {
  const state = await resetLinkState(token, now);
  if (state.state !== "valid") return { ok: false, reason: state.state };
  if (shownLinkId !== undefined && shownLinkId !== state.id)
    return { ok: false, reason: "other_link", email: state.email };
  const link = await prisma.passwordResetLink.findUnique({
    where: { id: state.id },
    select: { id: true, createdById: true, user: { select: { id: true, email: true, name: true } } },
  });
  // Deleted since (a revocation of the account's sign-ins ends its unused links): as if never there.
  if (!link) return { ok: false, reason: "unknown" };
  const { user } = link;
  const shape = newPasswordField.safeParse(password);
  if (!shape.success) return { ok: false, reason: "invalid_password", message: shape.error.issues[0]!.message };
  if (isWeakPassword(password, [user.email, user.name])) {
    return { ok: false, reason: "invalid_password", message: WEAK_PASSWORD_MESSAGE };
  }
  const revoked = await resetPassword(user.id, password, {
    claim: async (tx) =>
      (
        await tx.passwordResetLink.updateMany({
          where: { id: link.id, usedAt: null, expiresAt: { gt: now } },
          data: { usedAt: now },
        })
      ).count === 1,
    alongside: (tx, { sessionsEnded }) =>
      recordAudit(
        { actor: { id: user.id, email: user.email }, ...origin },
        {
          action: "password.reset",
          outcome: "success",
          target: { type: "user", id: user.id },
          // Whose link it was: the admin who made it (the person using it is the actor).
          details: { via: "link", linkId: link.id, linkCreatedById: link.createdById, sessionsEnded },
        },
        tx,
      ),
  });
  if (!revoked) {
    const after = await resetLinkState(token, now);
    return { ok: false, reason: after.state === "valid" ? "used" : after.state };
  }
  return { ok: true, email: user.email };
}
