/**
 * SIGTERM while a reply is streamed to a reader and it outlives SHUTDOWN_GRACE_MS: the reader gets a
 * clear end (`done`, aborted) rather than a connection cut mid-chunk, and the text so far is kept.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { readEvents, signedInClient, startChatHarness, type ChatHarness } from "../support/chat-harness";

let harness: ChatHarness;
beforeAll(async () => {
  harness = await startChatHarness({ SHUTDOWN_GRACE_MS: "1500" });
}, 180_000);
afterAll(async () => {
  await Promise.all([harness.openrouter.close(), harness.ollama.close()]);
});

it(
  "a streamed reply cut at the end of the grace period ends with `done` aborted, its text kept",
  { timeout: 60_000 },
  async () => {
    const client = await signedInClient(harness.server.url);
    const created = await client.postJson("/api/v1/conversations", {});
    const { id } = (await created.json()) as { id: string };
    const response = await client.postJson(
      `/api/v1/conversations/${id}/messages`,
      { content: "[[stub:delay=400]] tell me a long story about the sea" },
      { accept: "text/event-stream" },
    );
    expect(response.status).toBe(200);
    const events = readEvents(response);
    // A few tokens in, then the operator stops the process.
    await expect
      .poll(() => prisma.message.count({ where: { conversationId: id, role: "assistant", content: { not: "" } } }), {
        timeout: 10_000,
      })
      .toBe(1);
    const exited = harness.server.stop("SIGTERM");

    const received = await events;
    expect(received.at(-1)).toEqual({ event: "done", data: { status: "aborted" } });
    expect(await exited).toBe(0);
    const reply = await prisma.message.findFirstOrThrow({ where: { conversationId: id, role: "assistant" } });
    expect(reply.status).toBe("aborted");
    expect(reply.content).toMatch(/^You said: "tell me/);
    const streamed = received
      .filter((event) => event.event === "token")
      .map((event) => event.data.text)
      .join("");
    expect(reply.content.startsWith(streamed)).toBe(true);
  },
);
