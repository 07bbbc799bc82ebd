/**
 * Searches take what is typed literally: `%` and `_` are LIKE wildcards in PostgreSQL, and a search for
 * "%" or "_" listed every event, account and memory; "50%" matched "500".
 */
import { describe, expect, it } from "vitest";
import { listUsers } from "~/admin/users.server";
import { searchEvents } from "~/calendar/events.server";
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
