/**
 * Assistant memory (issue #14) over HTTP against the built server and the stand-in provider: the review
 * queue fed by the extraction (scripted, invalid, capped), auto-accept, corrections, summaries in later
 * prompts, the prompt page, isolation between people, and the idle summary run by the server's own jobs
 * queue (pg-boss on this PostgreSQL database).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { countTokens } from "~/llm/router.server";
import { lastMessageId, signedInClient, startChatHarness, type ChatHarness } from "../support/chat-harness";
import { queueExists, sendJobElsewhere } from "../support/jobs";

let harness: ChatHarness;
beforeAll(async () => {
  // The slow-extraction test's model answers after 5 s: it is waited for, not timed out.
  harness = await startChatHarness({ LLM_REQUEST_TIMEOUT_MS: "10000" });
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
  // The conversation opens at its newest message (/chat/<id>#latest).
  const path = response.headers.get("location")!.replace(/#.*$/, "");
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
  harness.openrouter.requests.filter((request) =>
    JSON.stringify(request.body ?? "").includes("[[ares:memory-extraction]]"),
  );

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

  it("the prompt page dates the reply in my time zone, as other pages do", async () => {
    const client = await signedInClient(harness.server.url);
    const { id, path } = await converse(client, "What time is it in Tokyo?");
    const { userId } = await prisma.conversation.findUniqueOrThrow({ where: { id } });
    await prisma.user.update({ where: { id: userId }, data: { timeZone: "Asia/Tokyo" } });
    const prompt = await (await client.get(`${path}/prompt`)).text();
    const [, at, shown] = /the reply of (?:<!-- -->)?<time dateTime="([^"]+)">([^<]*)<\/time>/.exec(prompt)!;
    const tokyo = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Tokyo" });
    expect(shown).toBe(tokyo.format(new Date(at!)));
    expect(prompt).not.toContain("GMT");
  });

  it("a correction replaces the old value and keeps it in the history", async () => {
    const client = await signedInClient(harness.server.url);
    await client.post("/memory", { intent: "add-fact", kind: "personal", key: "home town", value: "Leeds" });
    // Replacing is a choice ("Replace it"): without it the same key is refused (memory-forms.test.ts).
    await client.post("/memory", {
      intent: "add-fact",
      kind: "personal",
      key: "home_town",
      value: "York",
      replace: "on",
    });
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

  it("a fact or preference sent several times at once (a form submitted twice) is saved once, never an error", async () => {
    const client = await signedInClient(harness.server.url);
    const fact = { intent: "add-fact", kind: "personal", key: "pet", value: "a cat called Miso" };
    const preference = { intent: "add-preference", key: "tone", value: "brief" };
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, index) => client.post("/memory", index % 2 ? preference : fact)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(302));
    expect(await prisma.memoryFact.count({ where: { key: "pet", value: "a cat called Miso" } })).toBe(1);
    expect(await prisma.memoryPreference.count({ where: { key: "tone", value: "brief" } })).toBe(1);
    expect((await client.get("/memory")).status).toBe(200);
    // Deleted several times at once: one delete, the others find it gone (404), none fails.
    const { id } = await prisma.memoryFact.findFirstOrThrow({ where: { key: "pet", value: "a cat called Miso" } });
    const deletes = await Promise.all(
      Array.from({ length: 6 }, () => client.post("/memory", { intent: "delete-fact", id })),
    );
    expect(deletes.map((answer) => answer.status).sort()).toEqual([302, 404, 404, 404, 404, 404]);
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
    // Not JSON's schema either; the second invalid answer for this range, so the range is passed over.
    expect(await summarize(client, id)).toMatchObject({
      status: "skipped",
      reason: expect.stringContaining("candidates"),
    });
    expect(await prisma.conversationSummary.count({ where: { conversationId: id } })).toBe(0);
    expect(await prisma.memoryProposal.count({ where: { conversationId: id } })).toBe(0);
    expect(harness.server.logs.some((line) => line.msg === "extraction answer dropped")).toBe(true);
    // The server is fine: the next message is answered.
    expect(await (await client.get(`/chat/${id}`)).text()).toContain("favourite colour");
  });

  it("a summary with an over-long topic is written with the topic clipped, not dropped", async () => {
    const client = await signedInClient(harness.server.url);
    const { id } = await converse(client, "Let us plan the spring garden.");
    const longTopic = `${"planning the spring vegetable garden ".repeat(3)}with raised beds`;
    harness.openrouter.configure({
      extractionReply: JSON.stringify({
        summary: "Planned the spring garden.",
        topics: [longTopic, "garden"],
        keyFacts: ["wants raised beds"],
        candidates: [],
      }),
    });
    expect(await summarize(client, id)).toMatchObject({ status: "written" });
    const summary = await prisma.conversationSummary.findFirstOrThrow({ where: { conversationId: id } });
    expect(summary.topics).toHaveLength(2);
    expect(summary.topics[0]!.length).toBeLessThanOrEqual(80);
    expect(summary.topics[0]).toMatch(/^planning the spring vegetable garden planning .*…$/);
    expect(summary.topics[1]).toBe("garden");
  });

  it("a dropped extraction answer is logged without any of the conversation's text", async () => {
    const client = await signedInClient(harness.server.url);
    const secret = "my locker code is 4471 at the gym";
    const { id } = await converse(client, secret);
    harness.openrouter.configure({
      extractionReply: JSON.stringify({
        summary: `They said: ${secret}`,
        topics: ["gym locker"],
        keyFacts: [secret],
        candidates: [{ type: "fact", key: "locker", value: "4471", note: secret }],
      }),
    });
    expect(await summarize(client, id)).toMatchObject({ status: "invalid" });
    const dropped = harness.server.logs.filter((line) => line.msg === "extraction answer dropped");
    expect(dropped.length).toBeGreaterThan(0);
    const logged = JSON.stringify(dropped);
    for (const text of ["locker code", "at the gym", "They said"]) expect(logged).not.toContain(text);
    // Nor a key the model made up (zod's message names it as written).
    for (const line of dropped) expect(String(line.reason)).not.toContain("note");
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

  it("a long list of known memories leaves the transcript its room in the cap: extraction does not stall", async () => {
    const client = await signedInClient(harness.server.url);
    const { id } = await converse(client, "my bike is a red Brompton");
    const userId = await userIdOf(id);
    const value = (i: number) =>
      Array.from({ length: 100 }, (_, j) => ((i * 97 + j * 31) % 1000).toString())
        .join(" ")
        .slice(0, 400);
    const facts = Array.from({ length: 40 }, (_, i) => ({
      userId,
      kind: "context" as const,
      key: `note_${i}`,
      value: value(i),
    }));
    await prisma.memoryFact.createMany({ data: facts });
    // Listed whole, they alone would fill the default cap of 4000 tokens.
    const listed = facts.reduce((sum, fact) => sum + countTokens(`- context · ${fact.key}: ${fact.value}`), 0);
    expect(listed).toBeGreaterThan(4000);

    expect(await summarize(client, id)).toMatchObject({ status: "written", queued: 1 });
    const [request] = extractionRequests();
    const messages = (request!.body as { messages: Array<{ content: string }> }).messages;
    expect(messages.reduce((sum, message) => sum + countTokens(message.content) + 4, 0)).toBeLessThanOrEqual(4000);
    expect(countTokens(messages[0]!.content)).toBeLessThanOrEqual(2000);
    expect(messages[0]!.content).toContain("note_");
    expect(messages[1]!.content).toContain("my bike is a red Brompton");
  });

  it("a range the model answers invalidly twice is skipped and logged, not re-sent forever; later messages are summarised", async () => {
    const client = await signedInClient(harness.server.url);
    const { id, path } = await converse(client, "my hobby is knitting");
    harness.openrouter.configure({ extractionMode: "invalid" });
    expect(await summarize(client, id)).toMatchObject({ status: "invalid", reason: "not JSON" });
    expect(await summarize(client, id)).toMatchObject({ status: "skipped", messages: 2, remaining: 0 });
    expect(
      harness.server.logs.some((line) => line.msg === "extraction range skipped after repeated invalid answers"),
    ).toBe(true);
    expect(await summarize(client, id)).toEqual({ status: "nothing-new" });
    expect(extractionRequests()).toHaveLength(2);

    // The model answers properly again: only what came after the skipped range is sent and summarised.
    harness.openrouter.configure({ extractionMode: "scripted" });
    await say(client, path, "my pet is a dog called Rex");
    expect(await summarize(client, id)).toMatchObject({ status: "written", queued: 1 });
    expect(extractionRequests()).toHaveLength(3);
    const transcript = JSON.stringify(extractionRequests()[2]!.body);
    expect(transcript).toContain("Rex");
    expect(transcript).not.toContain("knitting");
    expect((await summariesOf(id)).map((summary) => summary.messageCount)).toEqual([2]);
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
    // The summary's prose said it too ("The person talked about: my dentist is Dr Okafor"): another
    // conversation's prompt carries the summary, without the forgotten value.
    await converse(client, "who is my dentist Okafor");
    const sent = JSON.stringify(harness.openrouter.requests.at(-1)!.body);
    expect(sent).toContain("## Earlier conversations");
    expect(sent).toContain("my dentist is [forgotten]");
    expect(sent).not.toContain("Dr Okafor");
  });

  it("accepting a proposal as I edited it saves my version and records what I changed it to", async () => {
    const client = await signedInClient(harness.server.url);
    const { id } = await converse(client, "my dentist is Dr Okafor");
    expect(await summarize(client, id)).toMatchObject({ status: "written", queued: 1 });
    const proposal = await prisma.memoryProposal.findFirstOrThrow({ where: { conversationId: id } });
    expect(proposal.type).toBe("fact");
    const edited = {
      intent: "accept-edited",
      id: proposal.id,
      kind: "professional",
      key: "dentist",
      value: "Dr Ada Okafor",
    };
    expect((await client.post("/memory", edited)).status).toBe(302);
    expect(await prisma.memoryProposal.findUniqueOrThrow({ where: { id: proposal.id } })).toMatchObject({
      status: "edited",
      kind: "professional",
      key: "dentist",
      value: "Dr Ada Okafor",
      decidedAt: expect.any(Date),
    });
    expect(await prisma.memoryFact.findFirstOrThrow({ where: { userId: proposal.userId } })).toMatchObject({
      kind: "professional",
      key: "dentist",
      value: "Dr Ada Okafor",
    });
    // Decided once: a second accept (another tab) finds nothing to decide, and the memory page says so.
    const again = await client.post("/memory", edited);
    expect(again.status).toBe(302);
    expect(again.headers.get("location")).toBe("/memory");
    expect(await (await client.get("/memory")).text()).toContain("That suggestion was already handled.");
  });

  it('forgetting a value redacts whole words only: deleting "no" leaves Norway and knows alone', async () => {
    const client = await signedInClient(harness.server.url);
    harness.openrouter.configure({
      extractionReply: JSON.stringify({
        summary: "Said no to the trip; lives in Norway and knows Python. No, not again.",
        topics: ["Norway", "no"],
        keyFacts: ["lives in Norway", "knows Python", "answer is no"],
        candidates: [],
      }),
    });
    const { id } = await converse(client, "no, I live in Norway");
    expect(await summarize(client, id)).toMatchObject({ status: "written" });
    await client.post("/memory", { intent: "add-fact", kind: "context", key: "answer", value: "no" });
    const fact = await prisma.memoryFact.findFirstOrThrow({ where: { userId: await userIdOf(id) } });
    expect((await client.post("/memory", { intent: "delete-fact", id: fact.id })).status).toBe(302);
    const summary = await prisma.conversationSummary.findFirstOrThrow({ where: { conversationId: id } });
    expect(summary.keyFacts).toEqual(["lives in Norway", "knows Python"]);
    expect(summary.topics).toEqual(["Norway"]);
    expect(summary.summary).toBe(
      "Said [forgotten] to the trip; lives in Norway and knows Python. [forgotten], not again.",
    );
    expect(summary.searchText).not.toMatch(/\bno\b/i);
  });

  it("a rejected proposal never reaches another conversation's prompt, nor comes back, even with auto-accept", async () => {
    const client = await signedInClient(harness.server.url);
    const first = await converse(client, "my lucky number is 8675309");
    expect(await summarize(client, first.id)).toMatchObject({ status: "written", queued: 1 });
    const proposal = await prisma.memoryProposal.findFirstOrThrow({ where: { conversationId: first.id } });
    expect((await client.post("/memory", { intent: "reject", id: proposal.id })).status).toBe(302);

    // Saying it again in the same conversation: the new summary does not state it either.
    await say(client, first.path, "as I said, my lucky number is 8675309");
    // Auto-accept on, and the stub's candidate clears both thresholds (confidence 0.9, importance 8).
    await client.post("/settings/assistant", { intent: "memory", memoryEnabled: "on", memoryAutoAccept: "on" });
    expect(await summarize(client, first.id)).toMatchObject({ status: "written", queued: 0, accepted: 0, dropped: 1 });
    const second = await converse(client, "remember? my lucky number is 8675309");
    expect(await summarize(client, second.id)).toMatchObject({ status: "written", queued: 0, accepted: 0, dropped: 1 });
    const userId = proposal.userId;
    expect(await prisma.memoryFact.count({ where: { userId } })).toBe(0);
    expect(await prisma.memoryProposal.count({ where: { userId } })).toBe(1);

    // Other conversations' prompts carry those summaries, without the number.
    await converse(client, "what is my lucky number?");
    const sent = JSON.stringify(harness.openrouter.requests.at(-1)!.body);
    expect(sent).toContain("## Earlier conversations");
    expect(sent).toContain("lucky number is [forgotten]");
    expect(sent).not.toContain("8675309");
    const summaries = await prisma.conversationSummary.findMany({ where: { userId } });
    expect(summaries).toHaveLength(3);
    for (const summary of summaries) expect(JSON.stringify(summary)).not.toContain("8675309");
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
      expect((await as(bob, "GET", url)).status, `GET ${url}`).toBe(404);
      // Methods the page does not take (it has no form: POST too) are refused before any lookup, the
      // same for the owner: nothing to learn.
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
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

  it("what I said while this conversation's memory was off is never learned once it is back on", async () => {
    const client = await signedInClient(harness.server.url);
    const { id, path } = await converse(client, "hello there");
    expect((await client.post(path, { intent: "memory-off" })).status).toBe(302);
    await say(client, path, "my locker code is 4711");
    expect((await client.post(path, { intent: "memory-on" })).status).toBe(302);
    await say(client, path, "hi");
    expect(await summarize(client, id)).toMatchObject({ status: "written", queued: 0, accepted: 0 });
    const [summary, ...more] = await summariesOf(id);
    expect(more).toHaveLength(0);
    expect(summary!.messageCount).toBe(2);
    expect(JSON.stringify(summary)).not.toContain("4711");
    expect(JSON.stringify(extractionRequests())).not.toContain("4711");
    expect(await prisma.memoryProposal.count({ where: { userId: await userIdOf(id) } })).toBe(0);
  });

  it("what I said while my memory was off is never learned once I switch it back on", async () => {
    const client = await signedInClient(harness.server.url);
    await client.post("/settings/assistant", { intent: "memory" });
    const { id, path } = await converse(client, "my locker code is 4711");
    await client.post("/settings/assistant", { intent: "memory", memoryEnabled: "on" });
    await say(client, path, "hi");
    expect(await summarize(client, id)).toMatchObject({ status: "written", queued: 0, accepted: 0 });
    const summaries = await summariesOf(id);
    expect(summaries.map((summary) => summary.messageCount)).toEqual([2]);
    expect(JSON.stringify(summaries)).not.toContain("4711");
    expect(JSON.stringify(extractionRequests())).not.toContain("4711");
    expect(await prisma.memoryProposal.count({ where: { userId: await userIdOf(id) } })).toBe(0);
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

const IDLE_QUEUE = "memory.summarize-idle";

type IdleJob = { id: string; state: string; startAfter: Date };

/** The conversation's idle-summary jobs in pg-boss, oldest first. */
async function idleJobs(conversationId: string): Promise<IdleJob[]> {
  return prisma.$queryRaw<IdleJob[]>`
    SELECT id::text, state::text, start_after AS "startAfter" FROM pgboss.job
     WHERE name = ${IDLE_QUEUE} AND singleton_key = ${conversationId} ORDER BY created_on`;
}

