import type { CreatedAtCursor } from "~/validation/cursor";
import { prisma } from "~/db/db.server";
import type { Prisma } from "~/generated/prisma/client";
import type { MessageRole, MessageStatus } from "~/generated/prisma/enums";
import { ConversationNotFoundError } from "./conversations.server";

export const MESSAGES_PER_PAGE = 50;

export type MessageView = {
  id: string;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  provider: string | null;
  model: string | null;
  fallbackFrom: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  cost: number | null;
  latencyMs: number | null;
  createdAt: Date;
};

const messageView = {
  id: true,
  role: true,
  content: true,
  status: true,
  provider: true,
  model: true,
  fallbackFrom: true,
  promptTokens: true,
  completionTokens: true,
  cost: true,
  latencyMs: true,
  createdAt: true,
} satisfies Prisma.MessageSelect;

type MessageCursor = CreatedAtCursor;

/**
 * The newest page of a conversation (or the page before `before`; with `throughCursor`, the page that
 * ends with that message — where a search hit lands), oldest first for display. One indexed query
 * whatever the conversation's length: long histories are paginated, never loaded whole.
 */
export async function listMessages(
  conversationId: string,
  before: MessageCursor | null,
  limit = MESSAGES_PER_PAGE,
  throughCursor = false,
) {
  const sameTime = before
    ? { createdAt: before.createdAt, id: throughCursor ? { lte: before.id } : { lt: before.id } }
    : {};
  const rows = await prisma.message.findMany({
    where: {
      conversationId,
      ...(before ? { OR: [{ createdAt: { lt: before.createdAt } }, sameTime] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: messageView,
  });
  const page = rows.slice(0, limit).reverse();
  const oldest = page[0];
  return {
    messages: page as MessageView[],
    earlier: rows.length > limit && oldest ? { createdAt: oldest.createdAt, id: oldest.id } : null,
  };
}

export type ExchangeIds = { userMessageId: string; assistantMessageId: string };

async function ownedConversation(tx: Prisma.TransactionClient, userId: string, conversationId: string) {
  const conversation = await tx.conversation.findFirst({ where: { id: conversationId, userId }, select: { id: true } });
  if (!conversation) throw new ConversationNotFoundError();
}

async function newPendingReply(tx: Prisma.TransactionClient, userId: string, conversationId: string): Promise<string> {
  const reply = await tx.message.create({
    data: { conversationId, userId, role: "assistant", status: "streaming", content: "" },
    select: { id: true },
  });
  await tx.conversation.update({ where: { id: conversationId }, data: { lastMessageAt: new Date() } });
  return reply.id;
}

export class NothingToRedoError extends Error {
  constructor(what: string) {
    super(what);
    this.name = "NothingToRedoError";
  }
}

/**
 * Replaces everything after the last user message with a fresh pending reply: serves Retry (after an
 * error), Regenerate (the last reply) and, with `editedContent`, "edit the last message and resend".
 */
export function redoLastReply(userId: string, conversationId: string, editedContent?: string): Promise<ExchangeIds> {
  return prisma.$transaction(async (tx) => {
    await ownedConversation(tx, userId, conversationId);
    const lastUser = await tx.message.findFirst({
      where: { conversationId, role: "user" },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { id: true, createdAt: true },
    });
    if (!lastUser) throw new NothingToRedoError("There is no message to answer yet.");
    const streaming = await tx.message.count({ where: { conversationId, status: "streaming" } });
    if (streaming > 0) throw new NothingToRedoError("A reply is still being written. Stop it first.");
    await tx.message.deleteMany({
      where: {
        conversationId,
        OR: [{ createdAt: { gt: lastUser.createdAt } }, { createdAt: lastUser.createdAt, id: { gt: lastUser.id } }],
      },
    });
    if (editedContent !== undefined) {
      await tx.message.update({ where: { id: lastUser.id }, data: { content: editedContent } });
    }
    return { userMessageId: lastUser.id, assistantMessageId: await newPendingReply(tx, userId, conversationId) };
  });
}

/** Asks for a reply to stop, wherever it is being generated; false when it is not this person's or already done. */
export async function requestStop(userId: string, messageId: string): Promise<boolean> {
  const { count } = await prisma.message.updateMany({
    where: { id: messageId, userId, status: "streaming" },
    data: { stopRequestedAt: new Date() },
  });
  return count > 0;
}

export async function findOwnMessage(userId: string, messageId: string) {
  return prisma.message.findFirst({
    where: { id: messageId, userId },
    select: { id: true, conversationId: true, status: true, content: true, updatedAt: true },
  });
}
