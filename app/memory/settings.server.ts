import { prisma } from "~/db/db.server";
import type { InstanceSettings } from "~/generated/prisma/client";

export type InstanceMemorySettings = Omit<InstanceSettings, "id" | "updatedAt">;

export const DEFAULT_INSTANCE_SETTINGS: InstanceMemorySettings = {
  memoryEnabled: true,
  relevantSummaries: 3,
  extractionInputTokens: 4000,
  summaryIdleMinutes: 10,
  autoAcceptMinConfidence: 0.8,
  autoAcceptMinImportance: 7,
};

/** The instance's memory settings (the one row, or the defaults until an admin saves). */
export async function instanceSettings(): Promise<InstanceMemorySettings> {
  const row = await prisma.instanceSettings.findUnique({ where: { id: 1 } });
  if (!row) return DEFAULT_INSTANCE_SETTINGS;
  const { id: _id, updatedAt: _updatedAt, ...settings } = row;
  return settings;
}

export async function saveInstanceSettings(settings: Partial<InstanceMemorySettings>): Promise<void> {
  await prisma.instanceSettings.upsert({ where: { id: 1 }, create: { id: 1, ...settings }, update: settings });
}

export type PersonMemorySettings = { memoryEnabled: boolean; memoryAutoAccept: boolean };

export async function personMemorySettings(userId: string): Promise<PersonMemorySettings> {
  const row = await prisma.chatSettings.findUnique({
    where: { userId },
    select: { memoryEnabled: true, memoryAutoAccept: true },
  });
  return row ?? { memoryEnabled: true, memoryAutoAccept: false };
}

export async function savePersonMemorySettings(userId: string, settings: PersonMemorySettings): Promise<void> {
  await prisma.chatSettings.upsert({ where: { userId }, create: { userId, ...settings }, update: settings });
}

/** "Don't use or learn from this conversation" (false), or back on. Only my conversations. */
export async function setConversationMemory(
  userId: string,
  conversationId: string,
  enabled: boolean,
): Promise<boolean> {
  const { count } = await prisma.conversation.updateMany({
    where: { id: conversationId, userId },
    data: { memoryEnabled: enabled },
  });
  return count > 0;
}
