/**
 * Assistant memory (issue #14) over HTTP against the built server and the stand-in provider: the review
 * queue fed by the extraction (scripted, invalid, capped), auto-accept, corrections, summaries in later
 * prompts, the prompt page, and isolation between people.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { countTokens } from "~/llm/router.server";
import { lastMessageId, signedInClient, startChatHarness, type ChatHarness } from "../support/chat-harness";

let harness: ChatHarness;
beforeAll(async () => {
  harness = await startChatHarness();
}, 180_000);
afterAll(() => harness?.stop());
beforeEach(async () => {
  harness.openrouter.reset();
  harness.ollama.reset();
  await prisma.instanceSettings.deleteMany();
});

type Client = Awaited<ReturnType<typeof signedInClient>>;

async function settled(replyId: string) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const message = await prisma.message.findUniqueOrThrow({ where: { id: replyId } });
    const prompt = await prisma.replyPrompt.findUnique({ where: { messageId: replyId } });
    if (message.status !== "streaming" && prompt) return message;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("reply never settled");
}

/** Starts a conversation and waits for its reply; returns the conversation id and the reply id. */
async function converse(client: Client, message: string) {
  const response = await client.post("/chat?index", { message });
  expect(response.status).toBe(302);
  const path = response.headers.get("location")!;
  const replyId = lastMessageId(await (await client.get(path)).text());
  await settled(replyId);
  return { id: path.split("/").at(-1)!, path, replyId };
}

async function say(client: Client, path: string, message: string) {
  expect((await client.post(path, { intent: "send", message })).status).toBe(302);
  const replyId = lastMessageId(await (await client.get(path)).text());
  await settled(replyId);
  return replyId;
}

async function summarize(client: Client, conversationId: string) {
  const response = await client.post(`/test-only/summarize/${conversationId}`, {});
  expect(response.status).toBe(200);
  return (await response.json()) as { status: string; queued?: number; accepted?: number; dropped?: number };
}

async function userIdOf(conversationId: string) {
  return (await prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } })).userId;
}

const extractionRequests = () =>
  harness.openrouter.requests.filter((request) => JSON.stringify(request.body).includes("[[ares:memory-extraction]]"));

