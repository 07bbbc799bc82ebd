/**
 * Searches take what is typed literally: `%` and `_` are LIKE wildcards in PostgreSQL, and a search for
 * "%" or "_" listed every event, account and memory; "50%" matched "500". A search of symbols alone (☃)
 * found nothing: the full-text parser has no word for it.
 */
import { describe, expect, it } from "vitest";
import { listUsers } from "~/admin/users.server";
import { searchEvents } from "~/calendar/events.server";
import { createConversation, searchConversations } from "~/chat/conversations.server";
import { snippetAtWordBoundaries } from "~/chat/search-results";
import { storeExchange } from "~/chat/send.server";
import { renderSnippet } from "~/chat/snippet";
import { eventRange } from "~/calendar/occurrences";
import { prisma } from "~/db/db.server";
import { listMemories, saveFact } from "~/memory/memories.server";
import { makeUser } from "../support/accounts";

describe("searching for % and _", () => {
  it("finds calendar events by those characters, not everything", async () => {
    const me = await makeUser();
    const times = { allDay: false, startLocal: "2026-12-01T09:00", endLocal: "2026-12-01T10:00", timeZone: "UTC" };
    const event = (title: string) => ({ ...times, rrule: null, userId: me.id, uid: `${title}@test`, title });
    await prisma.event.createMany({
      data: ["Sale 50% off", "Sale 500 off", "first_name review", "firstXname review"].map((title) => ({
        ...event(title),
        ...eventRange({ ...times, rrule: null }),
      })),
    });
    const titles = async (query: string) => (await searchEvents(me.id, query)).map((hit) => hit.title).sort();
    expect(await titles("%")).toEqual(["Sale 50% off"]);
    expect(await titles("50%")).toEqual(["Sale 50% off"]);
    expect(await titles("first_name")).toEqual(["first_name review"]);
    expect(await titles("_")).toEqual(["first_name review"]);
    expect(await titles("sale")).toEqual(["Sale 50% off", "Sale 500 off"]);
  });

  it("finds accounts by those characters, not everyone", async () => {
    const plain = await makeUser({ name: "Plain Person" });
    const underscored = await makeUser({ name: "Under_Score" });
    const ids = async (search: string) => (await listUsers({ search })).users.map((user) => user.id);
    expect(await ids("_")).toEqual([underscored.id]);
    expect(await ids("%")).toEqual([]);
    expect(await ids("plain")).toEqual([plain.id]);
  });

  it("finds my memories by those characters, not all of them", async () => {
    const me = await makeUser();
    await saveFact(me.id, { kind: "personal", key: "discount", value: "50% at the bakery" });
    await saveFact(me.id, { kind: "personal", key: "pet", value: "a cat" });
    const keys = async (search: string) => (await listMemories(me.id, search)).facts.map((fact) => fact.key);
    expect(await keys("%")).toEqual(["discount"]);
    expect(await keys("_")).toEqual([]);
    expect(await keys("cat")).toEqual(["pet"]);
  });
});

describe("searching for symbols alone", () => {
  it("finds my conversations by ☃ or 🎂, which have no word for the full-text index, and no one else's", async () => {
    const me = await makeUser();
    const someoneElse = await makeUser();
    const winter = await createConversation(me.id, { title: "Winter ☃ plans" });
    const party = await createConversation(me.id, { title: "Party" });
    const sent = await storeExchange(me.id, party.id, "Bake a cake 🎂 for the birthday on Friday.");
    if (!sent.ok) throw new Error("refused");
    const theirs = await createConversation(someoneElse.id, { title: "Their ☃ and 🎂" });
    expect(theirs.id).toBeTruthy();

    const snowman = await searchConversations(me.id, "☃");
    expect(snowman.map((hit) => [hit.conversationId, hit.matched])).toEqual([[winter.id, "title"]]);
    expect(renderSnippet(snippetAtWordBoundaries(snowman[0]!.snippet, snowman[0]!.source))).toBe(
      "Winter <mark>☃</mark> plans",
    );
    const cake = await searchConversations(me.id, " 🎂 ");
    expect(cake.map((hit) => [hit.conversationId, hit.matched, hit.messageId])).toEqual([
      [party.id, "user", sent.ids.userMessageId],
    ]);
    expect(renderSnippet(snippetAtWordBoundaries(cake[0]!.snippet, cake[0]!.source))).toBe(
      "Bake a cake <mark>🎂</mark> for the birthday on Friday.",
    );
    expect(await searchConversations(me.id, "→")).toEqual([]);
    // Quotes around it are search syntax; "-🎂" asks for what lacks it (no search); ASCII punctuation alone
    // finds nothing (it is in nearly every message, which it would read through).
    expect((await searchConversations(me.id, '"☃"')).map((hit) => hit.conversationId)).toEqual([winter.id]);
    expect(await searchConversations(me.id, "-🎂")).toEqual([]);
    expect(await searchConversations(me.id, ".")).toEqual([]);
    // Words are still found by the full-text index, and a symbol beside them changes nothing.
    expect((await searchConversations(me.id, "birthday")).map((hit) => hit.messageId)).toEqual([
      sent.ids.userMessageId,
    ]);
  });
});

