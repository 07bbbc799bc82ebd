/**
 * In-app notifications: what ARES tells a person on its own (a due reminder, the morning briefing).
 * Each one is created once per `dedupKey`, whatever retries, restarts or a second process do; a copy
 * goes to the person's linked Telegram chats when they asked for it.
 */
import type { NotificationKind } from "~/generated/prisma/enums";
import { prisma } from "~/db/db.server";
import { logger } from "~/observability/logger.server";
import { sendToLinkedChats } from "~/telegram/notify.server";

const log = logger.child({ domain: "notifications" });

export const PAGE_SIZE = 50;

export type NewNotification = {
  userId: string;
  kind: NotificationKind;
  title: string;
  body?: string;
  link?: string | null;
  dedupKey: string;
};

export class NotificationNotFoundError extends Error {
  constructor() {
    super("No such notification.");
    this.name = "NotificationNotFoundError";
  }
}

/**
 * Creates the notification unless one with its key exists, then sends the Telegram copy when the person
 * chose Telegram for this kind. Safe to call again after a crash: the copy is sent until it is marked sent.
 */
export async function notify(input: NewNotification): Promise<{ created: boolean }> {
  const [created] = await prisma.notification.createManyAndReturn({
    data: [{ ...input, body: input.body ?? "", link: input.link ?? null }],
    skipDuplicates: true,
    select: { id: true },
  });
  await finishTelegramCopy(input.dedupKey);
  return { created: Boolean(created) };
}

/**
 * Sends the Telegram copy of a notification if the person chose Telegram for its kind and it has not
 * been sent yet: a job retried after Telegram failed calls this again and the copy goes out then.
 */
export async function finishTelegramCopy(dedupKey: string): Promise<void> {
  const row = await prisma.notification.findUnique({
    where: { dedupKey },
    select: { id: true, userId: true, kind: true, title: true, body: true, telegramSentAt: true },
  });
  if (!row || row.telegramSentAt) return;
  const settings = await prisma.notificationSettings.findUnique({
    where: { userId: row.userId },
    select: { remindersOnTelegram: true, briefingOnTelegram: true },
  });
  const wanted = row.kind === "reminder" ? settings?.remindersOnTelegram : settings?.briefingOnTelegram;
  if (wanted) {
    const outcome = await sendToLinkedChats(row.userId, row.body ? `${row.title}\n\n${row.body}` : row.title);
    log.info({ notificationId: row.id, outcome }, "notification sent to Telegram");
  }
  await prisma.notification.update({ where: { id: row.id }, data: { telegramSentAt: new Date() } });
}

export type NotificationItem = {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  link: string | null;
  createdAt: Date;
  readAt: Date | null;
};

/** Newest first, PAGE_SIZE at a time; `before` is the id of the last one on the previous page. */
export async function listNotifications(userId: string, before?: string): Promise<NotificationItem[]> {
  const cursor = before
    ? await prisma.notification.findFirst({ where: { id: before, userId }, select: { createdAt: true, id: true } })
    : null;
  return prisma.notification.findMany({
    where: {
      userId,
      ...(cursor
        ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: PAGE_SIZE,
    select: { id: true, kind: true, title: true, body: true, link: true, createdAt: true, readAt: true },
  });
}

/** Marks one of my notifications read; someone else's is not found. Returns where it leads. */
export async function markRead(userId: string, id: string): Promise<string | null> {
  const found = await prisma.notification.findFirst({ where: { id, userId }, select: { link: true, readAt: true } });
  if (!found) throw new NotificationNotFoundError();
  if (!found.readAt) await prisma.notification.updateMany({ where: { id, userId }, data: { readAt: new Date() } });
  return found.link;
}

export async function markAllRead(userId: string): Promise<number> {
  const { count } = await prisma.notification.updateMany({
    where: { userId, readAt: null },
    data: { readAt: new Date() },
  });
  return count;
}

export type NotificationPreferences = {
  briefingTime: string | null;
  remindersOnTelegram: boolean;
  briefingOnTelegram: boolean;
};

export async function notificationPreferences(userId: string): Promise<NotificationPreferences> {
  const row = await prisma.notificationSettings.findUnique({
    where: { userId },
    select: { briefingTime: true, remindersOnTelegram: true, briefingOnTelegram: true },
  });
  return row ?? { briefingTime: null, remindersOnTelegram: false, briefingOnTelegram: false };
}

export async function saveNotificationPreferences(userId: string, preferences: NotificationPreferences): Promise<void> {
  await prisma.notificationSettings.upsert({
    where: { userId },
    create: { userId, ...preferences },
    update: preferences,
  });
}
