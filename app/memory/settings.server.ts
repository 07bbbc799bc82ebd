import { prisma } from "~/db/db.server";
import { Prisma, type InstanceSettings } from "~/generated/prisma/client";

export type InstanceMemorySettings = Omit<InstanceSettings, "id" | "updatedAt">;

export const DEFAULT_INSTANCE_SETTINGS: InstanceMemorySettings = {
  memoryEnabled: true,
  relevantSummaries: 3,
  extractionInputTokens: 4000,
  summaryIdleMinutes: 10,
  autoAcceptMinConfidence: 0.8,
  autoAcceptMinImportance: 7,
  memoryLearnAfter: null,
};

/** The instance's memory settings (the one row, or the defaults until an admin saves). */
export async function instanceSettings(): Promise<InstanceMemorySettings> {
  const row = await prisma.instanceSettings.findUnique({ where: { id: 1 } });
  if (!row) return DEFAULT_INSTANCE_SETTINGS;
  const { id: _id, updatedAt: _updatedAt, ...settings } = row;
  return settings;
}

/** The database's clock, as message times are written (now() in UTC), at the moment of the statement. */
const LEARN_AFTER_NOW = Prisma.sql`clock_timestamp() AT TIME ZONE 'UTC'`;

/**
 * Saves the instance's settings. Switching memory back on marks the moment: messages sent while it was
 * off are never summarised or learned from (summaries.server.ts).
 */
export async function saveInstanceSettings(
  settings: Partial<Omit<InstanceMemorySettings, "memoryLearnAfter">>,
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const before = await tx.instanceSettings.findUnique({ where: { id: 1 }, select: { memoryEnabled: true } });
    await tx.instanceSettings.upsert({ where: { id: 1 }, create: { id: 1, ...settings }, update: settings });
    if (before?.memoryEnabled === false && settings.memoryEnabled === true) {
      await tx.$executeRaw`UPDATE "InstanceSettings" SET "memoryLearnAfter" = ${LEARN_AFTER_NOW} WHERE id = 1`;
    }
  });
}

export type PersonMemorySettings = { memoryEnabled: boolean; memoryAutoAccept: boolean };

export async function personMemorySettings(userId: string): Promise<PersonMemorySettings> {
  const row = await prisma.chatSettings.findUnique({
    where: { userId },
    select: { memoryEnabled: true, memoryAutoAccept: true },
  });
  return row ?? { memoryEnabled: true, memoryAutoAccept: false };
}

/** Saves my memory switches; switching memory back on means what I sent while it was off is never learned. */
export async function savePersonMemorySettings(userId: string, settings: PersonMemorySettings): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const before = await tx.chatSettings.findUnique({ where: { userId }, select: { memoryEnabled: true } });
    await tx.chatSettings.upsert({ where: { userId }, create: { userId, ...settings }, update: settings });
    if (before?.memoryEnabled === false && settings.memoryEnabled) {
      await tx.$executeRaw`UPDATE "ChatSettings" SET "memoryLearnAfter" = ${LEARN_AFTER_NOW} WHERE "userId" = ${userId}`;
    }
  });
}

/**
 * "Don't use or learn from this conversation" (false), or back on: then the messages sent while it was
 * off are never learned from (its learn-after point moves to now). Only my conversations.
 */
export async function setConversationMemory(
  userId: string,
  conversationId: string,
  enabled: boolean,
): Promise<boolean> {
  const count = await prisma.$executeRaw`
    UPDATE "Conversation"
       SET "memoryEnabled" = ${enabled}::boolean, "updatedAt" = now() AT TIME ZONE 'UTC',
           "memoryLearnAfter" = CASE WHEN ${enabled}::boolean AND NOT "memoryEnabled" THEN ${LEARN_AFTER_NOW}
                                     ELSE "memoryLearnAfter" END
     WHERE id = ${conversationId} AND "userId" = ${userId}`;
  return count > 0;
}
