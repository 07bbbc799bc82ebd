import { afterEach, describe, expect, it } from "vitest";
import { Prisma } from "~/generated/prisma/client";
import { queryRows, queryRowsCommitting } from "./sql.server";

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

  it("answers with the rows before they are durable, and leaves nothing behind when they cannot be read", async () => {
    await queryRows(Prisma.sql`CREATE TABLE IF NOT EXISTS committing_probe (name text)`);
    const stored = await queryRowsCommitting<{ name: string }, string>(
      Prisma.sql`INSERT INTO committing_probe VALUES (${"kept"}) RETURNING name`,
      ([row]) => row!.name,
    );
    expect(stored.value).toBe("kept");
    await stored.committed;
    // The reader throws after the statement ran: the insert is rolled back, and no COMMIT is left to fail unseen.
    const refused = queryRowsCommitting(
      Prisma.sql`INSERT INTO committing_probe VALUES (${"dropped"}) RETURNING name`,
      () => {
        throw new Error("unreadable row");
      },
    );
    await expect(refused).rejects.toThrow("unreadable row");
    const names = await queryRows<{ name: string }>(Prisma.sql`SELECT name FROM committing_probe ORDER BY name`);
    expect(names.map((row) => row.name)).toEqual(["kept"]);
  });
});
