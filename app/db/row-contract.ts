import type {
  ChatSettings,
  Conversation,
  Event,
  KeptComposerText,
  Message,
  Session,
  UsageDaily,
  User,
} from "~/generated/prisma/client";

/**
 * The columns a raw statement (docs/decisions/004) returns, each named after the schema.prisma field
 * it reads ("Session.expiresAt") or declared as computed. The row type follows from Prisma's generated
 * model types, so a renamed field, a changed type, nullability or enum fails `tsc`; the statements'
 * SQL is held to the same contracts by tests/integration/hot-path-sql.test.ts against schema.prisma
 * and a migrated database.
 */
type Models = {
  ChatSettings: ChatSettings;
  Conversation: Conversation;
  Event: Event;
  KeptComposerText: KeptComposerText;
  Message: Message;
  Session: Session;
  UsageDaily: UsageDaily;
  User: User;
};

/** "Model.field": one column of prisma/schema.prisma. */
export type ColumnRef = { [M in keyof Models]: `${M}.${Extract<keyof Models[M], string>}` }[keyof Models];

type ComputedTypes = { boolean: boolean; int: number; text: string; timestamp: Date; json: unknown };

/** A column the statement computes rather than reads. `json` columns get their type at the use site. */
export type Computed = { computed: keyof ComputedTypes; nullable: boolean };

type ColumnSpec = ColumnRef | Computed;

type ColumnType<Spec> = Spec extends `${infer M extends keyof Models}.${infer F}`
  ? F extends keyof Models[M]
    ? Models[M][F]
    : never
  : Spec extends { computed: infer C extends keyof ComputedTypes; nullable: infer N }
    ? ComputedTypes[C] | (N extends true ? null : never)
    : never;

/** The row a contract describes. */
export type RowOf<Contract extends Record<string, ColumnSpec>> = {
  -readonly [K in keyof Contract]: ColumnType<Contract[K]>;
};

/** Declares a statement's columns, in the order it selects them. */
export function rowContract<const Contract extends Record<string, ColumnSpec>>(columns: Contract): Contract {
  return columns;
}

export function computed<const C extends keyof ComputedTypes>(type: C): { computed: C; nullable: false };
export function computed<const C extends keyof ComputedTypes>(
  type: C,
  options: { nullable: true },
): { computed: C; nullable: true };
export function computed(type: keyof ComputedTypes, options?: { nullable: true }): Computed {
  return { computed: type, nullable: options?.nullable ?? false };
}
