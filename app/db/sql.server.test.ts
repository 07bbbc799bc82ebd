import { afterEach, describe, expect, it } from "vitest";
import { Prisma } from "~/generated/prisma/client";
import { queryRows } from "./sql.server";

const zoneBefore = process.env.TZ;

describe("hot-path SQL", () => {
  afterEach(() => {
    process.env.TZ = zoneBefore;
  });

  it("reads Prisma's zone-less timestamps as UTC whatever the server's time zone", async () => {
    process.env.TZ = "America/New_York";
    const [row] = await queryRows<{ at: Date; none: Date | null }>(
      Prisma.sql`SELECT ${"2026-03-08 06:30:00.123"}::timestamp AS at, NULL::timestamp AS none`,
    );
    expect(row!.at.toISOString()).toBe("2026-03-08T06:30:00.123Z");
    expect(row!.none).toBeNull();
  });

  it("sends values as parameters, never as SQL text", async () => {
    const hostile = `'); DROP TABLE "User"; --`;
    const [row] = await queryRows<{ echoed: string }>(Prisma.sql`SELECT ${hostile}::text AS echoed`);
    expect(row!.echoed).toBe(hostile);
    const touched = await queryRows(
      Prisma.sql`UPDATE "User" SET name = ${hostile} WHERE id = ${"nobody"} RETURNING id`,
    );
    expect(touched).toEqual([]);
  });
});
