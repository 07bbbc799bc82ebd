/**
 * Regenerate keeps earlier replies as versions of one reply: the thread, the next prompt's history, the
 * conversation export, search and memory extraction read only the version the person chose.
 */
import { describe, expect, it } from "vitest";
import { ConversationNotFoundError, createConversation, searchConversations } from "~/chat/conversations.server";
import { exportConversation } from "~/chat/export.server";
import {
  listMessages,
  MAX_REPLY_VERSIONS,
  MESSAGES_PER_PAGE,
  NothingToRedoError,
  redoLastReply,
  selectVersion,
  VersionNotFoundError,
} from "~/chat/messages.server";
import { storeExchange } from "~/chat/send.server";
import { CHAT_EXPORT_SECTIONS } from "~/chat/my-data.server";
import { prisma } from "~/db/db.server";
import { makeUser } from "../support/accounts";
import { countQueries } from "../support/query-counter";

/** What the generation would do when a reply is finished: its text and `complete`. */
async function finish(id: string, content: string, status: "complete" | "aborted" = "complete") {
  await prisma.message.update({ where: { id }, data: { content, status } });
}

/** A conversation with one exchange, its reply regenerated twice: versions "first", "second", "third". */
async function threeVersions() {
  const user = await makeUser();
  const { id: conversationId } = await createConversation(user.id);
  const sent = await storeExchange(user.id, conversationId, "name a colour");
  if (!sent.ok) throw new Error("refused");
  await finish(sent.ids.assistantMessageId, "first answer: teal");
  const second = await redoLastReply(user.id, conversationId, { kind: "regenerate" });
  await finish(second.assistantMessageId, "second answer: ochre");
  const third = await redoLastReply(user.id, conversationId, { kind: "regenerate" });
  await finish(third.assistantMessageId, "third answer: umber");
  return {
    userId: user.id,
    conversationId,
    questionId: sent.ids.userMessageId,
    versions: [sent.ids.assistantMessageId, second.assistantMessageId, third.assistantMessageId] as const,
  };
}

/** Every group of the conversation has exactly one selected version. */
async function selectedPerGroup(conversationId: string): Promise<number[]> {
  const groups = await prisma.message.groupBy({
    by: ["versionGroupId"],
    where: { conversationId, versionGroupId: { not: null }, selected: true },
    _count: { _all: true },
  });
  const all = await prisma.message.groupBy({
    by: ["versionGroupId"],
    where: { conversationId, versionGroupId: { not: null } },
  });
  return all.map(
    (group) => groups.find((selected) => selected.versionGroupId === group.versionGroupId)?._count._all ?? 0,
  );
}

/** Outcomes of requests run at once: every refusal is a 409 the page can show, never anything else. */
function expectOnlyConflicts(results: PromiseSettledResult<unknown>[]) {
  for (const result of results)
    if (result.status === "rejected") expect(result.reason).toBeInstanceOf(NothingToRedoError);
}

const thread = async (conversationId: string) => (await listMessages(conversationId, null)).messages;

async function exported(userId: string, conversationId: string): Promise<string> {
  const { body } = await exportConversation(userId, conversationId, "md");
  return new Response(body).text();
}

