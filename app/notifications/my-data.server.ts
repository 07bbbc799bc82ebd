import { prisma } from "~/db/db.server";

/** Notifications and their settings, for "Download all my data" (account deletion cascades from User). */
export const NOTIFICATION_EXPORT_SECTIONS: Array<{ key: string; collect: (userId: string) => Promise<unknown> }> = [
  {
    key: "notifications",
    collect: (userId) =>
      prisma.notification.findMany({
        where: { userId },
        orderBy: { createdAt: "asc" },
        select: { kind: true, title: true, body: true, link: true, createdAt: true, readAt: true },
      }),
  },
  {
    key: "notificationSettings",
    collect: (userId) =>
      prisma.notificationSettings.findUnique({
        where: { userId },
        select: { briefingTime: true, remindersOnTelegram: true, briefingOnTelegram: true, updatedAt: true },
      }),
  },
];
