import { prisma } from "~/db/db.server";
import type { Prisma } from "~/generated/prisma/client";

// Serialises every change that can take away an admin, so two concurrent demotions cannot both pass the check.
const ADMIN_CHANGE_LOCK = 0x41524532;

/** Runs `work` in a transaction that holds the admin-change lock. */
export function withAdminLock<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_CHANGE_LOCK})`;
    return work(tx);
  });
}

/** True when `userId` is the only active (not disabled) admin, so demoting, disabling or deleting it is refused. */
export async function isLastActiveAdmin(tx: Prisma.TransactionClient, userId: string): Promise<boolean> {
  const target = await tx.user.findUnique({ where: { id: userId }, select: { role: true, disabledAt: true } });
  if (!target || target.role !== "admin" || target.disabledAt) return false;
  const others = await tx.user.count({ where: { role: "admin", disabledAt: null, id: { not: userId } } });
  return others === 0;
}
