import { describe, expect, it } from "vitest";
import { createAccount } from "~/auth/accounts.server";
import { getConversation, listConversations } from "~/chat/conversations.server";
import { listMessages } from "~/chat/messages.server";
import { prisma } from "~/db/db.server";
import { countQueries } from "../support/query-counter";

async function personWith(conversations: number, messagesInFirst: number) {
  const user = await createAccount({ email: `q-${conversations}-${messagesInFirst}-${Date.now()}@example.test` });
  const base = Date.now() - conversations * 1000;
  await prisma.conversation.createMany({
    data: Array.from({ length: conversations }, (_, index) => ({
      id: `${user.id}-c${index}`,
      userId: user.id,
      title: `Conversation ${index}`,
      pinned: index % 7 === 0,
      lastMessageAt: new Date(base + index * 1000),
    })),
  });
  const first = `${user.id}-c0`;
  await prisma.message.createMany({
    data: Array.from({ length: messagesInFirst }, (_, index) => ({
      conversationId: first,
      userId: user.id,
      role: index % 2 === 0 ? ("user" as const) : ("assistant" as const),
      content: `message ${index}`,
      createdAt: new Date(base + index),
    })),
  });
  return { userId: user.id, conversationId: first };
}

async function pageQueries(userId: string, conversationId: string) {
  return countQueries(async () => {
    await listConversations(userId, null);
    const conversation = await getConversation(userId, conversationId);
    return listMessages(conversation.id, null);
  });
}

describe("chat query counts", () => {
  it("the conversation list and a conversation page cost the same statements at 10 or 1,000 conversations and messages", async () => {
    const small = await personWith(10, 10);
    const large = await personWith(1_000, 1_000);
    const smallPage = await pageQueries(small.userId, small.conversationId);
    const largePage = await pageQueries(large.userId, large.conversationId);
    expect(largePage.statements.length).toBe(smallPage.statements.length);
    expect(largePage.statements.length).toBeLessThanOrEqual(3);
    expect(largePage.result.messages).toHaveLength(50);
    expect(largePage.result.earlier).not.toBeNull();
  });

  it("keyset pages through every conversation exactly once, pinned first then newest", async () => {
    const { userId } = await personWith(75, 0);
    const seen: string[] = [];
    let cursor = null;
    do {
      const page: Awaited<ReturnType<typeof listConversations>> = await listConversations(userId, cursor, 20);
      seen.push(...page.conversations.map((conversation) => conversation.id));
      cursor = page.next;
    } while (cursor);
    expect(new Set(seen).size).toBe(75);
    expect(seen).toHaveLength(75);
    const pinnedCount = Math.ceil(75 / 7);
    expect(seen.slice(0, pinnedCount).every((id) => Number(id.split("-c")[1]) % 7 === 0)).toBe(true);
  });

  it("pages back through a long history without gaps or repeats", async () => {
    const { conversationId } = await personWith(1, 130);
    const seen: string[] = [];
    let before = null;
    do {
      const page: Awaited<ReturnType<typeof listMessages>> = await listMessages(conversationId, before);
      seen.unshift(...page.messages.map((message) => message.content));
      before = page.earlier;
    } while (before);
    expect(seen).toEqual(Array.from({ length: 130 }, (_, index) => `message ${index}`));
  });
});
