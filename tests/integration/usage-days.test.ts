/**
 * /settings/usage counts days in the person's own time zone, from the usage in UTC quarter hours
 * (UsageSlot): a reply at 23:45 and one at 00:00 of their night fall on two days, whatever their offset
 * (Kathmandu's +5:45, St John's −3:30) and across a change of clocks.
 */
import { describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { recordUsage, usageByLocalDay } from "~/chat/usage.server";
import { makeUser } from "../support/accounts";

/** One reply's usage in each quarter hour starting at `times` (UTC); the nth has n + 1 reply tokens. */
async function usageAt(userId: string, times: string[]) {
  await prisma.usageSlot.createMany({
    data: times.map((at, index) => ({
      userId,
      slotStart: new Date(at),
      provider: "openrouter",
      model: "stub",
      requests: 1,
      promptTokens: 10,
      completionTokens: 1 + index,
      cost: 0.5,
    })),
  });
}

const days = (rows: Awaited<ReturnType<typeof usageByLocalDay>>) =>
  rows.map((row) => [row.day.toISOString().slice(0, 10), row.requests, row.completionTokens, row.cost]);

describe("usage by day", () => {
  it("groups by midnight in Auckland (UTC+13 in December), not in UTC", async () => {
    const user = await makeUser({ timeZone: "Pacific/Auckland" });
    // 23:30 and 23:45 on 3 December in Auckland, then 00:30 and 10:00 on the 4th — all one UTC day.
    await usageAt(user.id, [
      "2026-12-03T10:30:00Z",
      "2026-12-03T10:45:00Z",
      "2026-12-03T11:30:00Z",
      "2026-12-03T21:00:00Z",
    ]);
    const now = new Date("2026-12-04T12:00:00Z"); // 5 December, 01:00 in Auckland
    expect(days(await usageByLocalDay(user.id, user.timeZone, 30, now))).toEqual([
      ["2026-12-04", 2, 3 + 4, 1],
      ["2026-12-03", 2, 1 + 2, 1],
    ]);
    // The last 2 days there are the 4th and 5th: the window starts at Auckland's midnight, 11:00 UTC on the 3rd.
    expect(days(await usageByLocalDay(user.id, user.timeZone, 2, now))).toEqual([["2026-12-04", 2, 3 + 4, 1]]);
  });

  it("groups by midnight in Kathmandu (UTC+5:45) and St John's (UTC−3:30), a quarter hour either side", async () => {
    const kathmandu = await makeUser({ timeZone: "Asia/Kathmandu" });
    // 23:45 on 4 December and 00:00 on the 5th in Kathmandu.
    await usageAt(kathmandu.id, ["2026-12-04T18:00:00Z", "2026-12-04T18:15:00Z"]);
    const later = new Date("2026-12-05T12:00:00Z");
    expect(days(await usageByLocalDay(kathmandu.id, kathmandu.timeZone, 30, later))).toEqual([
      ["2026-12-05", 1, 2, 0.5],
      ["2026-12-04", 1, 1, 0.5],
    ]);
    const stJohns = await makeUser({ timeZone: "America/St_Johns" });
    // 23:45 on 3 December and 00:00 on the 4th in St John's (UTC−3:30 in winter).
    await usageAt(stJohns.id, ["2026-12-04T03:15:00Z", "2026-12-04T03:30:00Z"]);
    expect(days(await usageByLocalDay(stJohns.id, stJohns.timeZone, 30, later))).toEqual([
      ["2026-12-04", 1, 2, 0.5],
      ["2026-12-03", 1, 1, 0.5],
    ]);
  });

  it("counts the 25-hour day when Berlin's clocks go back (25 October 2026) as one day", async () => {
    const user = await makeUser({ timeZone: "Europe/Berlin" });
    await usageAt(user.id, [
      "2026-10-24T21:45:00Z", // 23:45 on the 24th (CEST, +2)
      "2026-10-24T22:00:00Z", // 00:00 on the 25th
      "2026-10-25T00:45:00Z", // 02:45 CEST, the first time
      "2026-10-25T01:45:00Z", // 02:45 CET, the second time
      "2026-10-25T22:45:00Z", // 23:45 on the 25th (CET, +1)
      "2026-10-25T23:00:00Z", // 00:00 on the 26th
    ]);
    const now = new Date("2026-10-26T12:00:00Z");
    expect(days(await usageByLocalDay(user.id, user.timeZone, 30, now))).toEqual([
      ["2026-10-26", 1, 6, 0.5],
      ["2026-10-25", 4, 2 + 3 + 4 + 5, 2],
      ["2026-10-24", 1, 1, 0.5],
    ]);
    // The last 2 days start at midnight on the 25th, 22:00 UTC on the 24th (still summer time).
    expect(days(await usageByLocalDay(user.id, user.timeZone, 2, now)).map(([day]) => day)).toEqual([
      "2026-10-26",
      "2026-10-25",
    ]);
  });

  it("counts what the budget counts: a reply's usage stays when its conversation is deleted", async () => {
    const user = await makeUser({ timeZone: "America/Los_Angeles" });
    const conversation = await prisma.conversation.create({ data: { userId: user.id } });
    await recordUsage(user.id, "openrouter", "stub", { promptTokens: 7, completionTokens: 3, cost: 0.25 });
    await prisma.conversation.delete({ where: { id: conversation.id } });
    const rows = await usageByLocalDay(user.id, user.timeZone);
    expect(rows.map((row) => [row.requests, row.promptTokens, row.completionTokens, row.cost])).toEqual([
      [1, 7, 3, 0.25],
    ]);
    const [daily] = await prisma.usageDaily.findMany({ where: { userId: user.id } });
    expect(daily).toMatchObject({ requests: 1, promptTokens: 7, completionTokens: 3 });
  });

  it("reads a zone the runtime does not know as UTC instead of failing the page", async () => {
    const user = await makeUser();
    await usageAt(user.id, ["2026-12-03T23:45:00Z"]);
    const rows = await usageByLocalDay(user.id, "Mars/Olympus_Mons", 30, new Date("2026-12-04T01:00:00Z"));
    expect(days(rows)).toEqual([["2026-12-03", 1, 1, 0.5]]);
  });
});
