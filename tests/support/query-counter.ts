import pg from "pg";

/** Counts the SQL statements node-postgres sends (the Prisma adapter uses it) while `work` runs. */
export async function countQueries<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function countingQuery(this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    statements.push(typeof first === "string" ? first : String((first as { text?: string } | undefined)?.text ?? ""));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
  try {
    return { result: await work(), statements };
  } finally {
    pg.Client.prototype.query = original;
  }
}
