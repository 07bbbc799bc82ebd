import { prisma } from "~/db/db.server";
import type { Prisma } from "~/generated/prisma/client";
import { logger } from "~/observability/logger.server";
import { countAuditEvent, countLogin } from "~/observability/metrics.server";

export const AUDIT_ACTIONS = [
  "signup",
  "login",
  "logout",
  "session.revoke",
  "session.revoke_others",
  "user.role_change",
  "user.disable",
  "user.enable",
  "user.view",
  "password.change",
  "password.reset",
  "password.reset_link",
  "account.delete",
  "data.export",
  "audit.view",
  "audit.export",
  "system.view",
  "user.budget_change",
  "internal.sessions_purge",
  "account.link",
  "telegram.link",
  "telegram.unlink",
  "job.retry",
  "job.cancel",
  "calendar.assistant_change",
  "calendar.assistant_undo",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = "success" | "failure";

/** Who did it and from where; built from the request by the route. */
export type AuditOrigin = {
  actor?: { id: string; email: string } | null;
  ip?: string | undefined;
  userAgent?: string | undefined;
};

export type AuditEntry = {
  action: AuditAction;
  outcome: AuditOutcome;
  target?: { type: string; id: string };
  details?: Record<string, string | number | boolean | null>;
};

const auditLog = logger.child({ channel: "audit" });

/** The client or transaction that writes the row: a transaction keeps the event atomic with its change. */
type AuditWriter = Pick<Prisma.TransactionClient, "auditEvent">;

/** Writes an audit row and the same event to the structured log. */
export async function recordAudit(origin: AuditOrigin, entry: AuditEntry, db: AuditWriter = prisma): Promise<void> {
  const row = {
    actorId: origin.actor?.id ?? null,
    actorEmail: origin.actor?.email.toLowerCase() ?? null,
    action: entry.action,
    outcome: entry.outcome,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    ip: origin.ip ?? null,
    userAgent: origin.userAgent?.slice(0, 512) ?? null,
    details: entry.details ?? undefined,
  };
  await db.auditEvent.create({ data: row });
  auditLog.info({ audit: { ...row, userAgent: undefined } }, `audit: ${entry.action} ${entry.outcome}`);
  countAuditEvent(entry.action, entry.outcome);
  // Every sign-in attempt, by any method, passes through here: one place to count them.
  if (entry.action === "login") countLogin(String(entry.details?.method ?? "password"), entry.outcome);
}

export type AuditFilter = {
  actorId?: string;
  /** The email recorded at the time (case-insensitive): finds the trail of a deleted account too. */
  actorEmail?: string;
  action?: AuditAction;
  /** Left out unless `action` asks for one of them (the viewer hides its own views by default). */
  excludeActions?: AuditAction[];
  from?: Date;
  to?: Date;
};

export type AuditCursor = { createdAt: Date; id: string };

function whereFor(filter: AuditFilter): Prisma.AuditEventWhereInput {
  return {
    ...(filter.actorId ? { actorId: filter.actorId } : {}),
    // Recorded lower-cased, so an exact match on the lower-cased filter uses the index.
    ...(filter.actorEmail ? { actorEmail: filter.actorEmail.trim().toLowerCase() } : {}),
    ...(filter.action
      ? { action: filter.action }
      : filter.excludeActions?.length
        ? { action: { notIn: filter.excludeActions } }
        : {}),
    ...(filter.from || filter.to
      ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } }
      : {}),
  };
}

/** Newest first, keyset-paginated on (createdAt, id): page N costs the same as page 1. */
export async function listAuditEvents(filter: AuditFilter, cursor: AuditCursor | null, limit: number) {
  const rows = await prisma.auditEvent.findMany({
    where: {
      AND: [
        whereFor(filter),
        cursor
          ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] }
          : {},
      ],
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: {
      id: true,
      createdAt: true,
      actorId: true,
      actorEmail: true,
      action: true,
      outcome: true,
      targetType: true,
      targetId: true,
      ip: true,
      userAgent: true,
      details: true,
    },
  });
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return { rows: page, next: hasMore && last ? { createdAt: last.createdAt, id: last.id } : null };
}

/** Every matching event, newest first, in batches (for the CSV download). */
export async function* allAuditEvents(filter: AuditFilter, batchSize = 500) {
  let cursor: AuditCursor | null = null;
  do {
    const page: Awaited<ReturnType<typeof listAuditEvents>> = await listAuditEvents(filter, cursor, batchSize);
    yield* page.rows;
    cursor = page.next;
  } while (cursor);
}
