/** SIGTERM while a reply is being written: the reply is finished and stored before the process exits 0. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { lastMessageId, signedInClient, startChatHarness, type ChatHarness } from "../support/chat-harness";

let harness: ChatHarness;
beforeAll(async () => {
  harness = await startChatHarness({ SHUTDOWN_GRACE_MS: "15000" });
}, 180_000);
afterAll(async () => {
  await Promise.all([harness.openrouter.close(), harness.ollama.close()]);
});

it("a slow reply in progress (no browser attached) completes before shutdown", { timeout: 60_000 }, async () => {
  const client = await signedInClient(harness.server.url);
  const sent = await client.post("/chat?index", { message: "[[stub:delay=100]] finish this before you go" });
  const page = await (await client.get(sent.headers.get("location")!)).text();
  const replyId = lastMessageId(page);
  expect((await prisma.message.findUniqueOrThrow({ where: { id: replyId } })).status).toBe("streaming");

  const exitCode = await harness.server.stop("SIGTERM");
  expect(exitCode).toBe(0);
  const reply = await prisma.message.findUniqueOrThrow({ where: { id: replyId } });
  expect(reply.status).toBe("complete");
  expect(reply.content).toBe(
    'You said: "finish this before you go". This is a deterministic reply from the stub model.',
  );
});
