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
