import { prisma } from "~/db/db.server";
import type { Prisma } from "~/generated/prisma/client";
import type { Role } from "~/generated/prisma/enums";
import { hashPassword, verifyAgainstDecoy, verifyPassword } from "./password.server";

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
  | { ok: true; user: { id: string; email: string } }
  | { ok: false; reason: "unknown_email" | "wrong_password" | "no_password" | "disabled"; userId?: string };

/** Checks an email and password. Callers must show the same message for every failure reason. */
export async function authenticateWithPassword(email: string, password: string): Promise<PasswordLoginResult> {
  const user = await prisma.user.findUnique({
    where: { email: normaliseEmail(email) },
    relationLoadStrategy: "join",
    select: { id: true, email: true, disabledAt: true, password: { select: { hash: true } } },
  });
  if (!user) return { ok: false, reason: await verifyAgainstDecoy(password).then(() => "unknown_email" as const) };
  if (!user.password) {
    await verifyAgainstDecoy(password);
    return { ok: false, reason: "no_password", userId: user.id };
  }
  if (!(await verifyPassword(user.password.hash, password)))
    return { ok: false, reason: "wrong_password", userId: user.id };
  if (user.disabledAt) return { ok: false, reason: "disabled", userId: user.id };
  return { ok: true, user: { id: user.id, email: user.email } };
}

/**
 * Replaces the password after checking the current one; null when the current one is wrong, else the
 * moment the change took effect. Every known-device cookie of the account issued before that moment
 * stops counting with it, in the same commit (device-cookie.server.ts): a cookie copied while the old
 * password was known must not outlive it. The moment is taken after Argon2's work (tens of ms), just
 * before the commit, so a cookie issued by a sign-in with the old password meanwhile is revoked too.
 */
export async function changePassword(
  userId: string,
  currentPassword: string,
  newPassword: string,
): Promise<Date | null> {
  const existing = await prisma.password.findUnique({ where: { userId }, select: { hash: true } });
  if (existing && !(await verifyPassword(existing.hash, currentPassword))) return null;
  const hash = await hashPassword(newPassword);
  const at = new Date();
  await prisma.$transaction([
    prisma.password.upsert({ where: { userId }, update: { hash }, create: { userId, hash } }),
    prisma.user.update({ where: { id: userId }, data: { devicesValidFrom: at }, select: { id: true } }),
  ]);
  return at;
}

export function hasPassword(userId: string): Promise<boolean> {
  return prisma.password.count({ where: { userId } }).then((count) => count > 0);
}
