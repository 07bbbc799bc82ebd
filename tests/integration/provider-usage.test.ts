/**
 * Token counts as a provider reports them (usage.prompt_tokens / completion_tokens) are not trusted: a
 * string, a negative, a fraction or more than an int holds is stored as a whole count from 0 to the
 * largest int, in the reply and the day's usage, so a reply is stored and the person's budget is not
 * spent (or refilled) by an odd report. The stand-in provider sends the odd values over HTTP.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { COST_MAX } from "~/llm/token-count";
import { signedInClient, newChatEmail, startChatHarness, type ChatHarness } from "../support/chat-harness";

let harness: ChatHarness;
beforeAll(async () => {
  harness = await startChatHarness();
}, 180_000);
afterAll(() => harness?.stop());
beforeEach(() => {
  harness.openrouter.reset();
  harness.ollama.reset();
});

const INT_MAX = 2 ** 31 - 1;

/** A new person's first message, answered by the stand-in; their reply once it has settled, and their id. */
async function replied(
  sent: { prompt_tokens?: unknown; completion_tokens?: unknown; cost?: unknown },
  email = newChatEmail(),
) {
  harness.openrouter.configure({ usage: sent });
  const client = await signedInClient(harness.server.url, email);
  const response = await client.post("/chat?index", { message: "count my tokens" });
  expect(response.status).toBe(302);
  const user = await prisma.user.findUniqueOrThrow({ where: { email } });
  for (let attempt = 0; attempt < 200; attempt++) {
    const reply = await prisma.message.findFirst({ where: { userId: user.id, role: "assistant" } });
    if (reply && reply.status !== "streaming") return { reply, user, client };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("reply never settled");
}

it.each([
  ["numbers in strings", { prompt_tokens: "12", completion_tokens: "7" }, 12, 7],
  ["negatives", { prompt_tokens: -5, completion_tokens: -1e9 }, 0, 0],
  ["fractions", { prompt_tokens: 12.4, completion_tokens: 6.6 }, 12, 7],
  ["more than an int holds", { prompt_tokens: 3e9, completion_tokens: 1e300 }, INT_MAX, INT_MAX],
  ["not numbers at all", { prompt_tokens: "lots", completion_tokens: null }, 0, 0],
  ["a huge number in a string", { prompt_tokens: "99999999999", completion_tokens: "-3" }, INT_MAX, 0],
])(
  "a provider's usage with %s: the reply is stored with whole counts from 0 to the largest int, and so is the day's usage",
  async (_name, sent, prompt, completion) => {
    const { reply, user } = await replied(sent);
    expect(reply).toMatchObject({ status: "complete", promptTokens: prompt, completionTokens: completion });
    expect(await prisma.usageDaily.findFirst({ where: { userId: user.id } })).toMatchObject({
      requests: 1,
      promptTokens: prompt,
      completionTokens: completion,
    });
  },
);

it("a count sent as a string does not spend the person's daily token budget", async () => {
  const email = newChatEmail();
  const { user, client, reply } = await replied({ prompt_tokens: "12", completion_tokens: "7" }, email);
  expect(reply.status).toBe("complete");
  await prisma.chatSettings.upsert({
    where: { userId: user.id },
    create: { userId: user.id, dailyTokenBudget: 1000 },
    update: { dailyTokenBudget: 1000 },
  });
  const created = (await (await client.postJson("/api/v1/conversations", {})).json()) as { id: string };
  const sent = await client.postJson(`/api/v1/conversations/${created.id}/messages`, { content: "more" });
  expect(sent.status).toBe(202);
});

it("a negative cost takes nothing off the day's usage", async () => {
  const { reply, user } = await replied({ cost: -0.5 });
  expect(reply.status).toBe("complete");
  expect(reply.cost).toBe(0);
  expect((await prisma.usageDaily.findFirstOrThrow({ where: { userId: user.id } })).cost).toBe(0);
});

it("a cost too large to add up (1e308) is held to a ceiling: the next reply is stored and the day's cost stays a number", async () => {
  // Two of them overflowed the day's cost (float8) and failed the second reply's last statement.
  const { reply, user, client } = await replied({ cost: 1e308 });
  expect(reply.status).toBe("complete");
  expect(reply.cost).toBe(COST_MAX);
  expect((await client.post("/chat?index", { message: "and again" })).status).toBe(302);
  for (let attempt = 0; attempt < 200; attempt++) {
    const replies = await prisma.message.findMany({
      where: { userId: user.id, role: "assistant" },
      orderBy: { createdAt: "asc" },
    });
    if (replies.length === 2 && replies.every((each) => each.status !== "streaming")) {
      expect(replies.map((each) => [each.status, each.cost])).toEqual([
        ["complete", COST_MAX],
        ["complete", COST_MAX],
      ]);
      expect((await prisma.usageDaily.findFirstOrThrow({ where: { userId: user.id } })).cost).toBe(2 * COST_MAX);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the second reply never settled");
});
