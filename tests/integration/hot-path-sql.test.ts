/**
 * The raw statements of docs/decisions/004 are not checked by Prisma's compiler: this suite holds each
 * one to its row contract and to prisma/schema.prisma, so a schema change that breaks one fails CI.
 * Every statement runs (inside a rolled-back transaction) against a fully migrated database; PostgreSQL
 * itself rejects a renamed column or an enum value that no longer exists, and the suite compares the
 * columns it returns — names, order and types — with the contract and the schema.
 */
import fs from "node:fs";
import { getSchema, type Enum, type Field, type Model } from "@mrleebo/prisma-ast";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appliedMigrationsSql } from "~/admin/system.server";
import { occurrenceWindowColumns, occurrenceWindowSql } from "~/calendar/events.server";
import { conversationPageColumns, conversationPageSql } from "~/chat/conversation-page.server";
import { conversationListColumns, conversationListSql, searchHitColumns, searchSql } from "~/chat/conversations.server";
import { finishedRepliesColumns, finishedRepliesSql, type FinishedReply } from "~/chat/finished-replies.server";
import {
  growingRepliesColumns,
  growingRepliesSql,
  stopRequestedColumns,
  stopRequestedSql,
} from "~/chat/growing-replies.server";
import { replyContextColumns, replyContextSql } from "~/chat/prompt-context.server";
import { keepTextColumns, keepTextSql } from "~/chat/kept-text.server";
import { heartbeatSql } from "~/chat/reply-maintenance.server";
import { quotaColumns, quotaSql } from "~/chat/quota.server";
import { storeExchangeColumns, storeExchangeSql } from "~/chat/send.server";
import type { Computed, ColumnRef } from "~/db/row-contract";
import type { Prisma } from "~/generated/prisma/client";
import { sessionLookupColumns, sessionLookupSql, touchSessionSql } from "~/sessions/sessions.server";

const schema = getSchema(fs.readFileSync("prisma/schema.prisma", "utf8"));
const models = new Map(
  schema.list.filter((block): block is Model => block.type === "model").map((model) => [model.name, model]),
);
const enums = new Map(
  schema.list
    .filter((block): block is Enum => block.type === "enum")
    .map((block) => [block.name, block.enumerators.flatMap((e) => (e.type === "enumerator" ? [e.name] : []))]),
);

function schemaField(ref: ColumnRef): Field {
  const [modelName, fieldName] = ref.split(".") as [string, string];
  const model = models.get(modelName);
  if (!model) throw new Error(`${ref}: schema.prisma has no model ${modelName}`);
  const field = model.properties.find((p): p is Field => p.type === "field" && p.name === fieldName);
  if (!field) throw new Error(`${ref}: model ${modelName} has no field ${fieldName}`);
  if (typeof field.fieldType !== "string" || models.has(field.fieldType)) {
    throw new Error(`${ref}: not a column (a relation)`);
  }
  return field;
}

const SCALAR_TYPES: Record<string, string[]> = {
  String: ["text", "varchar"],
  Boolean: ["bool"],
  Int: ["int4"],
  BigInt: ["int8"],
  Float: ["float8"],
  Decimal: ["numeric"],
  DateTime: ["timestamp", "timestamptz"],
  Json: ["jsonb", "json"],
};
const COMPUTED_TYPES: Record<Computed["computed"], string[]> = {
  boolean: ["bool"],
  int: ["int4", "int8"],
  text: ["text", "varchar"],
  timestamp: ["timestamp", "timestamptz"],
  json: ["json", "jsonb"],
};

let client: pg.Client;
let typeNames: Map<number, string>;

beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const { rows } = await client.query<{ oid: number; typname: string }>("SELECT oid::int, typname FROM pg_type");
  typeNames = new Map(rows.map((row) => [row.oid, row.typname]));
});
afterAll(() => client.end());

type Contract = Record<string, ColumnRef | Computed>;

/** Runs the statement and lists every way its result disagrees with the contract and the schema. */
async function disagreements(statement: Prisma.Sql, contract: Contract): Promise<string[]> {
  const problems: string[] = [];
  // A literal cast to an enum names a value schema.prisma must still have.
  for (const [, value, enumName] of statement.text.matchAll(/'([^']*)'::"(\w+)"/g)) {
    if (!enums.get(enumName!)?.includes(value!)) problems.push(`enum ${enumName} has no value '${value}'`);
  }
  await client.query("BEGIN");
  let fields: pg.FieldDef[];
  try {
    fields = (await client.query({ text: statement.text, values: statement.values })).fields;
  } catch (error) {
    return [...problems, `PostgreSQL refused the statement: ${(error as Error).message}`];
  } finally {
    await client.query("ROLLBACK");
  }
  const expected = Object.keys(contract);
  const returned = fields.map((field) => field.name);
  if (returned.join() !== expected.join())
    problems.push(`columns: returned ${returned.join()}, contract ${expected.join()}`);
  for (const field of fields) {
    const spec = contract[field.name];
    if (!spec) continue;
    const actual = typeNames.get(field.dataTypeID) ?? String(field.dataTypeID);
    let allowed: string[];
    if (typeof spec === "string") {
      let column: Field;
      try {
        column = schemaField(spec);
      } catch (error) {
        problems.push((error as Error).message);
        continue;
      }
      const type = column.fieldType as string;
      // An enum column comes back as its enum type, or as text where the statement casts it.
      allowed = enums.has(type) ? [type, "text"] : (SCALAR_TYPES[type] ?? []);
      // A list column (String[]) comes back as PostgreSQL's array of that type ("_text").
      if (column.array) allowed = allowed.map((name) => `_${name}`);
    } else {
      allowed = COMPUTED_TYPES[spec.computed];
    }
    if (!allowed.includes(actual)) problems.push(`${field.name}: ${actual}, expected ${allowed.join(" or ")}`);
  }
  return problems;
}

