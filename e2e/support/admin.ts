import fs from "node:fs";
import path from "node:path";
import pg from "pg";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * Makes an account admin straight in the e2e server's database. The suite shares one database across
 * specs and projects, so "the first account becomes admin" cannot be relied on for a given test.
 */
export async function promoteToAdmin(email: string, baseURL: string): Promise<void> {
  const client = new pg.Client({ connectionString: e2eDatabaseUrl(baseURL) });
  await client.connect();
  try {
    const { rowCount } = await client.query(`UPDATE "User" SET role = 'admin' WHERE email = $1`, [email]);
    if (rowCount !== 1) throw new Error(`No account ${email} to promote.`);
  } finally {
    await client.end();
  }
}

/** The e2e server's PostgreSQL database, for specs that seed data straight into it. */
export function e2eDatabaseUrl(baseURL: string): string {
  const file = path.join(root, ".e2e", `database-url-${new URL(baseURL).port}`);
  if (!fs.existsSync(file)) {
    throw new Error(`No ${file}: seeding needs the e2e server on PostgreSQL (see e2e/support/start-server.ts).`);
  }
  return fs.readFileSync(file, "utf8").trim();
}
