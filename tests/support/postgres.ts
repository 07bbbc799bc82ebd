import pg from "pg";
import { parse } from "pg-connection-string";

/** The PostgreSQL server tests may use: TEST_DATABASE_URL, else the local server on 127.0.0.1:5432. */
export const serverUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function serverIsReachable(url = serverUrl): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_500 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    if (error instanceof Error && /ECONNREFUSED|timeout|ENOTFOUND|does not exist|authentication/i.test(error.message)) {
      return false;
    }
    throw error;
  }
}

/** Runs statements on the server's maintenance database (CREATE/DROP DATABASE cannot run in a transaction). */
export async function onServer<T>(run: (client: pg.Client) => Promise<T>, url = serverUrl): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export function databaseName(url: string): string {
  return parse(url).database ?? "postgres";
}
