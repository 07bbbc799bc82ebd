/**
 * /settings/usage counts days in the person's own time zone: a reply at 23:30 and one at 00:30 of their
 * evening and night fall on two days, however far their zone is from UTC.
 */
import { describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { usageByLocalDay, usageByLocalDaySql } from "~/chat/usage.server";
import { makeUser } from "../support/accounts";

async function repliesAt(userId: string, times: string[]) {
  const conversation = await prisma.conversation.create({ data: { userId } });
  await prisma.message.createMany({
    data: times.map((at, index) => ({
      conversationId: conversation.id,
      userId,
      role: "assistant" as const,
      content: `reply ${index}`,
      provider: "openrouter",
      model: "stub",
      promptTokens: 10,
      completionTokens: 1 + index,
      cost: 0.5,
      createdAt: new Date(at),
    })),
  });
}

const days = (rows: Awaited<ReturnType<typeof usageByLocalDay>>) =>
  rows.map((row) => [row.day.toISOString().slice(0, 10), row.requests, row.completionTokens, row.cost]);

describe("usage by day", () => {
  it("groups replies by midnight in Auckland (UTC+13 in December), not in UTC", async () => {
    const user = await makeUser({ timeZone: "Pacific/Auckland" });
    // 23:30 and 23:59 on 3 December in Auckland, then 00:30 and 10:00 on the 4th — all one UTC day.
    await repliesAt(user.id, [
      "2026-12-03T10:30:00Z",
      "2026-12-03T10:59:00Z",
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

  it("groups replies by midnight in Los Angeles (UTC−8), where the UTC day turns mid-afternoon", async () => {
    const user = await makeUser({ timeZone: "America/Los_Angeles" });
    // 23:30 on 3 December in Los Angeles, and 00:30 and 16:30 on the 4th (16:30 is the 5th in UTC).
    await repliesAt(user.id, ["2026-12-04T07:30:00Z", "2026-12-04T08:30:00Z", "2026-12-05T00:30:00Z"]);
    const now = new Date("2026-12-05T01:00:00Z"); // 4 December, 17:00 in Los Angeles
    expect(days(await usageByLocalDay(user.id, user.timeZone, 30, now))).toEqual([
      ["2026-12-04", 2, 2 + 3, 1],
      ["2026-12-03", 1, 1, 0.5],
    ]);
    expect(days(await usageByLocalDay(user.id, user.timeZone, 1, now))).toEqual([["2026-12-04", 2, 2 + 3, 1]]);
  });

  it("reads a zone the runtime does not know as UTC instead of failing the page", async () => {
    const user = await makeUser();
    await repliesAt(user.id, ["2026-12-03T23:30:00Z"]);
    const rows = await usageByLocalDay(user.id, "Mars/Olympus_Mons", 30, new Date("2026-12-04T01:00:00Z"));
    expect(days(rows)).toEqual([["2026-12-03", 1, 1, 0.5]]);
  });
});

describe("the usage statement", () => {
  it("reads a range of the (userId, role, createdAt) index, however many replies others have", async () => {
    const user = await makeUser({ timeZone: "Pacific/Auckland" });
    const others = await Promise.all([makeUser(), makeUser()]);
    await repliesAt(user.id, ["2026-12-03T21:00:00Z"]);
    for (const other of others) {
      const conversation = await prisma.conversation.create({ data: { userId: other.id } });
      await prisma.$executeRaw`
        INSERT INTO "Message" (id, "conversationId", "userId", role, content, provider, model, "promptTokens",
                               "completionTokens", "createdAt", "updatedAt")
        SELECT ${other.id} || '-' || g, ${conversation.id}, ${other.id}, 'assistant', 'reply', 'openrouter', 'stub',
               10, 10, now() - g * interval '1 minute', now()
          FROM generate_series(1, 5000) g`;
    }
    await prisma.$executeRawUnsafe(`ANALYZE "Message"`);
    const statement = usageByLocalDaySql(user.id, user.timeZone, 30, new Date("2026-12-04T12:00:00Z"));
    const rows = await prisma.$queryRawUnsafe<Array<{ "QUERY PLAN": string }>>(
      `EXPLAIN ${statement.text}`,
      ...statement.values,
    );
    const plan = rows.map((row) => row["QUERY PLAN"]).join("\n");
    expect(plan).toMatch(
      /Index (Only )?Scan using "?Message_userId_role_createdAt_idx"?|Bitmap Index Scan on "?Message_userId_role_createdAt_idx"?/,
    );
    expect(plan).not.toMatch(/Seq Scan on "?Message"?/);
    // The window is part of the index condition: only the days shown are read, not the person's whole history.
    expect(plan).toMatch(/Index Cond: .*"createdAt" >=/);
  });
});
