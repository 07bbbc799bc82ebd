/**
 * Replies left `streaming` by a process that stopped are settled as `aborted` (text kept) by ARES itself:
 * at start-up for replies nobody has touched for a minute, and at shutdown for the replies the stopping
 * process could not finish in its grace period. A reply another live process may still be writing is
 * left alone, and viewing a conversation writes nothing.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { lastMessageId, signedInClient, startChatHarness, type ChatHarness } from "../support/chat-harness";
import { makeUser } from "../support/accounts";

let harness: ChatHarness;
let abandoned: string;
let fresh: string;

async function streamingReply(conversationId: string, userId: string, updatedAt: Date, content: string) {
  const reply = await prisma.message.create({
    data: { conversationId, userId, role: "assistant", status: "streaming", content },
  });
  // updatedAt is the owner's heartbeat; set it past Prisma's automatic stamp.
  await prisma.$executeRaw`UPDATE "Message" SET "updatedAt" = ${updatedAt} WHERE id = ${reply.id}`;
  return reply.id;
}

beforeAll(async () => {
  const user = await makeUser();
  const conversation = await prisma.conversation.create({ data: { userId: user.id, title: "left behind" } });
  abandoned = await streamingReply(conversation.id, user.id, new Date(Date.now() - 5 * 60_000), "half an ans");
  fresh = await streamingReply(conversation.id, user.id, new Date(), "still being written elsewhere");
  harness = await startChatHarness({ SHUTDOWN_GRACE_MS: "1000" });
}, 180_000);
afterAll(async () => {
  await Promise.all([harness.openrouter.close(), harness.ollama.close()]);
});

it("settles, at start-up, a reply nobody has touched for minutes, and leaves a recently touched one", async () => {
  let settled = await prisma.message.findUniqueOrThrow({ where: { id: abandoned } });
  for (let attempt = 0; attempt < 50 && settled.status === "streaming"; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    settled = await prisma.message.findUniqueOrThrow({ where: { id: abandoned } });
  }
  expect(settled).toMatchObject({ status: "aborted", content: "half an ans" });
  expect((await prisma.message.findUniqueOrThrow({ where: { id: fresh } })).status).toBe("streaming");
});

it("does not write when a conversation is viewed", async () => {
  const client = await signedInClient(harness.server.url);
  const sent = await client.post("/chat?index", { message: "hello" });
  const path = sent.headers.get("location")!.replace(/#.*$/, "");
  const conversationId = path.split("/").at(-1)!;
  const owner = await prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } });
  const stale = await streamingReply(conversationId, owner.userId, new Date(Date.now() - 10 * 60_000), "old");
  expect((await client.get(path)).status).toBe(200);
  expect((await prisma.message.findUniqueOrThrow({ where: { id: stale } })).status).toBe("streaming");
  await prisma.message.delete({ where: { id: stale } });
});

it(
  "at shutdown, stores each reply that outlives the grace period as aborted with its text so far",
  { timeout: 60_000 },
  async () => {
    const client = await signedInClient(harness.server.url);
    const replyTo = async (message: string) => {
      const sent = await client.post("/chat?index", { message });
      return lastMessageId(await (await client.get(sent.headers.get("location")!)).text());
    };
    // 9-2: the first reply holds a NUL from the model; it must not keep the second from being settled.
    harness.openrouter.configure({ reply: "odd\u0000 text from a model that takes its time over every word" });
    const withNul = await replyTo("[[stub:delay=300]] say something odd");
    harness.openrouter.reset();
    const replyId = await replyTo("[[stub:delay=300]] take your time over this one");
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    expect(await harness.server.stop("SIGTERM")).toBe(0);
    const reply = await prisma.message.findUniqueOrThrow({ where: { id: replyId } });
    expect(reply.status).toBe("aborted");
    expect(reply.content.length).toBeGreaterThan(0);
    expect(reply.content).toMatch(/^You said/);
    const odd = await prisma.message.findUniqueOrThrow({ where: { id: withNul } });
    expect(odd).toMatchObject({ status: "aborted", content: expect.stringMatching(/^odd\uFFFD text/) as string });
  },
);