describe("reply versions", () => {
  it("regenerating twice keeps three versions; the thread shows the newest, and lists them in order", async () => {
    const { conversationId, questionId, versions } = await threeVersions();
    const messages = await thread(conversationId);
    expect(messages.map((message) => message.id)).toEqual([questionId, versions[2]]);
    expect(messages[0]!.versionIds).toBeNull();
    expect(messages[1]!.versionIds).toEqual([...versions]);
    expect(messages[1]!.content).toBe("third answer: umber");
  });

  it("the chosen version is the one the thread shows and the next prompt's history carries", async () => {
    const { userId, conversationId, versions } = await threeVersions();
    const chosen = await selectVersion(userId, conversationId, versions[1]);
    expect(chosen).toMatchObject({ id: versions[1], isNewest: true });
    expect((await thread(conversationId)).map((message) => message.content)).toEqual([
      "name a colour",
      "second answer: ochre",
    ]);
    const next = await storeExchange(userId, conversationId, "and another?");
    if (!next.ok) throw new Error("refused");
    expect(next.context.history).toEqual([
      { role: "user", content: "name a colour" },
      { role: "assistant", content: "second answer: ochre" },
    ]);
    // An older reply can still be paged; it is then no longer the newest message.
    expect(await selectVersion(userId, conversationId, versions[0])).toMatchObject({ isNewest: false });
    expect(
      await prisma.message.count({
        where: { conversationId, selected: true, role: "assistant", content: { not: "" } },
      }),
    ).toBe(1);
  });

  it("a regenerated reply is written after the newest prompt built from the chosen versions only", async () => {
    const { userId, conversationId, versions } = await threeVersions();
    await selectVersion(userId, conversationId, versions[0]);
    const next = await storeExchange(userId, conversationId, "why that one?");
    if (!next.ok) throw new Error("refused");
    await finish(next.ids.assistantMessageId, "because");
    // Regenerating the new reply: its prompt's history (loaded for a stored pending reply) has version 1.
    const { loadPromptContext } = await import("~/chat/prompt-context.server");
    const again = await redoLastReply(userId, conversationId, { kind: "regenerate" });
    const context = await loadPromptContext(userId, conversationId, again.assistantMessageId);
    expect(context.history.map((turn) => turn.content)).toEqual(["name a colour", "first answer: teal"]);
    expect(context.newMessage).toBe("why that one?");
  });

  it("export and search read the chosen version; my data keeps every version", async () => {
    const { userId, conversationId, versions } = await threeVersions();
    await selectVersion(userId, conversationId, versions[1]);
    const markdown = await exported(userId, conversationId);
    expect(markdown).toContain("second answer: ochre");
    expect(markdown).not.toContain("teal");
    expect(markdown).not.toContain("umber");

    expect(await searchConversations(userId, "ochre")).toHaveLength(1);
    expect(await searchConversations(userId, "umber")).toHaveLength(0);

    const conversations = (await CHAT_EXPORT_SECTIONS.find((section) => section.key === "conversations")!.collect(
      userId,
    )) as Array<{ messages: Array<{ content: string; selected: boolean }> }>;
    expect(conversations[0]!.messages.filter((message) => message.content.includes("answer"))).toEqual([
      expect.objectContaining({ content: "first answer: teal", selected: false }),
      expect.objectContaining({ content: "second answer: ochre", selected: true }),
      expect.objectContaining({ content: "third answer: umber", selected: false }),
    ]);
  });

  it("the page's messages and their versions are one statement", async () => {
    const { conversationId } = await threeVersions();
    const { statements, result } = await countQueries(() => listMessages(conversationId, null));
    expect(statements).toHaveLength(1);
    expect(result.messages[1]!.versionIds).toHaveLength(3);
  });

  it("Retry after a failed regenerate drops the failure and keeps the versions; an edit starts afresh", async () => {
    const { userId, conversationId, questionId, versions } = await threeVersions();
    const failed = await redoLastReply(userId, conversationId, { kind: "regenerate" });
    await prisma.message.update({
      where: { id: failed.assistantMessageId },
      data: { role: "error", status: "error", content: "No model provider answered." },
    });
    const retried = await redoLastReply(userId, conversationId, { kind: "retry" });
    await finish(retried.assistantMessageId, "fourth answer: sienna");
    const [, reply] = await thread(conversationId);
    expect(reply!.versionIds).toEqual([...versions, retried.assistantMessageId]);
    expect(await prisma.message.count({ where: { id: failed.assistantMessageId } })).toBe(0);

    // A stale edit form (naming a message that is no longer my newest) is refused.
    await expect(
      redoLastReply(userId, conversationId, { kind: "edit", content: "x", messageId: versions[0] }),
    ).rejects.toBeInstanceOf(NothingToRedoError);
    const edited = await redoLastReply(userId, conversationId, {
      kind: "edit",
      content: "name a shape",
      messageId: questionId,
    });
    const after = await thread(conversationId);
    expect(after.map((message) => [message.content, message.versionIds])).toEqual([
      ["name a shape", null],
      ["", null],
    ]);
    expect(after[1]!.id).toBe(edited.assistantMessageId);
  });

  it("a reply stopped before its first word is not kept as a version", async () => {
    const { userId, conversationId, versions } = await threeVersions();
    const stopped = await redoLastReply(userId, conversationId, { kind: "regenerate" });
    await finish(stopped.assistantMessageId, "", "aborted");
    const next = await redoLastReply(userId, conversationId, { kind: "regenerate" });
    const [, reply] = await thread(conversationId);
    expect(reply!.versionIds).toEqual([...versions, next.assistantMessageId]);
  });

  it("versions cannot be switched while one is written, nor on someone else's conversation", async () => {
    const { userId, conversationId, versions } = await threeVersions();
    await redoLastReply(userId, conversationId, { kind: "regenerate" });
    await expect(selectVersion(userId, conversationId, versions[0])).rejects.toBeInstanceOf(NothingToRedoError);
    await expect(redoLastReply(userId, conversationId, { kind: "regenerate" })).rejects.toBeInstanceOf(
      NothingToRedoError,
    );

    const stranger = await makeUser();
    await expect(selectVersion(stranger.id, conversationId, versions[0])).rejects.toBeInstanceOf(
      ConversationNotFoundError,
    );
    const { id: theirs } = await createConversation(stranger.id);
    await expect(selectVersion(stranger.id, theirs, versions[0])).rejects.toBeInstanceOf(VersionNotFoundError);
  });

  it("two switches at once, a switch racing Regenerate, and Edit racing Regenerate end in a 409 at worst", async () => {
    const { userId, conversationId, questionId, versions } = await threeVersions();
    const pairs = [
      [versions[0], versions[1]],
      [versions[2], versions[0]],
      [versions[1], versions[2]],
      [versions[0], versions[2]],
    ] as const;
    for (const [one, other] of pairs) {
      const results = await Promise.allSettled([
        selectVersion(userId, conversationId, one),
        selectVersion(userId, conversationId, other),
      ]);
      expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled"]);
      expect(await selectedPerGroup(conversationId)).toEqual([1]);
    }

    const raced = await Promise.allSettled([
      redoLastReply(userId, conversationId, { kind: "regenerate" }),
      selectVersion(userId, conversationId, versions[0]),
    ]);
    expectOnlyConflicts(raced);
    expect(raced[0].status).toBe("fulfilled");
    expect(await selectedPerGroup(conversationId)).toEqual([1]);
    if (raced[0].status === "fulfilled") await finish(raced[0].value.assistantMessageId, "fourth answer: sienna");

    const edits = await Promise.allSettled([
      redoLastReply(userId, conversationId, { kind: "edit", content: "name a shape", messageId: questionId }),
      redoLastReply(userId, conversationId, { kind: "regenerate" }),
    ]);
    expectOnlyConflicts(edits);
    // Exactly one of them went through (the other found a reply being written).
    expect(edits.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(await selectedPerGroup(conversationId)).toEqual(edits[0].status === "fulfilled" ? [] : [1]);
    const shown = await thread(conversationId);
    expect(shown).toHaveLength(2);
    expect(shown[1]!.status).toBe("streaming");
  });

  it("the database keeps one selected version per group (a partial unique index schema.prisma cannot show)", async () => {
    const { userId, conversationId, versions } = await threeVersions();
    await expect(
      prisma.message.create({
        data: { conversationId, userId, role: "assistant", content: "a rogue", versionGroupId: versions[0] },
      }),
    ).rejects.toMatchObject({ code: "P2002" });
    // Unselected versions are as many as wanted.
    await prisma.message.create({
      data: {
        conversationId,
        userId,
        role: "assistant",
        content: "a fourth",
        versionGroupId: versions[0],
        selected: false,
      },
    });
  });

  it("a failed Regenerate is no version: not listed, not choosable, gone once another version is chosen", async () => {
    const { userId, conversationId, versions } = await threeVersions();
    const failed = await redoLastReply(userId, conversationId, { kind: "regenerate" });
    await prisma.message.update({
      where: { id: failed.assistantMessageId },
      data: { role: "error", status: "error", content: "No model provider answered." },
    });
    const [, shown] = await thread(conversationId);
    expect(shown!.id).toBe(failed.assistantMessageId);
    expect(shown!.versionIds).toEqual([...versions]);

    await selectVersion(userId, conversationId, versions[1]);
    await expect(selectVersion(userId, conversationId, failed.assistantMessageId)).rejects.toBeInstanceOf(
      VersionNotFoundError,
    );
    expect(await prisma.message.count({ where: { id: failed.assistantMessageId } })).toBe(0);
    const [, reply] = await thread(conversationId);
    expect(reply).toMatchObject({ id: versions[1], versionIds: [...versions] });
  });

  it(`a reply keeps at most ${MAX_REPLY_VERSIONS} versions; one more Regenerate is refused`, async () => {
    const { userId, conversationId } = await threeVersions();
    for (let count = 3; count < MAX_REPLY_VERSIONS; count++) {
      const next = await redoLastReply(userId, conversationId, { kind: "regenerate" });
      await finish(next.assistantMessageId, `answer ${count + 1}`);
    }
    await expect(redoLastReply(userId, conversationId, { kind: "regenerate" })).rejects.toThrow(
      `already has ${MAX_REPLY_VERSIONS} versions`,
    );
    const [, reply] = await thread(conversationId);
    expect(reply!.versionIds).toHaveLength(MAX_REPLY_VERSIONS);
    expect(reply!.content).toBe(`answer ${MAX_REPLY_VERSIONS}`);
  });

  it("switching an older reply says whether it is on the newest page", async () => {
    const { userId, conversationId, versions } = await threeVersions();
    const later = await storeExchange(userId, conversationId, "and then?");
    if (!later.ok) throw new Error("refused");
    await finish(later.ids.assistantMessageId, "then this");
    expect(await selectVersion(userId, conversationId, versions[0])).toMatchObject({
      isNewest: false,
      onNewestPage: true,
    });
    // A page's worth of messages after it: it is no longer on the newest page.
    const base = Date.now() + 1000;
    await prisma.message.createMany({
      data: Array.from({ length: MESSAGES_PER_PAGE - 2 }, (_, index) => ({
        conversationId,
        userId,
        role: "user" as const,
        content: `more ${index}`,
        createdAt: new Date(base + index),
      })),
    });
    expect(await selectVersion(userId, conversationId, versions[1])).toMatchObject({ onNewestPage: false });
  });
});