describe("searching for terms a programmer types", () => {
  /** My messages, one a second apart (the first newest), in a conversation of their own. */
  async function messages(contents: string[], at = (i: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, 60 - i))) {
    const me = await makeUser();
    const conversation = await createConversation(me.id, { title: "Notes" });
    const ids = contents.map((_, i) => `${conversation.id}-m${String(i).padStart(2, "0")}`);
    await prisma.message.createMany({
      data: contents.map((content, i) => ({
        id: ids[i]!,
        userId: me.id,
        conversationId: conversation.id,
        role: "user" as const,
        content,
        createdAt: at(i),
      })),
    });
    return { me, ids };
  }

  it('finds "C++", "c#", "node.js" and "e-mail" as written, not every message with a lone "c"', async () => {
    const contents = ["I love C++", "a c b", "c# rocks", "node.js 24", "my e-mail", "email me", "abc# and xnode.js"];
    const { me } = await messages(contents);
    const found = async (query: string) =>
      (await searchConversations(me.id, query)).map((hit) => contents[Number(hit.messageId!.slice(-2))]);
    expect(await found("C++")).toEqual(["I love C++"]);
    expect(await found("c++")).toEqual(["I love C++"]);
    expect(await found("c#")).toEqual(["c# rocks"]);
    expect(await found("C#")).toEqual(["c# rocks"]);
    expect(await found("node.js")).toEqual(["node.js 24"]);
    expect(await found("Node.JS")).toEqual(["node.js 24"]);
    expect(await found("e-mail")).toEqual(["my e-mail"]);
    expect(await found("email")).toEqual(["email me"]);
    // The word "c" is still a word wherever it stands; a term beside words asks for both.
    expect(await found("c")).toEqual(["I love C++", "a c b", "c# rocks"]);
    expect(await found("love c++")).toEqual(["I love C++"]);
    expect(await found("rocks c++")).toEqual([]);
    expect(await found('"I love C++"')).toEqual(["I love C++"]);
    expect(await found("node.js -24")).toEqual([]);
    expect(await found("rocks -c#")).toEqual([]);
    // Punctuation that ends a sentence is not part of the term.
    expect(await found("node.js.")).toEqual(["node.js 24"]);

    const [hit] = await searchConversations(me.id, "c++");
    expect(renderSnippet(snippetAtWordBoundaries(hit!.snippet, hit!.source))).toBe("I love <mark>C++</mark>");
  });

  it("leaves paths, apostrophes, phrases, 'or' and scripts with combining marks to the parser, which finds them", async () => {
    const contents = [
      "edit /etc/hosts then",
      "I don’t know",
      "hello world again",
      "python is fine",
      "I love C++",
      "नमस्ते दुनिया",
    ];
    const { me } = await messages(contents);
    const found = async (query: string) =>
      (await searchConversations(me.id, query)).map((hit) => contents[Number(hit.messageId!.slice(-2))]);
    expect(await found("/etc/hosts")).toEqual(["edit /etc/hosts then"]);
    // The apostrophe typed on a keyboard finds the curly one a phone or a model writes.
    expect(await found("don't")).toEqual(["I don’t know"]);
    expect(await found('"hello, world"')).toEqual(["hello world again"]);
    expect(await found("python or c++")).toEqual(["python is fine", "I love C++"]);
    expect(await found("नमस्ते")).toEqual(["नमस्ते दुनिया"]);
    // More terms to check by their characters than a search runs: the parser reads them all.
    expect(await found("a+ b+ c+ d+ e+ f+ g+ h+ i+ love")).toEqual([]);
    expect(await found("love c++ c++ c++ c++ c++ c++ c++ c++")).toEqual(["I love C++"]);
  });

  it("finds node.js where the parser keeps it in a longer token", async () => {
    const contents = ["upgrade to node.js24 today", "read https://example.org/docs/node.js first"];
    const { me } = await messages(contents);
    const found = async (query: string) =>
      (await searchConversations(me.id, query)).map((hit) => contents[Number(hit.messageId!.slice(-2))]);
    expect(await found("node.js")).toEqual(["upgrade to node.js24 today"]);
  });

  it("lists hits of the same moment in one order, so a shorter page is the start of a longer one", async () => {
    const sameMoment = new Date(Date.UTC(2026, 11, 1, 12));
    const { me, ids } = await messages(
      Array.from({ length: 12 }, (_, i) => `kiwi note ${i}`),
      () => sameMoment,
    );
    const newestFirst = [...ids].reverse();
    expect((await searchConversations(me.id, "kiwi")).map((hit) => hit.messageId)).toEqual(newestFirst);
    for (const limit of [3, 5, 8]) {
      expect((await searchConversations(me.id, "kiwi", limit)).map((hit) => hit.messageId)).toEqual(
        newestFirst.slice(0, limit),
      );
    }
  });
});