const id = "00000000-0000-0000-0000-000000000000";
const finishedReply: FinishedReply = {
  messageId: id,
  userId: id,
  content: "hello",
  html: "<p>hello</p>",
  htmlVersion: 1,
  status: "complete",
  provider: "openrouter",
  model: "m",
  fallbackFrom: null,
  promptTokens: 1,
  completionTokens: 2,
  cost: null,
  latencyMs: 3,
  prompt: { sections: [], memories: [] },
  // No usage row: its person does not exist here (PostgreSQL still checks the insert's columns and types).
  usage: undefined,
};
const statements: Array<[string, Prisma.Sql, Contract]> = [
  ["session lookup", sessionLookupSql(id), sessionLookupColumns],
  ["a session's last use (returns nothing)", touchSessionSql(id, new Date()), {}],
  ["chat quota", quotaSql(id), quotaColumns],
  [
    "send (store the exchange, read the prompt context)",
    storeExchangeSql({
      userId: id,
      conversationId: id,
      content: "hello",
      ids: { userMessageId: id, assistantMessageId: id },
      firstTitle: "hello",
    }),
    storeExchangeColumns,
  ],
  ["prompt context of a stored reply", replyContextSql(id, id, id), replyContextColumns],
  ["conversation search", searchSql(id, "hello", 30), searchHitColumns],
  ["conversation list (first page)", conversationListSql(id, null, 30), conversationListColumns],
  [
    "conversation list (after a pinned one)",
    conversationListSql(id, { pinned: true, lastMessageAt: new Date(), id }, 30),
    conversationListColumns,
  ],
  ["conversation page (newest)", conversationPageSql(id, id, null), conversationPageColumns],
  [
    "conversation page with the message box's kept text",
    conversationPageSql(id, id, null, undefined, new Date()),
    conversationPageColumns,
  ],
  [
    "conversation page (ending with a message)",
    conversationPageSql(id, id, { cursor: { createdAt: new Date(), id }, through: true }),
    conversationPageColumns,
  ],
  [
    "growing replies' text, all in one statement",
    growingRepliesSql([id, id], ["hello", "world"]),
    growingRepliesColumns,
  ],
  ["Stop pressed for replies that did not grow in a beat", stopRequestedSql([id, id]), stopRequestedColumns],
  ["the heartbeat of replies being written (returns nothing)", heartbeatSql([id, id]), {}],
  [
    "finished replies: text, outcome, prompt and usage in one statement",
    finishedRepliesSql([finishedReply, { ...finishedReply, prompt: undefined }]),
    finishedRepliesColumns,
  ],
  [
    // A conversation that is not there: nothing kept (its person does not exist here either).
    "keeping the message box's text (ownership, upsert and the 10-page cap in one statement)",
    keepTextSql(id, `/chat/${id}`, "hello", new Date()),
    keepTextColumns,
  ],
  [
    "a calendar view's events (GiST range index)",
    occurrenceWindowSql(id, new Date(0), new Date()),
    occurrenceWindowColumns,
  ],
];

describe("hot-path SQL matches prisma/schema.prisma", () => {
  it.each(statements)("%s", async (_name, statement, contract) => {
    expect(await disagreements(statement, contract)).toEqual([]);
  });

  it("the migrations list on /admin/system reads Prisma's own table", async () => {
    const { rows } = await client.query({ text: appliedMigrationsSql.text, values: appliedMigrationsSql.values });
    expect(rows.length).toBeGreaterThan(0);
    expect(Object.keys(rows[0] as object)).toEqual(["migration_name", "finished_at"]);
  });

  it("catches a statement that drifted from its contract or the schema", async () => {
    const [, statement] = statements[0]!;
    const renamed = { ...sessionLookupColumns, expiresAt: "Session.expiresOn" } as unknown as Contract;
    expect(await disagreements(statement, renamed)).toContain(
      "Session.expiresOn: model Session has no field expiresOn",
    );
    const retyped = { ...sessionLookupColumns, persistent: "Session.method" } as Contract;
    expect(await disagreements(statement, retyped)).toContain("persistent: bool, expected text or varchar");
    const listAsText = { ...occurrenceWindowColumns, exdates: "Event.title" } as Contract;
    expect(await disagreements(occurrenceWindowSql(id, new Date(0), new Date()), listAsText)).toContain(
      "exdates: _text, expected text or varchar",
    );
    const withStaleEnum = { ...statement, text: `${statement.text} AND u.role = 'owner'::"Role"` } as Prisma.Sql;
    const problems = await disagreements(withStaleEnum, sessionLookupColumns);
    expect(problems).toContain("enum Role has no value 'owner'");
    expect(problems.some((p) => p.startsWith("PostgreSQL refused the statement"))).toBe(true);
    const missingColumn = { ...statement, text: statement.text.replace('s."revokedAt", ', "") } as Prisma.Sql;
    expect((await disagreements(missingColumn, sessionLookupColumns))[0]).toMatch(/^columns: returned/);
  });
});
