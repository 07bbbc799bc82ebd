import { createHash } from "node:crypto";
import pg from "pg";
import type { Prisma } from "~/generated/prisma/client";
import { pool } from "./db.server";

/**
 * Statements sent straight through node-postgres, on the pool Prisma uses. For the hot paths — the
 * session lookup every request makes and the send → first token path — where an ORM query's CPU cost
 * (its query compiler runs in WASM) is most of the latency (docs/decisions/004), and for the few single
 * statements the ORM cannot say in one round trip (the message box's keep, docs/decisions/015); each is
 * held to the schema by tests/integration/hot-path-sql.test.ts. Prisma still
 * owns the schema, the migrations and every other query; build statements with `Prisma.sql` so
 * values are always parameters.
 */

// Prisma stores `timestamp(3)` without a zone, in UTC; node-postgres would read it as local time.
const TIMESTAMP_WITHOUT_ZONE = pg.types.builtins.TIMESTAMP;
const utcTimestamps: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP_WITHOUT_ZONE
      ? (value: string) => new Date(`${value.replace(" ", "T")}Z`)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

// Each distinct statement text is prepared once per connection and then only executed: PostgreSQL
// skips parsing and, once it settles on a generic plan, planning — about half a millisecond each time
// for the send statement. The texts are fixed templates, so this map stays as small as the code.
const statementNames = new Map<string, string>();

function preparedName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `ares_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** The rows a statement returns, typed by the caller (the statement's column list is the contract). */
export async function queryRows<Row extends Record<string, unknown>>(statement: Prisma.Sql): Promise<Row[]> {
  const result = await pool().query<Row>({
    name: preparedName(statement.text),
    text: statement.text,
    values: statement.values,
    types: utcTimestamps,
  });
  return result.rows;
}

/**
 * Runs one statement in a transaction whose COMMIT is sent the moment its rows have been read, without
 * waiting for it: the rows are known before they are durable, and `committed` resolves once they are.
 * The send path starts the provider request in between, so a reply's first token does not wait for
 * PostgreSQL to flush its log (docs/decisions/004). Until `committed` resolves nobody may be told the
 * rows exist; the caller must await it (a rejection nobody awaits is reported as unhandled).
 *
 * `read` turns the rows into the caller's value before COMMIT is sent: if it throws, the transaction is
 * rolled back and nothing is left behind (nor a `committed` nobody awaits).
 */
export async function queryRowsCommitting<Row extends Record<string, unknown>, Value>(
  statement: Prisma.Sql,
  read: (rows: Row[]) => Value,
): Promise<{ value: Value; committed: Promise<void> }> {
  const client = await pool().connect();
  // A checked-out client has no 'error' listener of the pool's: a connection lost while it is held here
  // (PostgreSQL restarting) would be an uncaught 'error' event and end the process. The client's queries
  // fail with that error anyway, and it is handed back as broken.
  const ignoreLostConnection = () => undefined;
  client.on("error", ignoreLostConnection);
  const release = (broken?: Error) => {
    client.off("error", ignoreLostConnection);
    client.release(broken);
  };
  let value: Value;
  try {
    await client.query("BEGIN");
    const result = await client.query<Row>({
      name: preparedName(statement.text),
      text: statement.text,
      values: statement.values,
      types: utcTimestamps,
    });
    value = read(result.rows);
  } catch (error) {
    // A connection that cannot even roll back is broken: the pool drops it instead of reusing it.
    const broken = await client.query("ROLLBACK").then(
      () => undefined,
      (rollbackError: unknown) => (rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))),
    );
    release(broken);
    throw error;
  }
  const committed = client.query("COMMIT").then(
    () => release(),
    (error: unknown) => {
      release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    },
  );
  return { value, committed };
}
