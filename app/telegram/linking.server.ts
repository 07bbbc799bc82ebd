import { createHash, randomInt } from "node:crypto";
import { recordAudit, type AuditOrigin } from "~/audit/audit.server";
import { prisma } from "~/db/db.server";

/** How long a code from /settings/telegram can be used. */
export const LINK_CODE_TTL_MS = 10 * 60_000;
// Crockford's base32 without look-alikes: typed by hand too, if the deep link is not used.
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789";
const CODE_LENGTH = 10;

const hashCode = (code: string) => createHash("sha256").update(code.trim().toUpperCase()).digest("hex");

export type LinkCode = { code: string; expiresAt: Date };

/** A fresh one-time code for the person; any earlier unused one stops working. */
export async function createLinkCode(userId: string, now = new Date()): Promise<LinkCode> {
  const code = Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join("");
  const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
  await prisma.$transaction([
    prisma.telegramLinkCode.deleteMany({ where: { userId, usedAt: null } }),
    prisma.telegramLinkCode.create({ data: { codeHash: hashCode(code), userId, expiresAt } }),
  ]);
  return { code, expiresAt };
}

export type ChatIdentity = { chatId: bigint; username: string | undefined; displayName: string | undefined };

export type LinkResult = { linked: true; email: string } | { linked: false; reason: "invalid_code" };

/**
 * `/start <code>` from a chat: the code is used up (once, before it expires) and the chat is linked to
 * the code's owner — replacing any earlier link of the same chat.
 */
export async function linkChat(code: string, chat: ChatIdentity, now = new Date()): Promise<LinkResult> {
  return prisma.$transaction(async (tx) => {
    const used = await tx.telegramLinkCode.updateManyAndReturn({
      where: { codeHash: hashCode(code), usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
      select: { user: { select: { id: true, email: true, disabledAt: true } } },
    });
    const owner = used[0]?.user;
    if (!owner || owner.disabledAt) return { linked: false, reason: "invalid_code" } as const;
    const fields = { userId: owner.id, username: chat.username ?? null, displayName: chat.displayName ?? null };
    await tx.telegramLink.upsert({
      where: { chatId: chat.chatId },
      create: { chatId: chat.chatId, ...fields },
      update: { ...fields, conversationId: null, linkedAt: now, unlinkedAt: null, unlinkReason: null },
    });
    await recordAudit(
      { actor: owner },
      {
        action: "telegram.link",
        outcome: "success",
        target: { type: "telegram_chat", id: chat.chatId.toString() },
        details: { username: chat.username ?? null },
      },
      tx,
    );
    return { linked: true, email: owner.email } as const;
  });
}

export type ActiveLink = { chatId: bigint; userId: string; conversationId: string | null };

/** The person a chat speaks for, or null when the chat is not (or no longer) linked. */
export async function activeLink(chatId: bigint): Promise<ActiveLink | null> {
  const link = await prisma.telegramLink.findFirst({
    where: { chatId, unlinkedAt: null, user: { disabledAt: null } },
    select: { chatId: true, userId: true, conversationId: true },
  });
  return link;
}

export function setChatConversation(chatId: bigint, conversationId: string | null): Promise<unknown> {
  return prisma.telegramLink.update({ where: { chatId }, data: { conversationId } });
}

export type LinkedChat = {
  chatId: string;
  username: string | null;
  displayName: string | null;
  linkedAt: Date;
  conversationId: string | null;
  unlinkedAt: Date | null;
  unlinkReason: string | null;
};

/** My chats: linked ones, and those unlinked because the bot was blocked (so the page can say so). */
export async function listLinkedChats(userId: string): Promise<LinkedChat[]> {
  const rows = await prisma.telegramLink.findMany({
    where: { userId, OR: [{ unlinkedAt: null }, { unlinkReason: "blocked" }] },
    orderBy: { linkedAt: "desc" },
  });
  return rows.map(({ chatId, userId: _owner, ...rest }) => ({ chatId: chatId.toString(), ...rest }));
}

/** Unlinks one of my chats; false when it is not mine or already unlinked. */
export async function unlinkChat(
  origin: AuditOrigin & { actor: { id: string; email: string } },
  chatId: bigint,
): Promise<boolean> {
  const { count } = await prisma.telegramLink.updateMany({
    where: { chatId, userId: origin.actor.id, unlinkedAt: null },
    data: { unlinkedAt: new Date(), unlinkReason: "unlinked" },
  });
  if (count > 0) {
    await recordAudit(origin, {
      action: "telegram.unlink",
      outcome: "success",
      target: { type: "telegram_chat", id: chatId.toString() },
    });
  }
  return count > 0;
}

/** Telegram said the person blocked the bot: the chat no longer reaches ARES, and the web says why. */
export async function unlinkBlockedChat(chatId: bigint): Promise<void> {
  const links = await prisma.telegramLink.updateManyAndReturn({
    where: { chatId, unlinkedAt: null },
    data: { unlinkedAt: new Date(), unlinkReason: "blocked" },
    select: { user: { select: { id: true, email: true } } },
  });
  for (const { user } of links) {
    await recordAudit(
      { actor: user },
      {
        action: "telegram.unlink",
        outcome: "success",
        target: { type: "telegram_chat", id: chatId.toString() },
        details: { reason: "blocked" },
      },
    );
  }
}

/** Clears the notice about a chat unlinked by a block (the person has seen it). */
export async function dismissBlockedChat(userId: string, chatId: bigint): Promise<void> {
  await prisma.telegramLink.updateMany({
    where: { chatId, userId, unlinkReason: "blocked" },
    data: { unlinkReason: "unlinked" },
  });
}

/** Forgets handled update ids after a week (Telegram redelivers for at most a day) and dead codes. */
export async function purgeTelegramBookkeeping(now = new Date()): Promise<void> {
  const weekAgo = new Date(now.getTime() - 7 * 24 * 3600_000);
  await prisma.telegramUpdate.deleteMany({ where: { receivedAt: { lt: weekAgo } } });
  await prisma.telegramLinkCode.deleteMany({ where: { OR: [{ expiresAt: { lt: now } }, { usedAt: { not: null } }] } });
}