describe("memory", () => {
  it("a fact I add is in my next prompt, in its section, and the reply says it used it", async () => {
    const client = await signedInClient(harness.server.url);
    const added = await client.post("/memory", {
      intent: "add-fact",
      kind: "professional",
      key: "employer",
      value: "Acme Rockets",
    });
    expect(added.status).toBe(302);
    const { id, path, replyId } = await converse(client, "Where do I work?");
    const sent = JSON.stringify(harness.openrouter.requests.at(-1)!.body);
    expect(sent).toContain("professional · employer: Acme Rockets");
    const prompt = await (await client.get(`${path}/prompt`)).text();
    expect(prompt).toMatch(/data-section="facts"[\s\S]*professional · employer: Acme Rockets/);
    const page = await (await client.get(path)).text();
    expect(page).toContain("used 1 memory");
    expect(page).toContain(`/chat/${id}/prompt?reply=${replyId}`);
  });

  it("a correction replaces the old value and keeps it in the history", async () => {
    const client = await signedInClient(harness.server.url);
    await client.post("/memory", { intent: "add-fact", kind: "personal", key: "home town", value: "Leeds" });
    await client.post("/memory", { intent: "add-fact", kind: "personal", key: "home_town", value: "York" });
    const { path } = await converse(client, "hello");
    const userId = await userIdOf(path.split("/").at(-1)!);
    const facts = await prisma.memoryFact.findMany({ where: { userId } });
    expect(facts).toHaveLength(1);
    expect(facts[0]!.value).toBe("York");
    expect(facts[0]!.history).toMatchObject([{ value: "Leeds" }]);
    const sent = JSON.stringify(harness.openrouter.requests.at(-1)!.body);
    expect(sent).toContain("home_town: York");
    expect(sent).not.toContain("Leeds");
  });

  it("scripted extraction JSON becomes proposals from my own messages; restatements and the assistant's words are dropped", async () => {
    const client = await signedInClient(harness.server.url);
    await client.post("/memory", { intent: "add-fact", kind: "personal", key: "pet", value: "a cat called Miso" });
    const { id } = await converse(client, "I play the cello on Sundays.");
    harness.openrouter.configure({
      extractionReply: JSON.stringify({
        summary: "Talked about music.",
        topics: ["cello"],
        keyFacts: ["plays the cello"],
        candidates: [
          {
            type: "fact",
            kind: "personal",
            key: "instrument",
            value: "cello",
            confidence: 0.9,
            importance: 6,
            message: 0,
          },
          { type: "preference", key: "practice_day", value: "Sunday", confidence: 0.7, importance: 4, message: 0 },
          {
            type: "fact",
            kind: "personal",
            key: "pet",
            value: "A cat called Miso",
            confidence: 0.9,
            importance: 5,
            message: 0,
          },
          {
            type: "fact",
            kind: "context",
            key: "advice",
            value: "practise scales",
            confidence: 0.9,
            importance: 5,
            message: 1,
          },
        ],
      }),
    });
    const outcome = await summarize(client, id);
    expect(outcome).toMatchObject({ status: "written", queued: 2, accepted: 0, dropped: 2 });
    const page = await (await client.get("/memory")).text();
    expect(page).toMatch(/To review \((<!-- -->)?2(<!-- -->)?\)/);
    expect(page).toContain("instrument");
    expect(page).toContain("practice_day");
    expect(page).not.toContain("practise scales");
    const userMessage = await prisma.message.findFirstOrThrow({ where: { conversationId: id, role: "user" } });
    expect(page).toContain(`/chat/${id}#m-${userMessage.id}`);
  });

  it("invalid extraction output is logged and dropped: no summary, no proposal, no crash", async () => {
    const client = await signedInClient(harness.server.url);
    const { id } = await converse(client, "my favourite colour is teal");
    harness.openrouter.configure({ extractionMode: "invalid" });
    expect(await summarize(client, id)).toMatchObject({ status: "invalid", reason: "not JSON" });
    harness.openrouter.configure({
      extractionMode: "scripted",
      extractionReply: JSON.stringify({ summary: "x", topics: [], keyFacts: [], candidates: [{ type: "fact" }] }),
    });
    expect(await summarize(client, id)).toMatchObject({ status: "invalid" });
    expect(await prisma.conversationSummary.count({ where: { conversationId: id } })).toBe(0);
    expect(await prisma.memoryProposal.count({ where: { conversationId: id } })).toBe(0);
    expect(harness.server.logs.some((line) => line.msg === "extraction answer dropped")).toBe(true);
    // The server is fine: the next message is answered.
    expect(await (await client.get(`/chat/${id}`)).text()).toContain("favourite colour");
  });

  it("auto-accepts only when I turned it on and both thresholds are met", async () => {
    const client = await signedInClient(harness.server.url);
    const reply = JSON.stringify({
      summary: "About me.",
      topics: [],
      keyFacts: [],
      candidates: [
        { type: "fact", kind: "identity", key: "name", value: "Robin", confidence: 0.95, importance: 9, message: 0 },
        { type: "fact", kind: "personal", key: "city", value: "Oslo", confidence: 0.79, importance: 9, message: 0 },
        { type: "fact", kind: "personal", key: "sport", value: "chess", confidence: 0.9, importance: 6, message: 0 },
      ],
    });
    harness.openrouter.configure({ extractionReply: reply });
    const off = await converse(client, "I am Robin from Oslo and I play chess");
    expect(await summarize(client, off.id)).toMatchObject({ queued: 3, accepted: 0 });
    const userId = await userIdOf(off.id);
    await prisma.memoryProposal.deleteMany({ where: { userId } });

    expect(
      (await client.post("/settings/assistant", { intent: "memory", memoryEnabled: "on", memoryAutoAccept: "on" }))
        .status,
    ).toBe(302);
    const on = await converse(client, "Again: I am Robin from Oslo and I play chess");
    expect(await summarize(client, on.id)).toMatchObject({ queued: 2, accepted: 1 });
    const facts = await prisma.memoryFact.findMany({ where: { userId } });
    expect(facts.map((fact) => fact.key)).toEqual(["name"]);

    // Thresholds are the instance's: lowered, the 0.79 one passes too.
    await prisma.memoryProposal.deleteMany({ where: { userId } });
    await prisma.instanceSettings.create({ data: { id: 1, autoAcceptMinConfidence: 0.75 } });
    const lowered = await converse(client, "Once more: Robin, Oslo, chess");
    expect(await summarize(client, lowered.id)).toMatchObject({ accepted: 1, queued: 1, dropped: 1 });
  });

  it("a summary is written once per message range and shows up in a later prompt of another conversation", async () => {
    const client = await signedInClient(harness.server.url);
    const first = await converse(client, "Planning a trip to Kyoto in April for the cherry blossoms");
    const written = await summarize(client, first.id);
    expect(written.status).toBe("written");
    expect(await summarize(client, first.id)).toEqual({ status: "nothing-new" });
    expect(await prisma.conversationSummary.count({ where: { conversationId: first.id } })).toBe(1);
    // New messages: a second range, a second summary.
    await say(client, first.path, "also Osaka");
    expect((await summarize(client, first.id)).status).toBe("written");
    expect(await prisma.conversationSummary.count({ where: { conversationId: first.id } })).toBe(2);

    const later = await converse(client, "What should I pack for Kyoto?");
    const sent = JSON.stringify(harness.openrouter.requests.at(-1)!.body);
    expect(sent).toContain("## Earlier conversations");
    expect(sent).toContain("Kyoto in April");
    const prompt = await (await client.get(`${later.path}/prompt`)).text();
    expect(prompt).toMatch(/data-section="summaries"[\s\S]*Kyoto in April/);
    // Not about the trip: no summary is sent.
    await converse(client, "Explain recursion briefly");
    expect(JSON.stringify(harness.openrouter.requests.at(-1)!.body)).not.toContain("Earlier conversations");
  });

  it("the extraction request never exceeds its token cap, and covers the rest in the next run", async () => {
    const client = await signedInClient(harness.server.url);
    await prisma.instanceSettings.create({ data: { id: 1, extractionInputTokens: 600 } });
    const { id, path } = await converse(client, `first ${"word ".repeat(150)}`);
    await say(client, path, `second ${"lorem ".repeat(150)}`);
    await say(client, path, `third ${"ipsum ".repeat(150)}`);
    const outcome = await summarize(client, id);
    expect(outcome.status).toBe("written");
    const requests = extractionRequests();
    expect(requests).toHaveLength(1);
    const messages = (requests[0]!.body as { messages: Array<{ content: string }> }).messages;
    const tokens = messages.reduce((sum, message) => sum + countTokens(message.content) + 4, 0);
    expect(tokens).toBeLessThanOrEqual(600);
    const covered = await prisma.conversationSummary.findFirstOrThrow({ where: { conversationId: id } });
    expect(covered.messageCount).toBeLessThan(6);
    expect((await summarize(client, id)).status).toBe("written");
    expect(extractionRequests()).toHaveLength(2);
  });

  it("deleting a memory removes it from later prompts and from the summaries' key facts", async () => {
    const client = await signedInClient(harness.server.url);
    const { id } = await converse(client, "my dentist is Dr Okafor");
    expect(await summarize(client, id)).toMatchObject({ status: "written", queued: 1 });
    const proposal = await prisma.memoryProposal.findFirstOrThrow({ where: { conversationId: id } });
    expect((await client.post("/memory", { intent: "accept", id: proposal.id })).status).toBe(302);
    const fact = await prisma.memoryFact.findFirstOrThrow({ where: { userId: proposal.userId } });
    expect((await prisma.conversationSummary.findFirstOrThrow({ where: { conversationId: id } })).keyFacts).toEqual([
      "dentist is Dr Okafor",
    ]);
    expect((await client.post("/memory", { intent: "delete-fact", id: fact.id })).status).toBe(302);
    expect((await prisma.conversationSummary.findFirstOrThrow({ where: { conversationId: id } })).keyFacts).toEqual([]);
    await converse(client, "who is my dentist Okafor");
    expect(JSON.stringify(harness.openrouter.requests.at(-1)!.body)).not.toContain("dentist: Dr Okafor");
  });

  it("another person gets 404 for every one of my memories, proposals, summaries and prompt pages", async () => {
    const alice = await signedInClient(harness.server.url);
    const bob = await signedInClient(harness.server.url);
    await alice.post("/memory", { intent: "add-fact", kind: "personal", key: "secret", value: "alice-only" });
    await alice.post("/memory", { intent: "add-preference", key: "tone", value: "formal" });
    const { id, path, replyId } = await converse(alice, "my locker code is 4711");
    await summarize(alice, id);
    const userId = await userIdOf(id);
    const fact = await prisma.memoryFact.findFirstOrThrow({ where: { userId } });
    const preference = await prisma.memoryPreference.findFirstOrThrow({ where: { userId } });
    const proposal = await prisma.memoryProposal.findFirstOrThrow({ where: { userId } });

    for (const form of <Array<Record<string, string>>>[
      { intent: "edit-fact", id: fact.id, kind: "personal", key: "secret", value: "bob" },
      { intent: "delete-fact", id: fact.id },
      { intent: "edit-preference", id: preference.id, key: "tone", value: "bob" },
      { intent: "delete-preference", id: preference.id },
      { intent: "accept", id: proposal.id },
      { intent: "accept-edited", id: proposal.id, key: "x", value: "y" },
      { intent: "reject", id: proposal.id },
    ]) {
      expect((await bob.post("/memory", form)).status, form.intent).toBe(404);
    }
    for (const query of [`edit=${fact.id}`, `edit=${preference.id}`, `review=${proposal.id}`]) {
      expect((await bob.get(`/memory?${query}`)).status, query).toBe(404);
    }
    const as = (client: typeof bob, method: string, url: string) =>
      client.get(url, { method, ...(method === "GET" ? {} : { headers: { origin: harness.server.url } }) });
    for (const url of [`${path}/prompt`, `${path}/prompt?reply=${replyId}`]) {
      for (const method of ["GET", "POST"]) expect((await as(bob, method, url)).status, `${method} ${url}`).toBe(404);
      // Methods no page takes are refused before any lookup, the same for the owner: nothing to learn.
      for (const method of ["PUT", "PATCH", "DELETE"]) {
        expect((await as(bob, method, url)).status, `${method} ${url}`).toBe(405);
        expect((await as(alice, method, url)).status, `${method} ${url} (owner)`).toBe(405);
      }
    }
    expect((await bob.post(path, { intent: "memory-off" })).status).toBe(404);
    // Bob's own pages show none of it; Alice's are intact.
    const bobs = await (await bob.get("/memory")).text();
    expect(bobs).not.toContain("alice-only");
    expect(bobs).not.toContain("4711");
    expect(await prisma.memoryFact.count({ where: { userId } })).toBe(1);
    expect((await prisma.memoryProposal.findUniqueOrThrow({ where: { id: proposal.id } })).status).toBe("proposed");
    const summaryText = (await prisma.conversationSummary.findFirstOrThrow({ where: { conversationId: id } })).summary;
    await converse(bob, "locker code 4711");
    expect(JSON.stringify(harness.openrouter.requests.at(-1)!.body)).not.toContain(summaryText);
  });

  it("the memory switches: off for me or for this conversation, nothing is used or learned", async () => {
    const client = await signedInClient(harness.server.url);
    await client.post("/memory", { intent: "add-fact", kind: "personal", key: "pet", value: "Miso the cat" });
    const { id, path } = await converse(client, "my hobby is pottery");
    expect((await client.post(path, { intent: "memory-off" })).status).toBe(302);
    await say(client, path, "tell me about my pet");
    expect(JSON.stringify(harness.openrouter.requests.at(-1)!.body)).not.toContain("Miso");
    expect(await summarize(client, id)).toEqual({ status: "off" });
    await client.post(path, { intent: "memory-on" });
    await client.post("/settings/assistant", { intent: "memory" });
    await say(client, path, "tell me about my pet again");
    expect(JSON.stringify(harness.openrouter.requests.at(-1)!.body)).not.toContain("Miso");
    expect(await summarize(client, id)).toEqual({ status: "off" });
  });

  it("forget everything needs the confirmation, then leaves nothing", async () => {
    const client = await signedInClient(harness.server.url);
    await client.post("/memory", { intent: "add-fact", kind: "personal", key: "pet", value: "Miso" });
    const refused = await client.post("/memory", { intent: "forget", confirm: "yes" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("forget everything");
    expect((await client.post("/memory", { intent: "forget", confirm: "forget everything" })).status).toBe(302);
    expect(await (await client.get("/memory")).text()).toContain("No facts yet.");
  });
});
