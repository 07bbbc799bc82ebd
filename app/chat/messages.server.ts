import type { CreatedAtCursor } from "~/validation/cursor";
import { prisma } from "~/db/db.server";
import { Prisma } from "~/generated/prisma/client";
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

/** The columns a message is shown with (the page, the API, exports). */
export const messageView = {
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

/** A message as the thread shows it: a regenerated reply also lists its versions. */
export type ThreadMessage = MessageView & {
  /** The ids of this reply's versions, oldest first (this one among them); null for a single version. */
  versionIds: string[] | null;
};

/** Only the chosen version of a regenerated reply belongs to the thread. */
const inThread = { selected: true } satisfies Prisma.MessageWhereInput;

/**
 * The newest page of a conversation (or the page before `before`; with `throughCursor`, the page that
 * ends with that message — where a search hit lands), oldest first for display. One indexed statement
 * whatever the conversation's length (long histories are paginated, never loaded whole); a regenerated
 * reply's versions come in the same statement (a lateral join on the version index).
 */
export async function listMessages(
  conversationId: string,
  before: MessageCursor | null,
  limit = MESSAGES_PER_PAGE,
  throughCursor = false,
): Promise<{ messages: ThreadMessage[]; earlier: MessageCursor | null }> {
  const sameTime = before
    ? { createdAt: before.createdAt, id: throughCursor ? { lte: before.id } : { lt: before.id } }
    : {};
  const rows = await prisma.message.findMany({
    relationLoadStrategy: "join",
    where: {
      conversationId,
      ...inThread,
      ...(before ? { OR: [{ createdAt: { lt: before.createdAt } }, sameTime] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: {
      ...messageView,
      versionGroup: {
        // A failed attempt (error row) is no version to page to.
        select: {
          versions: {
            where: { role: "assistant" },
            select: { id: true },
            orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          },
        },
      },
    },
  });
  const page = rows.slice(0, limit).reverse();
  const oldest = page[0];
  return {
    messages: page.map(({ versionGroup, ...message }) => ({
      ...(message as MessageView),
      versionIds:
        versionGroup && (versionGroup.versions.length > 1 || versionGroup.versions[0]?.id !== message.id)
          ? versionGroup.versions.map(({ id }) => id)
          : null,
    })),
    earlier: rows.length > limit && oldest ? { createdAt: oldest.createdAt, id: oldest.id } : null,
  };
}

export type ExchangeIds = { userMessageId: string; assistantMessageId: string };

/**
 * The first statement of every redo, edit and version switch: an update of the conversation's row, whose
 * row lock (the one a send's UPDATE takes too) makes them wait for each other, so each reads what the one
 * before it left — no two switches selecting at once, no reply joining a group an edit just deleted.
 * Also the ownership check.
 */
async function lockOwnedConversation(
  tx: Prisma.TransactionClient,
  userId: string,
  conversationId: string,
  data: { lastMessageAt: Date } | { updatedAt: Date },
) {
  const { count } = await tx.conversation.updateMany({ where: { id: conversationId, userId }, data });
  if (count === 0) throw new ConversationNotFoundError();
}

/**
 * What the conversation lock cannot rule out (a send's reply joins no group, but a delete or an older
 * server may interleave): the one-selected-per-group index (P2002) or a group deleted meanwhile (P2003)
 * is a conflict to answer, never a 500.
 */
async function refusingConflicts<T>(work: () => Promise<T>, message: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && (error.code === "P2002" || error.code === "P2003"))
      throw new NothingToRedoError(message);
    throw error;
  }
}

/** Regenerate keeps at most this many versions of a reply. */
export const MAX_REPLY_VERSIONS = 20;

export class NothingToRedoError extends Error {
  constructor(what: string) {
    super(what);
    this.name = "NothingToRedoError";
  }
}

export type Redo =
  | { kind: "retry" }
  | { kind: "regenerate" }
  /** Edit my newest message (`messageId`, when the form names one, must still be it) and answer it again. */
  | { kind: "edit"; content: string; messageId?: string };

/**
 * Starts a fresh pending reply to the last user message: Retry (after an error), Regenerate (the last
 * reply) and Edit ("change my last message and resend"). Retry and Regenerate keep the replies already
 * written as versions of one reply — the new one joins them and is the selected version — and drop
 * only failures that hold no text; an edit asks a different question, so every earlier answer goes.
 */
export function redoLastReply(userId: string, conversationId: string, redo: Redo): Promise<ExchangeIds> {
  return refusingConflicts(
    () => redoInTransaction(userId, conversationId, redo),
    "The conversation changed at the same time. Try again.",
  );
}

function redoInTransaction(userId: string, conversationId: string, redo: Redo): Promise<ExchangeIds> {
  return prisma.$transaction(async (tx) => {
    await lockOwnedConversation(tx, userId, conversationId, { lastMessageAt: new Date() });
    const lastUser = await tx.message.findFirst({
      where: { conversationId, role: "user" },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { id: true, createdAt: true },
    });
    if (!lastUser) throw new NothingToRedoError("There is no message to answer yet.");
    if (redo.kind === "edit" && redo.messageId !== undefined && redo.messageId !== lastUser.id)
      throw new NothingToRedoError("Only your newest message can be edited; the conversation has moved on.");
    const streaming = await tx.message.count({ where: { conversationId, status: "streaming" } });
    if (streaming > 0) throw new NothingToRedoError("A reply is still being written. Stop it first.");
    const after = {
      conversationId,
      OR: [{ createdAt: { gt: lastUser.createdAt } }, { createdAt: lastUser.createdAt, id: { gt: lastUser.id } }],
    } satisfies Prisma.MessageWhereInput;
    let versionGroupId: string | null = null;
    if (redo.kind === "edit") {
      await tx.message.deleteMany({ where: after });
      await tx.message.update({ where: { id: lastUser.id }, data: { content: redo.content } });
    } else {
      // Replies with text stay as versions; the first of them names the group (a reply regenerated
      // before already has one).
      const kept = { ...after, role: "assistant", content: { not: "" } } satisfies Prisma.MessageWhereInput;
      await tx.message.deleteMany({ where: { ...after, NOT: kept } });
      const first = await tx.message.findFirst({
        where: kept,
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: { id: true, versionGroupId: true },
      });
      if (first) {
        versionGroupId = first.versionGroupId ?? first.id;
        if ((await tx.message.count({ where: kept })) >= MAX_REPLY_VERSIONS)
          throw new NothingToRedoError(
            `This reply already has ${MAX_REPLY_VERSIONS} versions, the most it keeps. Choose one of them, or edit your message to ask again.`,
          );
        await tx.message.updateMany({ where: kept, data: { versionGroupId, selected: false } });
      }
    }
    const reply = await tx.message.create({
      data: { conversationId, userId, role: "assistant", status: "streaming", content: "", versionGroupId },
      select: { id: true },
    });
    return { userMessageId: lastUser.id, assistantMessageId: reply.id };
  });
}

export class VersionNotFoundError extends Error {
  constructor() {
    super("That version of the reply is not there any more.");
    this.name = "VersionNotFoundError";
  }
}

/**
 * Makes `messageId` the shown version of its reply: the one the thread shows and later prompts see. A
 * failed attempt (an error row left in the group by a failed Regenerate) is no version: it cannot be
 * chosen, and goes once another version is. Returns where the reply now sits: whether it is the
 * conversation's newest message, and how many chosen messages follow it (counted up to a page).
 */
export function selectVersion(
  userId: string,
  conversationId: string,
  messageId: string,
): Promise<{ id: string; createdAt: Date; isNewest: boolean; onNewestPage: boolean }> {
  return refusingConflicts(
    () =>
      prisma.$transaction(async (tx) => {
        await lockOwnedConversation(tx, userId, conversationId, { updatedAt: new Date() });
        const chosen = await tx.message.findFirst({
          where: { id: messageId, conversationId, role: "assistant", versionGroupId: { not: null } },
          select: { id: true, createdAt: true, versionGroupId: true },
        });
        if (!chosen?.versionGroupId) throw new VersionNotFoundError();
        const group = chosen.versionGroupId;
        const writing = await tx.message.count({ where: { versionGroupId: group, status: "streaming" } });
        if (writing > 0) throw new NothingToRedoError("A reply is still being written. Stop it first.");
        await tx.message.deleteMany({ where: { versionGroupId: group, role: "error" } });
        // Two statements: the unique "one selected per group" index is checked row by row.
        await tx.message.updateMany({
          where: { versionGroupId: group, selected: true, id: { not: chosen.id } },
          data: { selected: false },
        });
        await tx.message.update({ where: { id: chosen.id }, data: { selected: true } });
        const following = await tx.message.count({
          where: {
            conversationId,
            ...inThread,
            OR: [{ createdAt: { gt: chosen.createdAt } }, { createdAt: chosen.createdAt, id: { gt: chosen.id } }],
          },
          take: MESSAGES_PER_PAGE,
        });
        return {
          id: chosen.id,
          createdAt: chosen.createdAt,
          isNewest: following === 0,
          onNewestPage: following < MESSAGES_PER_PAGE,
        };
      }),
    "Another version was chosen at the same time. Try again.",
  );
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
