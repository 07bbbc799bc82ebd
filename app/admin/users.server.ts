import { isLastActiveAdmin, withAdminLock } from "~/accounts/admins.server";
import { formatDateTime } from "~/accounts/time-zone";
import { recordAudit, type AuditOrigin } from "~/audit/audit.server";
import { revokeSignIns } from "~/auth/revocation.server";
import { prisma } from "~/db/db.server";
import { likeLiteral } from "~/db/like";
import type { Prisma } from "~/generated/prisma/client";
import type { Role } from "~/generated/prisma/enums";
import type { SessionUser } from "~/sessions/types";
import { describeUserAgent } from "~/sessions/user-agent";
import type { CreatedAtCursor } from "~/validation/cursor";

const USERS_PAGE_SIZE = 25;

type UserListQuery = { search?: string | undefined; cursor?: CreatedAtCursor | null; limit?: number };

/**
 * Accounts newest first, keyset-paginated on (createdAt, id) with the User(createdAt, id) index, and each
 * page's live-session counts in one grouped query: two statements per page, however many rows.
 */
export async function listUsers({ search, cursor, limit = USERS_PAGE_SIZE }: UserListQuery, now = new Date()) {
  const term = search?.trim() ? likeLiteral(search.trim()) : undefined;
  const where: Prisma.UserWhereInput = {
    AND: [
      term
        ? {
            OR: [{ email: { contains: term, mode: "insensitive" } }, { name: { contains: term, mode: "insensitive" } }],
          }
        : {},
      cursor
        ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] }
        : {},
    ],
  };
  const rows = await prisma.user.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: { id: true, email: true, name: true, role: true, disabledAt: true, createdAt: true },
  });
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const counts = page.length
    ? await prisma.session.groupBy({
        by: ["userId"],
        where: { userId: { in: page.map((user) => user.id) }, revokedAt: null, expiresAt: { gt: now } },
        _count: { _all: true },
      })
    : [];
  const sessionsByUser = new Map(counts.map((row) => [row.userId, row._count._all]));
  const last = page.at(-1);
  return {
    users: page.map((user) => ({ ...user, activeSessions: sessionsByUser.get(user.id) ?? 0 })),
    next: hasMore && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}

export type AdminChangeResult =
  { ok: true; changed: boolean } | { ok: false; reason: "not_found" | "last_admin" | "self_disable" };

async function refused(
  actor: SessionUser,
  origin: Omit<AuditOrigin, "actor">,
  action: "user.role_change" | "user.disable",
  targetId: string,
  reason: "last_admin" | "self_disable",
): Promise<AdminChangeResult> {
  await recordAudit(
    { actor, ...origin },
    { action, outcome: "failure", target: { type: "user", id: targetId }, details: { reason } },
  );
  return { ok: false, reason };
}

/** Makes an account admin or user; the last active admin cannot be demoted. */
export async function changeUserRole(
  actor: SessionUser,
  targetId: string,
  role: Role,
  origin: Omit<AuditOrigin, "actor">,
): Promise<AdminChangeResult> {
  const result = await withAdminLock(async (tx): Promise<AdminChangeResult | "last_admin"> => {
    const target = await tx.user.findUnique({ where: { id: targetId }, select: { role: true } });
    if (!target) return { ok: false, reason: "not_found" };
    if (target.role === role) return { ok: true, changed: false };
    if (role !== "admin" && (await isLastActiveAdmin(tx, targetId))) return "last_admin";
    await tx.user.update({ where: { id: targetId }, data: { role } });
    await recordAudit(
      { actor, ...origin },
      {
        action: "user.role_change",
        outcome: "success",
        target: { type: "user", id: targetId },
        details: { from: target.role, to: role },
      },
      tx,
    );
    return { ok: true, changed: true };
  });
  return result === "last_admin" ? refused(actor, origin, "user.role_change", targetId, "last_admin") : result;
}

/**
 * Disables or re-enables an account. Disabling ends all its sessions and known-device cookies in the
 * same transaction (the session lookup refuses disabled accounts anyway; revoking makes it visible and
 * permanent).
 */
export async function setUserDisabled(
  actor: SessionUser,
  targetId: string,
  disabled: boolean,
  origin: Omit<AuditOrigin, "actor">,
): Promise<AdminChangeResult> {
  if (disabled && targetId === actor.id) return refused(actor, origin, "user.disable", targetId, "self_disable");
  const result = await withAdminLock(async (tx): Promise<AdminChangeResult | "last_admin"> => {
    const target = await tx.user.findUnique({ where: { id: targetId }, select: { disabledAt: true } });
    if (!target) return { ok: false, reason: "not_found" };
    if (Boolean(target.disabledAt) === disabled) return { ok: true, changed: false };
    if (disabled && (await isLastActiveAdmin(tx, targetId))) return "last_admin";
    const now = new Date();
    await tx.user.update({ where: { id: targetId }, data: { disabledAt: disabled ? now : null } });
    // Its known-device cookies end too, and any sign-in under way (revokeSignIns): re-enabled, a copied
    // cookie must not count again, nor a session written after this must open the account.
    const revoked = disabled ? (await revokeSignIns(tx, targetId, { now })).sessionsEnded : 0;
    await recordAudit(
      { actor, ...origin },
      {
        action: disabled ? "user.disable" : "user.enable",
        outcome: "success",
        target: { type: "user", id: targetId },
        ...(disabled ? { details: { sessionsRevoked: revoked } } : {}),
      },
      tx,
    );
    return { ok: true, changed: true };
  });
  return result === "last_admin" ? refused(actor, origin, "user.disable", targetId, "last_admin") : result;
}

/** One account as an admin sees it, with its live sessions and recent audit trail; the view is audited. */
export async function viewUser(actor: SessionUser, userId: string, origin: Omit<AuditOrigin, "actor">) {
  const now = new Date();
  const user = await prisma.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      email: true,
      name: true,
      role: true,
      timeZone: true,
      disabledAt: true,
      createdAt: true,
      updatedAt: true,
      auth0Sub: true,
    },
  });
  if (!user) return null;
  const [sessions, events] = await Promise.all([
    prisma.session.findMany({
      where: { userId, revokedAt: null, expiresAt: { gt: now } },
      orderBy: { lastSeenAt: "desc" },
      select: { createdAt: true, lastSeenAt: true, ip: true, userAgent: true, method: true },
    }),
    prisma.auditEvent.findMany({
      where: { OR: [{ actorId: userId }, { targetId: userId }] },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 20,
      select: { id: true, createdAt: true, actorEmail: true, action: true, outcome: true, ip: true, targetId: true },
    }),
  ]);
  await recordAudit(
    { actor, ...origin },
    { action: "user.view", outcome: "success", target: { type: "user", id: userId } },
  );
  const zone = actor.timeZone;
  return {
    user: {
      ...user,
      created: formatDateTime(user.createdAt, zone),
      disabled: user.disabledAt ? formatDateTime(user.disabledAt, zone) : null,
    },
    sessions: sessions.map((session) => ({
      ...describeUserAgent(session.userAgent),
      ip: session.ip,
      method: session.method,
      created: formatDateTime(session.createdAt, zone),
      lastSeen: formatDateTime(session.lastSeenAt, zone),
    })),
    events: events.map((event) => ({ ...event, time: formatDateTime(event.createdAt, zone) })),
  };
}
