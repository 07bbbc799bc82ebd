import type { AssembledPrompt, AssembledSection } from "~/chat/prompt.server";
import { prisma } from "~/db/db.server";
import type { MemoryRef } from "./prompt-memory.server";

/**
 * What was sent for each reply, section by section, and which of the person's memories it used:
 * /chat/<id>/prompt shows it, and each reply's "used N memories" disclosure lists them.
 */
export async function storeReplyPrompt(messageId: string, userId: string, prompt: AssembledPrompt): Promise<void> {
  const data = { sections: prompt.sections, memories: prompt.memories };
  await prisma.replyPrompt.upsert({ where: { messageId }, create: { messageId, userId, ...data }, update: data });
}

/** The stored prompts of my replies in one conversation, newest first (the newest 50). */
export async function conversationReplyPrompts(userId: string, conversationId: string) {
  const rows = await prisma.replyPrompt.findMany({
    where: { userId, message: { conversationId } },
    orderBy: { message: { createdAt: "desc" } },
    take: 50,
    select: { messageId: true, sections: true, memories: true, message: { select: { createdAt: true } } },
  });
  return rows.map((row) => ({
    messageId: row.messageId,
    createdAt: row.message.createdAt,
    sections: row.sections as AssembledSection[],
    memories: row.memories as MemoryRef[],
  }));
}
