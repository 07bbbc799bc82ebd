import { allAuditEvents, recordAudit, type AuditOrigin } from "~/audit/audit.server";
import { CALENDAR_EXPORT_SECTIONS } from "~/calendar/my-data.server";
import { CHAT_EXPORT_SECTIONS } from "~/chat/my-data.server";
import { prisma } from "~/db/db.server";
import { MEMORY_EXPORT_SECTIONS } from "~/memory/my-data.server";
import { NOTIFICATION_EXPORT_SECTIONS } from "~/notifications/my-data.server";
import { TELEGRAM_EXPORT_SECTIONS } from "~/telegram/my-data.server";
import type { SessionUser } from "~/sessions/types";

/**
 * One entry per domain that holds personal data; each domain lists its own sections (chat in
 * CHAT_EXPORT_SECTIONS, the calendar in CALENDAR_EXPORT_SECTIONS…), so this module does not know their tables.
 */
const EXPORT_SECTIONS: Array<{ key: string; collect: (userId: string) => Promise<unknown> }> = [
  {
    key: "profile",
    collect: (userId) =>
      prisma.user.findUniqueOrThrow({
        where: { id: userId },
        select: {
          id: true,
          email: true,
          name: true,
          role: true,
          timeZone: true,
          previousTimeZone: true,
          timeZoneChangedAt: true,
          auth0Sub: true,
          createdAt: true,
          updatedAt: true,
        },
      }),
  },
  {
    key: "sessions",
    // Session ids are left out: they are credentials, not data about the person.
    collect: (userId) =>
      prisma.session.findMany({
        where: { userId },
        orderBy: { createdAt: "desc" },
        select: {
          createdAt: true,
          lastSeenAt: true,
          expiresAt: true,
          revokedAt: true,
          persistent: true,
          method: true,
          ip: true,
          userAgent: true,
        },
      }),
  },
  {
    key: "auditEvents",
    collect: async (userId) => {
      const events = [];
      for await (const event of allAuditEvents({ actorId: userId })) {
        // An admin's own trail names the accounts they acted on; other people's ids are not theirs to take.
        const foreignTarget = event.targetType === "user" && event.targetId !== userId;
        events.push({
          createdAt: event.createdAt,
          action: event.action,
          outcome: event.outcome,
          targetType: event.targetType,
          targetId: foreignTarget ? null : event.targetId,
          ip: event.ip,
          userAgent: event.userAgent,
          details: event.details,
        });
      }
      return events;
    },
  },
  ...CHAT_EXPORT_SECTIONS,
  ...MEMORY_EXPORT_SECTIONS,
  ...NOTIFICATION_EXPORT_SECTIONS,
  ...CALENDAR_EXPORT_SECTIONS,
  ...TELEGRAM_EXPORT_SECTIONS,
];

/** Everything ARES holds about the person, as one JSON-ready object; the export itself is audited. */
export async function exportMyData(user: SessionUser, origin: Omit<AuditOrigin, "actor">) {
  const sections: Record<string, unknown> = {};
  for (const section of EXPORT_SECTIONS) sections[section.key] = await section.collect(user.id);
  await recordAudit(
    { actor: user, ...origin },
    { action: "data.export", outcome: "success", details: { sections: EXPORT_SECTIONS.length } },
  );
  return { format: "ares-export/1", exportedAt: new Date().toISOString(), ...sections };
}