/**
 * `minutes` pass for one conversation: its messages, summaries and waiting idle job all move that far
 * into the past together, as if nobody had written for that long (the worker polls every second).
 */
async function letTimePass(conversationId: string, minutes: number) {
  const shift = `${minutes} minutes`;
  await prisma.$transaction([
    prisma.$executeRaw`UPDATE "Message" SET "createdAt" = "createdAt" - ${shift}::interval,
                              "updatedAt" = "updatedAt" - ${shift}::interval WHERE "conversationId" = ${conversationId}`,
    prisma.$executeRaw`UPDATE "ConversationSummary" SET "createdAt" = "createdAt" - ${shift}::interval,
                              "throughMessageAt" = "throughMessageAt" - ${shift}::interval
                        WHERE "conversationId" = ${conversationId}`,
    prisma.$executeRaw`UPDATE "Conversation" SET "lastMessageAt" = "lastMessageAt" - ${shift}::interval,
                              "memoryLearnAfter" = "memoryLearnAfter" - ${shift}::interval
                        WHERE id = ${conversationId}`,
    prisma.$executeRaw`UPDATE pgboss.job SET start_after = start_after - ${shift}::interval
                        WHERE name = ${IDLE_QUEUE} AND singleton_key = ${conversationId} AND state = 'created'`,
  ]);
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const summariesOf = (conversationId: string) =>
  prisma.conversationSummary.findMany({ where: { conversationId }, orderBy: { throughMessageAt: "asc" } });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A finished reply queues its idle job just after `done`: waits for it. */
const queuedJob = (conversationId: string) =>
  until(
    async () => (await idleJobs(conversationId)).find((job) => job.state === "created"),
    5_000,
    "the idle job to be queued",
  );

/** Reads an event stream up to its first token; resolves when it arrived. */
async function firstToken(response: Response): Promise<void> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("event: token")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before its first token: ${seen.slice(0, 300)}`);
    seen += value;
  }
  await reader.cancel();
}

describe("idle summaries (the jobs queue)", () => {
  beforeAll(() => queueExists(process.env.DATABASE_URL!, IDLE_QUEUE), 60_000);

  it("an idle conversation is summarised once per idle period, only its new messages, and a later conversation's prompt carries it", async () => {
    const client = await signedInClient(harness.server.url);
    const started = Date.now();
    const { id, path } = await converse(client, "Planning a trip to Kyoto in April; my favourite temple is Kinkaku-ji");
    // One waiting job, due once the conversation has been idle for the setting's 10 minutes.
    const queued = await queuedJob(id);
    expect(queued.startAfter.getTime()).toBeGreaterThanOrEqual(started + 10 * 60_000 - 1_000);
    // A second reply while it waits adds no job: the waiting one carries the idle period.
    await say(client, path, "my budget is 2000 euros");
    await sleep(1_500);
    expect(await idleJobs(id)).toHaveLength(1);
    expect(await summariesOf(id)).toHaveLength(0);

    // The job comes due (sent after the first reply) while the last message is only 4 minutes old: it
    // runs, finds the conversation still active, and waits for the rest of the idle period.
    await letTimePass(id, 4);
    await prisma.$executeRaw`UPDATE pgboss.job SET start_after = now()
                              WHERE name = ${IDLE_QUEUE} AND singleton_key = ${id} AND state = 'created'`;
    await until(
      async () => ((await idleJobs(id)).some((job) => job.state === "completed") ? true : undefined),
      10_000,
      "the early job to run",
    );
    const waiting = (await idleJobs(id)).filter((job) => job.state === "created");
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.startAfter.getTime()).toBeGreaterThan(Date.now() + 5 * 60_000);
    expect(await summariesOf(id)).toHaveLength(0);
    expect(extractionRequests()).toHaveLength(0);

    await letTimePass(id, 7);
    const [summary] = await until(
      async () => ((await summariesOf(id)).length > 0 ? summariesOf(id) : undefined),
      15_000,
      "the idle summary",
    );
    await until(
      async () => ((await idleJobs(id)).every((job) => job.state === "completed") ? true : undefined),
      10_000,
      "the idle job to finish",
    );
    expect(summary!.messageCount).toBe(4);
    expect(summary!.summary).toContain("Kyoto in April");
    const proposals = await prisma.memoryProposal.findMany({ where: { conversationId: id }, orderBy: { key: "asc" } });
    expect(proposals.map((proposal) => [proposal.key, proposal.value, proposal.status])).toEqual([
      ["budget", "2000 euros", "proposed"],
      ["favourite_temple", "Kinkaku-ji", "proposed"],
    ]);

    // The same idle period again (another process sent a duplicate job): nothing more is written.
    expect(await sendJobElsewhere(process.env.DATABASE_URL!, IDLE_QUEUE, { conversationId: id }, id)).toBeTruthy();
    await until(
      async () => ((await idleJobs(id)).every((job) => job.state === "completed") ? true : undefined),
      10_000,
      "the duplicate job to run",
    );
    expect(await summariesOf(id)).toHaveLength(1);
    expect(await prisma.memoryProposal.count({ where: { conversationId: id } })).toBe(2);
    expect(extractionRequests()).toHaveLength(1);

    // Later, one more exchange: a second idle period, one more summary covering only the new messages.
    const newReplyId = await say(client, path, "my train is the Nozomi");
    await queuedJob(id);
    await letTimePass(id, 11);
    const both = await until(
      async () => ((await summariesOf(id)).length > 1 ? summariesOf(id) : undefined),
      15_000,
      "the second idle summary",
    );
    expect(both).toHaveLength(2);
    const newUserMessage = await prisma.message.findFirstOrThrow({
      where: { conversationId: id, role: "user" },
      orderBy: { createdAt: "desc" },
    });
    expect(both[1]).toMatchObject({ messageCount: 2, fromMessageId: newUserMessage.id, throughMessageId: newReplyId });
    const second = extractionRequests()[1]!.body as { messages: Array<{ content: string }> };
    expect(second.messages[1]!.content).toContain("Nozomi");
    expect(second.messages[1]!.content).not.toContain("Kinkaku-ji");
    await sleep(1_500);
    expect(await summariesOf(id)).toHaveLength(2);

    // Another conversation about the trip: the idle summary is in its prompt.
    const later = await converse(client, "What should I pack for Kyoto?");
    const sent = JSON.stringify(harness.openrouter.requests.at(-1)!.body);
    expect(sent).toContain("## Earlier conversations");
    expect(sent).toContain("Kyoto in April");
    const prompt = await (await client.get(`${later.path}/prompt`)).text();
    expect(prompt).toMatch(/data-section="summaries"[\s\S]*Kyoto in April/);
  }, 90_000);

  it("a reply arms the idle summary after the instance's idle time, and not at all with memory switched off", async () => {
    const client = await signedInClient(harness.server.url);
    await prisma.instanceSettings.create({ data: { id: 1, summaryIdleMinutes: 45 } });
    const started = Date.now();
    const { id } = await converse(client, "Reading about the Meiji restoration");
    const queued = await queuedJob(id);
    expect(queued.startAfter.getTime()).toBeGreaterThanOrEqual(started + 45 * 60_000 - 1_000);
    expect(queued.startAfter.getTime()).toBeLessThan(Date.now() + 46 * 60_000);

    await prisma.instanceSettings.update({ where: { id: 1 }, data: { memoryEnabled: false } });
    const off = await converse(client, "Nothing of this is to be remembered");
    await sleep(1_000);
    expect(await idleJobs(off.id)).toHaveLength(0);
  }, 30_000);

  it("an idle conversation longer than the input cap is summarised in capped pieces, one job after another", async () => {
    const client = await signedInClient(harness.server.url);
    await prisma.instanceSettings.create({ data: { id: 1, extractionInputTokens: 600 } });
    const { id, path } = await converse(client, `first ${"word ".repeat(150)}`);
    await say(client, path, `second ${"lorem ".repeat(150)}`);
    await say(client, path, `third ${"ipsum ".repeat(150)}`);
    await queuedJob(id);
    await letTimePass(id, 11);
    const pieces = await until(
      async () => {
        const written = await summariesOf(id);
        return written.reduce((sum, summary) => sum + summary.messageCount, 0) === 6 ? written : undefined;
      },
      20_000,
      "every message to be summarised",
    );
    expect(pieces.length).toBeGreaterThan(1);
    expect(extractionRequests()).toHaveLength(pieces.length);
    for (const request of extractionRequests()) {
      const messages = (request.body as { messages: Array<{ content: string }> }).messages;
      expect(messages.reduce((sum, message) => sum + countTokens(message.content) + 4, 0)).toBeLessThanOrEqual(600);
    }
  }, 60_000);

  it("with memory off for me or for the conversation, no summary is scheduled or written", async () => {
    const client = await signedInClient(harness.server.url);
    // Off for this conversation after its job was queued: the job runs and learns nothing.
    const queuedThenOff = await converse(client, "my locker code is 4711");
    await queuedJob(queuedThenOff.id);
    expect((await client.post(queuedThenOff.path, { intent: "memory-off" })).status).toBe(302);
    await letTimePass(queuedThenOff.id, 11);
    await until(
      async () => ((await idleJobs(queuedThenOff.id))[0]?.state === "completed" ? true : undefined),
      10_000,
      "the job to run",
    );
    // Off for me: a reply does not even queue a job.
    await client.post("/settings/assistant", { intent: "memory" });
    const off = await converse(client, "my bank is Northwind");
    await sleep(1_000);
    expect(await idleJobs(off.id)).toHaveLength(0);
    expect(await summariesOf(queuedThenOff.id)).toHaveLength(0);
    expect(await prisma.memoryProposal.count({ where: { userId: await userIdOf(off.id) } })).toBe(0);
    expect(extractionRequests()).toHaveLength(0);
  }, 60_000);

  it("sending a message does not wait for extraction: a reply streams at once while a 5 s extraction runs", async () => {
    const client = await signedInClient(harness.server.url);
    const idle = await converse(client, "my favourite tea is sencha");
    await queuedJob(idle.id);
    harness.openrouter.configure({ extractionDelayMs: 5_000 });
    await letTimePass(idle.id, 11);
    await until(async () => (extractionRequests().length > 0 ? true : undefined), 10_000, "the extraction request");
    const extractionStarted = Date.now();

    const created = await client.postJson("/api/v1/conversations", {});
    const { id } = (await created.json()) as { id: string };
    const sent = Date.now();
    const streamed = await client.postJson(
      `/api/v1/conversations/${id}/messages`,
      { content: "a quick question while you think" },
      { accept: "text/event-stream" },
    );
    await firstToken(streamed);
    const firstTokenMs = Date.now() - sent;
    const reply = await prisma.message.findFirstOrThrow({ where: { conversationId: id, role: "assistant" } });
    const finished = await settled(reply.id);
    const doneMs = Date.now() - sent;
    expect(finished.status).toBe("complete");
    // The extraction was still waiting on the model the whole time.
    expect(Date.now() - extractionStarted).toBeLessThan(5_000);
    expect(await summariesOf(idle.id)).toHaveLength(0);
    expect(firstTokenMs).toBeLessThan(2_000);
    expect(doneMs).toBeLessThan(3_000);

    // And the extraction still finishes on its own.
    await until(
      async () => ((await summariesOf(idle.id)).length > 0 ? true : undefined),
      15_000,
      "the slow extraction to finish",
    );
    expect(Date.now() - extractionStarted).toBeGreaterThanOrEqual(4_500);
  }, 60_000);
});
