/**
 * The /admin/users page costs a constant number of SQL statements however many accounts are listed:
 * one for the page of users and one grouped count of their sessions (no query per row).
 */
import type { AppLoadContext } from "@remix-run/node";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { loader } from "~/routes/admin.users._index";
import { makeSession, makeUser } from "../support/accounts";

type Query = typeof pg.Client.prototype.query;
const originalQuery: Query = pg.Client.prototype.query;
afterEach(() => {
  pg.Client.prototype.query = originalQuery;
});

/** Counts the statements the app's pool sends while `work` runs (every pg client shares this prototype). */
async function countQueries(work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  pg.Client.prototype.query = function (this: pg.Client, ...args: Parameters<Query>) {
    const [config] = args;
    seen.push(typeof config === "string" ? config : ((config as { text?: string }).text ?? "?"));
    return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as Query;
  await work();
  pg.Client.prototype.query = originalQuery;
  return seen;
}

async function seedUsers(count: number) {
  const existing = await prisma.user.count();
  await prisma.user.createMany({
    data: Array.from({ length: count - existing }, (_, i) => ({ email: `bulk-${existing + i}@example.test` })),
  });
  const users = await prisma.user.findMany({ select: { id: true } });
  // Sessions for every user, so the count is really computed for each row.
  for (const user of users) await makeSession(user.id);
}

describe("the users page", () => {
  it("issues the same number of statements for 10 and for 100 users", async () => {
    const admin = await makeUser({ role: "admin" });
    const context = {
      auth: { user: admin, session: { id: "s", method: "password", persistent: false } },
      clientIp: "127.0.0.1",
      userAgent: "vitest",
    } as unknown as AppLoadContext;
    const load = (url: string) => loader({ request: new Request(url), context, params: {} });

    await seedUsers(10);
    await load("http://ares.test/admin/users"); // warm-up: connection set-up is not the page's cost
    const ten = await countQueries(() => load("http://ares.test/admin/users"));
    await seedUsers(100);
    const hundred = await countQueries(async () => {
      const { data: page } = await load("http://ares.test/admin/users");
      // A full page of 25 rows each with a session count, and a next page.
      expect(page.users).toHaveLength(25);
      expect(page.users.every((user) => user.activeSessions === 1)).toBe(true);
      expect(page.next).not.toBeNull();
    });
    expect(ten.length).toBeGreaterThan(0);
    expect(hundred.length).toBe(ten.length);
    expect(hundred.length).toBeLessThanOrEqual(2);
  });
});
