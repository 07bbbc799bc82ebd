import { prisma } from "~/db/db.server";
import type { Prisma } from "~/generated/prisma/client";
import type { Role } from "~/generated/prisma/enums";
import { hashPassword, verifyAgainstDecoy, verifyPassword } from "./password.server";
import { revokeSignIns, type RevokedSignIns } from "./revocation.server";

// Serialises "is this the first account?" so two simultaneous first signups cannot both become admin.
const FIRST_ACCOUNT_LOCK = 0x41524531;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class EmailTakenError extends Error {
  constructor() {
    super("An account with this email already exists.");
    this.name = "EmailTakenError";
  }
}

export type NewAccount = {
  email: string;
  name?: string | null;
  password?: string;
  auth0Sub?: string;
  /** Forces a role; otherwise the first account on an instance becomes admin. */
  role?: Role;
};

type CreatedAccount = { id: string; email: string; role: Role };

/**
 * Creates an account; the first one on a fresh instance becomes admin. `alongside` writes in the same
 * transaction (the sign-up's audit record: one commit, so a new address costs no more disk flushes than
 * a taken one, whose answer must not come measurably sooner).
 */
export async function createAccount(
  input: NewAccount,
  alongside?: (tx: Prisma.TransactionClient, user: CreatedAccount) => Promise<void>,
): Promise<CreatedAccount> {
  const email = normaliseEmail(input.email);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_ACCOUNT_LOCK})`;
    if (await tx.user.findUnique({ where: { email }, select: { id: true } })) throw new EmailTakenError();
    // Whether any account exists, not how many: counting them all grew with the instance.
    const isFirst = (await tx.user.findFirst({ select: { id: true } })) === null;
    const user = await tx.user.create({
      data: {
        email,
        name: input.name?.trim() || null,
        role: input.role ?? (isFirst ? "admin" : "user"),
        auth0Sub: input.auth0Sub ?? null,
        ...(passwordHash ? { password: { create: { hash: passwordHash } } } : {}),
      },
      select: { id: true, email: true, role: true },
    });
    await alongside?.(tx, user);
    return user;
  });
}

export type PasswordLoginResult =
  | { ok: true; user: { id: string; email: string }; generation: number }
  | { ok: false; reason: "unknown_email" | "wrong_password" | "no_password" | "disabled"; userId?: string };

/**
 * Checks an email and password. Callers must show the same message for every failure reason. `generation`:
 * the account's credentialGeneration read with the hash, for the session and device cookie the sign-in
 * issues (revocation.server.ts).
 */
export async function authenticateWithPassword(email: string, password: string): Promise<PasswordLoginResult> {
  const user = await prisma.user.findUnique({
    where: { email: normaliseEmail(email) },
    relationLoadStrategy: "join",
    select: {
      id: true,
      email: true,
      disabledAt: true,
      credentialGeneration: true,
      password: { select: { hash: true } },
    },
  });
  if (!user) return { ok: false, reason: await verifyAgainstDecoy(password).then(() => "unknown_email" as const) };
  if (!user.password) {
    await verifyAgainstDecoy(password);
    return { ok: false, reason: "no_password", userId: user.id };
  }
  if (!(await verifyPassword(user.password.hash, password)))
    return { ok: false, reason: "wrong_password", userId: user.id };
  if (user.disabledAt) return { ok: false, reason: "disabled", userId: user.id };
  return { ok: true, user: { id: user.id, email: user.email }, generation: user.credentialGeneration };
}

/**
 * Replaces the password after checking the current one; null when the current one is wrong. In the same
 * commit every other session of the account ends and its known-device cookies stop counting
 * (revokeSignIns): whoever knew the old password is locked out, and so is a sign-in that checked it just
 * before the change. Returns the new generation (this browser's fresh device cookie) and how many sessions
 * ended.
 */
export async function changePassword(
  userId: string,
  currentPassword: string,
  newPassword: string,
  keepSessionId?: string,
): Promise<RevokedSignIns | null> {
  const existing = await prisma.password.findUnique({ where: { userId }, select: { hash: true } });
  if (existing && !(await verifyPassword(existing.hash, currentPassword))) return null;
  const hash = await hashPassword(newPassword);
  return prisma.$transaction(async (tx) => {
    await tx.password.upsert({ where: { userId }, update: { hash }, create: { userId, hash } });
    return revokeSignIns(tx, userId, { keepSessionId });
  });
}

/**
 * Sets a password without the current one (an operator's reset, or a reset link): every session and
 * known-device cookie of the account ends with it. In the same transaction, `claim` runs first (a reset
 * link taken, once: false leaves everything as it was) and `alongside` last (the audit record). Null when
 * no account has this id or the claim was refused.
 */
export async function resetPassword(
  userId: string,
  newPassword: string,
  {
    claim,
    alongside,
  }: {
    claim?: (tx: Prisma.TransactionClient) => Promise<boolean>;
    alongside?: (tx: Prisma.TransactionClient, revoked: RevokedSignIns) => Promise<void>;
  } = {},
): Promise<RevokedSignIns | null> {
  const hash = await hashPassword(newPassword);
  return prisma.$transaction(async (tx) => {
    // The account row first, as every revocation takes it (revocation.server.ts): claiming the link first
    // and waiting for the account while a revocation holds it and waits to delete the link deadlocked.
    if (!(await lockUser(tx, userId))) return null;
    if (claim && !(await claim(tx))) return null;
    await tx.password.upsert({ where: { userId }, update: { hash }, create: { userId, hash } });
    const revoked = await revokeSignIns(tx, userId);
    await alongside?.(tx, revoked);
    return revoked;
  });
}

/**
 * Locks the account's row for the rest of the transaction (false: no account has this id). Whatever also
 * touches the account's sessions or reset links takes this first, as revokeSignIns does, so no two
 * transactions wait for each other.
 */
export async function lockUser(tx: Prisma.TransactionClient, userId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "User" WHERE id = ${userId} FOR UPDATE`;
  return rows.length === 1;
}

export function hasPassword(userId: string): Promise<boolean> {
  return prisma.password.count({ where: { userId } }).then((count) => count > 0);
}
