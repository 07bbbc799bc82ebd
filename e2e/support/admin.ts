import fs from "node:fs";
import path from "node:path";
import pg from "pg";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * Makes an account admin straight in the e2e server's database. The suite shares one database across
 * specs and projects, so "the first account becomes admin" cannot be relied on for a given test.
 */
export async function promoteToAdmin(email: string, baseURL: string): Promise<void> {
  await withE2eDatabase(baseURL, async (client) => {
    const { rowCount } = await client.query(`UPDATE "User" SET role = 'admin' WHERE email = $1`, [email]);
    if (rowCount !== 1) throw new Error(`No account ${email} to promote.`);
  });
}

/** Runs `work` on the e2e server's own database (seeding what would take minutes through the UI). */
export async function withE2eDatabase<T>(baseURL: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: e2eDatabaseUrl(baseURL) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** "E2IS": held by a spec while it changes the instance's memory settings and checks what was stored. */
const INSTANCE_SETTINGS_LOCK = 0x45324953;

/**
 * Runs `work` with the instance's auto-accept confidence first set to `known`, and puts back what was there
 * after. The row is one for the whole suite, and the same spec runs in the js and no-js projects at once:
 * the advisory lock makes those runs (and any other spec that uses this) take turns.
 */
export async function withAutoAcceptConfidence<T>(baseURL: string, known: number, work: () => Promise<T>): Promise<T> {
  return withE2eDatabase(baseURL, async (client) => {
    await client.query("SELECT pg_advisory_lock($1)", [INSTANCE_SETTINGS_LOCK]);
    const { rows } = await client.query<{ confidence: number }>(
      `SELECT "autoAcceptMinConfidence" AS confidence FROM "InstanceSettings" WHERE id = 1`,
    );
    const before = rows[0]?.confidence;
    await client.query(
      `INSERT INTO "InstanceSettings" (id, "autoAcceptMinConfidence", "updatedAt") VALUES (1, $1, now())
       ON CONFLICT (id) DO UPDATE SET "autoAcceptMinConfidence" = $1, "updatedAt" = now()`,
      [known],
    );
    try {
      return await work();
    } finally {
      // No row before means the defaults were in force: the row the test's save made goes again.
      if (before === undefined) await client.query(`DELETE FROM "InstanceSettings" WHERE id = 1`);
      else await client.query(`UPDATE "InstanceSettings" SET "autoAcceptMinConfidence" = $1 WHERE id = 1`, [before]);
    }
  });
}

/** A conversation of `count` alternating messages for the account `email`; returns its address. */
export async function seedLongConversation(email: string, baseURL: string, count: number): Promise<string> {
  return withE2eDatabase(baseURL, async (client) => {
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM "User" WHERE email = $1`, [email]);
    const userId = rows[0]?.id;
    if (!userId) throw new Error(`No account ${email}.`);
    const conversationId = `seed${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const base = Date.now() - count * 60_000;
    await client.query(
      `INSERT INTO "Conversation" (id, "userId", title, "updatedAt", "lastMessageAt") VALUES ($1, $2, $3, now(), now())`,
      [conversationId, userId, `A long talk (${count} messages)`],
    );
    await client.query(
      `INSERT INTO "Message" (id, "conversationId", "userId", role, content, status, "createdAt", "updatedAt")
       SELECT $1 || '_' || i, $1, $2, (CASE WHEN i % 2 = 0 THEN 'user' ELSE 'assistant' END)::"MessageRole",
              'Message number ' || i || '. ' || repeat('Some words to give this message a few lines of text. ', 3),
              'complete', to_timestamp($3 / 1000.0 + i * 60), now()
       FROM generate_series(0, $4 - 1) AS i`,
      [conversationId, userId, base, count],
    );
    return `/chat/${conversationId}`;
  });
}

/** The e2e server's PostgreSQL database, for specs that seed data straight into it. */
export function e2eDatabaseUrl(baseURL: string): string {
  const file = path.join(root, ".e2e", `database-url-${new URL(baseURL).port}`);
  if (!fs.existsSync(file)) {
    throw new Error(`No ${file}: seeding needs the e2e server on PostgreSQL (see e2e/support/start-server.ts).`);
  }
  return fs.readFileSync(file, "utf8").trim();
}
