import type { ConversationCursor } from "~/validation/cursor";
import { prisma } from "~/db/db.server";
import { Prisma } from "~/generated/prisma/client";
import { computed, rowContract, type RowOf } from "~/db/row-contract";
import { queryRows } from "~/db/sql.server";
import type { ProviderName } from "~/llm/types";
import { SNIPPET_START, SNIPPET_STOP } from "./snippet";

export const CONVERSATIONS_PER_PAGE = 30;
const TITLE_MAX = 120;

export class ConversationNotFoundError extends Error {
  constructor() {
    super("Conversation not found");
    this.name = "ConversationNotFoundError";
  }
}

export type ConversationSummary = {
  id: string;
  title: string;
  pinned: boolean;
  lastMessageAt: Date;
};

export const conversationListColumns = rowContract({
  id: "Conversation.id",
  title: "Conversation.title",
  pinned: "Conversation.pinned",
  lastMessageAt: "Conversation.lastMessageAt",
});

/** The statement behind listConversations: every signed-in chat page shows it (docs/decisions/004). */
export function conversationListSql(userId: string, cursor: ConversationCursor | null, limit: number): Prisma.Sql {
  // As UTC text: node-postgres would send a Date in the process's zone, and the column has none.
  const at = cursor ? Prisma.sql`${cursor.lastMessageAt.toISOString()}::timestamp(3)` : Prisma.empty;
  const after = !cursor
    ? Prisma.empty
    : cursor.pinned
      ? Prisma.sql`AND (NOT pinned OR (pinned AND ("lastMessageAt" < ${at} OR ("lastMessageAt" = ${at} AND id < ${cursor.id}))))`
      : Prisma.sql`AND NOT pinned AND ("lastMessageAt" < ${at} OR ("lastMessageAt" = ${at} AND id < ${cursor.id}))`;
  return Prisma.sql`
    SELECT id, title, pinned, "lastMessageAt" FROM "Conversation"
     WHERE "userId" = ${userId} ${after}
     ORDER BY pinned DESC, "lastMessageAt" DESC, id DESC
     LIMIT ${limit + 1}`;
}

/**
 * My conversations, pinned first, newest first — keyset-paginated on the index that serves exactly
 * this order, so page 40 costs what page 1 does.
 */
export async function listConversations(
  userId: string,
  cursor: ConversationCursor | null,
  limit = CONVERSATIONS_PER_PAGE,
) {
  const rows = await queryRows<RowOf<typeof conversationListColumns>>(conversationListSql(userId, cursor, limit));
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    conversations: page as ConversationSummary[],
    next: rows.length > limit && last ? { pinned: last.pinned, lastMessageAt: last.lastMessageAt, id: last.id } : null,
  };
}

export type ConversationDetail = {
  id: string;
  title: string;
  titleIsManual: boolean;
  pinned: boolean;
  provider: ProviderName | null;
  model: string | null;
  createdAt: Date;
  /** false: "don't use or learn from this conversation". */
  memoryEnabled: boolean;
};

/** A conversation of this user, or ConversationNotFoundError — another person's looks like none at all. */
export async function getConversation(userId: string, conversationId: string): Promise<ConversationDetail> {
  const row = await prisma.conversation.findFirst({
    where: { id: conversationId, userId },
    select: {
      id: true,
      title: true,
      titleIsManual: true,
      pinned: true,
      provider: true,
      model: true,
      createdAt: true,
      memoryEnabled: true,
    },
  });
  if (!row) throw new ConversationNotFoundError();
  return { ...row, provider: row.provider === "openrouter" || row.provider === "ollama" ? row.provider : null };
}

/** A new, empty conversation; a title given here counts as chosen by the person (no auto-title). */
export async function createConversation(
  userId: string,
  options: { title?: string; provider?: ProviderName | null; model?: string | null } = {},
): Promise<ConversationSummary> {
  const title = options.title ? normaliseTitle(options.title) : "";
  return prisma.conversation.create({
    data: {
      userId,
      provider: options.provider ?? null,
      model: options.model ?? null,
      ...(title ? { title, titleIsManual: true } : {}),
    },
    select: { id: true, title: true, pinned: true, lastMessageAt: true },
  });
}

async function updateOwned(userId: string, conversationId: string, data: Prisma.ConversationUpdateManyMutationInput) {
  const { count } = await prisma.conversation.updateMany({ where: { id: conversationId, userId }, data });
  if (count === 0) throw new ConversationNotFoundError();
}

export function normaliseTitle(title: string): string {
  return title.replace(/\s+/g, " ").trim().slice(0, TITLE_MAX);
}

export function renameConversation(userId: string, conversationId: string, title: string) {
  return updateOwned(userId, conversationId, { title: normaliseTitle(title), titleIsManual: true });
}

export function setPinned(userId: string, conversationId: string, pinned: boolean) {
  return updateOwned(userId, conversationId, { pinned });
}

export function setConversationModel(
  userId: string,
  conversationId: string,
  provider: ProviderName | null,
  model: string | null,
) {
  return updateOwned(userId, conversationId, { provider, model });
}

export async function deleteConversation(userId: string, conversationId: string): Promise<void> {
  const { count } = await prisma.conversation.deleteMany({ where: { id: conversationId, userId } });
  if (count === 0) throw new ConversationNotFoundError();
}

/**
 * A title made from a conversation's first message (at most 60 characters), or null when it has none.
 * The text is kept as typed (`a > b`, `f(x) = [1]`, `my_var_name`, `<b>`): only Markdown syntax that
 * would read oddly in a list is dropped — a heading's `#`, a quote's `>` and a bullet at a line's start,
 * code fences, `**`/`__` around words and the backticks around inline code.
 */
export function titleFromFirstMessage(firstMessage: string): string | null {
  const plain = firstMessage
    .split("\n")
    .map((line) => (/^\s*(```|~~~)/.test(line) ? "" : line.replace(/^\s*(?:#{1,6}\s+|>\s?|[-*+]\s+)+/, "")))
    .join(" ")
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, "$2")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
  let title = "";
  for (const word of plain.split(" ")) {
    if ((title + " " + word).trim().length > 60) break;
    title = (title + " " + word).trim();
  }
  // One very long word (a link, say): cut it rather than leave the conversation untitled.
  if (!title) title = plain.slice(0, 60);
  if (!title) return null;
  return title.length < plain.length ? `${title}…` : title;
}

/** Titles a conversation from its first message, unless the person named it themselves. */
export async function autoTitle(conversationId: string, firstMessage: string): Promise<void> {
  const title = titleFromFirstMessage(firstMessage);
  if (!title) return;
  await prisma.conversation.updateMany({ where: { id: conversationId, titleIsManual: false }, data: { title } });
}

export const searchHitColumns = rowContract({
  conversationId: "Conversation.id",
  title: "Conversation.title",
  messageId: computed("text", { nullable: true }),
  /** What matched: "title", or the message's role ("user" = mine, "assistant" = the reply). */
  matched: computed("text"),
  snippet: computed("text"),
  /** The start of the matched text, for widening the snippet to whole words (search-results.ts). */
  source: computed("text"),
  at: computed("timestamp"),
});
export type SearchHit = RowOf<typeof searchHitColumns>;

/**
 * Full-text search over my titles and messages (PostgreSQL, GIN indexes in the chat_search migration —
 * the expressions here must match those indexes). Snippets mark matches with sentinel characters
 * that renderSnippet turns into <mark>.
 */
/** How much of a matched message comes back to widen its snippet; a match past it keeps ts_headline's cut. */
const SOURCE_CHARS = 20_000;

/** Characters of context either side of a match found by its characters alone (no words to index). */
const SYMBOL_CONTEXT_CHARS = 60;

/** A term typed with its punctuation ("C++", "c#", "node.js", "e-mail"), found as written. */
type LiteralTerm = { text: string; negated: boolean };
/** Letters and digits, joined by single dots, hyphens or underscores, then any symbols ("C++", "node.js", "50%"). */
const AS_WRITTEN = /^[\p{L}\p{M}\p{N}]+(?:[._-][\p{L}\p{M}\p{N}]+)*[^\p{L}\p{M}\p{N}\s'’"]*$/u;
const MAX_LITERAL_TERMS = 8;

/**
 * Splits a search into the terms that must be found as written and the rest, which websearch_to_tsquery
 * reads as before. The 'simple' parser reads "C++" and "c#" as the word "c", and "node.js" or "e-mail"
 * as one token in a query but another in a message ("node.js24"), so a word with dots, hyphens or
 * underscores between its letters, or symbols after them, is matched by its characters instead
 * (case-insensitive). Punctuation that ends a sentence ("node.js.") or wraps a word ("(c#)") is not part
 * of it. Everything else stays with the parser, which finds it in more forms than its characters would:
 * paths ("/etc/hosts", stored as one word that starts with "/"), apostrophes ("don't" finds "don’t"),
 * phrases ("hello, world") and words whose scripts have combining marks. A search with "or" is read by
 * the parser alone (its terms are alternatives, which the characters' check cannot express), and so is
 * one of more than MAX_LITERAL_TERMS such terms (each is a regular expression run on every candidate).
 */
function literalTerms(text: string): { rest: string; literals: LiteralTerm[] } {
  const literals: LiteralTerm[] = [];
  const rest: string[] = [];
  const parserAlone = { rest: text, literals: [] };
  for (const match of text.matchAll(/(-?)"([^"]*)"?|(\S+)/g)) {
    if (match[3]?.toLowerCase() === "or") return parserAlone;
    const quoted = match[2];
    const negated = match[1] === "-" || (quoted === undefined && match[3]!.length > 1 && match[3]!.startsWith("-"));
    const raw = quoted ?? (negated ? match[3]!.slice(1) : match[3]!);
    const term = raw
      .replace(/\s+/g, " ")
      .trim()
      .replace(/^[("'[]+/, "")
      .replace(/[)"'\],.;:!?]+$/, "");
    if (AS_WRITTEN.test(term) && /[^\p{L}\p{M}\p{N}]/u.test(term)) literals.push({ text: term, negated });
    else rest.push(match[0]);
  }
  if (literals.length > MAX_LITERAL_TERMS) return parserAlone;
  return { rest: rest.join(" "), literals };
}

/**
 * A PostgreSQL regular expression for the term as written, at the start of a word ("c#" is not in
 * "abc#"); it may go on ("node.js" is in "node.js24", as a prefix search would find it).
 */
function literalPattern(term: string): string {
  const body = term
    .split(" ")
    .map((part) => part.replace(/[^\p{L}\p{N}]/gu, "\\$&"))
    .join("[[:space:]]+");
  const before = /^[\p{L}\p{N}]/u.test(term) ? "(?<![[:alnum:]])" : "";
  return before + body;
}

/**
 * The index lookup for a term found as written: a word of the message starts with the term's first
 * letters ("c" for "c#", "node" for "node.js": the parser keeps "node.js24" and "e-mail" whole, with the
 * letters at their start). The rows it finds are then checked against the term itself.
 */
function literalPrefix(term: string): string | null {
  const first = /[\p{L}\p{N}]+/u.exec(term)?.[0];
  return first ? `'${first.toLowerCase()}':*` : null;
}

export function searchSql(userId: string, text: string, limit: number): Prisma.Sql {
  const options = `StartSel=${SNIPPET_START}, StopSel=${SNIPPET_STOP}, MaxWords=24, MinWords=8, MaxFragments=2`;
  const { rest, literals } = literalTerms(text);
  const wanted = literals.filter((term) => !term.negated);
  const prefixes = wanted.map((term) => literalPrefix(term.text)).filter((prefix) => prefix !== null);
  // Written out in each branch, not read from q, so the planner sees it and takes the GIN index.
  const tsquery =
    literals.length === 0
      ? Prisma.sql`websearch_to_tsquery('simple', ${text})`
      : prefixes.length === 0
        ? Prisma.sql`websearch_to_tsquery('simple', ${rest})`
        : Prisma.sql`(websearch_to_tsquery('simple', ${rest}) && to_tsquery('simple', ${prefixes.join(" & ")}))`;
  const asWritten = (column: Prisma.Sql) =>
    literals.length === 0
      ? Prisma.empty
      : Prisma.join(
          literals.map((term) =>
            term.negated
              ? Prisma.sql`AND ${column} !~* ${literalPattern(term.text)}`
              : Prisma.sql`AND ${column} ~* ${literalPattern(term.text)}`,
          ),
          " ",
          " ",
          "",
        );
  // The first term found as written is what its snippet marks (ts_headline would mark every "c").
  const markPattern = wanted[0] ? literalPattern(wanted[0].text) : "";
  // A query of symbols alone (☃, 🎂, →) has no word for the full-text index: it is found as written, among
  // this person's own rows only (their user id's index bounds the scan). Symbols have no case. Quotes are
  // search syntax, not part of it; a leading minus asks for messages without it, which is no search. ASCII
  // punctuation alone (".") is in nearly every message and would read them all: it finds nothing, as before.
  const symbolNeedle = text.replaceAll('"', "").trim();
  const symbolSearch = /[^\p{ASCII}]/u.test(symbolNeedle) && !symbolNeedle.startsWith("-") ? symbolNeedle : "";
  const symbolSnippet = (column: Prisma.Sql) => Prisma.sql`
    substr(${column}, greatest(1, strpos(${column}, q.needle) - ${SYMBOL_CONTEXT_CHARS}),
           least(strpos(${column}, q.needle) - 1, ${SYMBOL_CONTEXT_CHARS}))
    || ${SNIPPET_START} || q.needle || ${SNIPPET_STOP}
    || substr(${column}, strpos(${column}, q.needle) + length(q.needle), ${SYMBOL_CONTEXT_CHARS})`;
  const literalSnippet = (column: Prisma.Sql) => {
    const at = Prisma.sql`regexp_instr(${column}, q.mark, 1, 1, 0, 'i')`;
    const found = Prisma.sql`regexp_substr(${column}, q.mark, 1, 1, 'i')`;
    return Prisma.sql`
    substr(${column}, greatest(1, ${at} - ${SYMBOL_CONTEXT_CHARS}), least(${at} - 1, ${SYMBOL_CONTEXT_CHARS}))
    || ${SNIPPET_START} || ${found} || ${SNIPPET_STOP}
    || substr(${column}, ${at} + length(${found}), ${SYMBOL_CONTEXT_CHARS})`;
  };
  // Separate branches, not an OR, and the query written out in each (not read from q): the planner then
  // takes the GIN indexes. Snippets are made for the page of hits only, after the limit: ts_headline
  // over every message that has a common word took 200 ms at 20,000 messages. Hits at the same moment
  // come in the order of their ids, so the page is the same each time it is asked for.
  return Prisma.sql`
    WITH q AS (
      SELECT query, numnode(query) = 0 AND ${symbolSearch !== ""} AS "symbolsOnly", ${symbolSearch}::text AS needle,
             ${markPattern}::text AS mark
        FROM (SELECT ${tsquery} AS query) AS typed
    )
    SELECT hits."conversationId", hits.title, hits."messageId", hits.matched,
           CASE WHEN q."symbolsOnly" THEN ${symbolSnippet(Prisma.sql`hits.body`)}
                WHEN q.mark <> '' THEN ${literalSnippet(Prisma.sql`hits.body`)}
                ELSE ts_headline('simple', hits.body, q.query, ${options}) END AS snippet,
           left(hits.body, ${SOURCE_CHARS}) AS source, hits.at
      FROM q, (
        SELECT c.id AS "conversationId", c.title, NULL AS "messageId", 'title' AS matched, c.title AS body,
               c."lastMessageAt" AS at
          FROM "Conversation" c
         WHERE c."userId" = ${userId} AND to_tsvector('simple', c.title) @@ ${tsquery}${asWritten(Prisma.sql`c.title`)}
        UNION ALL
        SELECT c.id, c.title, NULL, 'title', c.title, c."lastMessageAt"
          FROM "Conversation" c, q
         WHERE q."symbolsOnly" AND c."userId" = ${userId} AND strpos(c.title, q.needle) > 0
        UNION ALL
        SELECT m."conversationId", c.title, m.id, m.role::text, m.content, m."createdAt"
          FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
         WHERE m."userId" = ${userId} AND m.role IN ('user', 'assistant') AND m.selected
           AND to_tsvector('simple', m.content) @@ ${tsquery}${asWritten(Prisma.sql`m.content`)}
        UNION ALL
        SELECT m."conversationId", c.title, m.id, m.role::text, m.content, m."createdAt"
          FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId", q
         WHERE q."symbolsOnly" AND m."userId" = ${userId} AND m.role IN ('user', 'assistant') AND m.selected
           AND strpos(m.content, q.needle) > 0
        ORDER BY at DESC, "conversationId" DESC, "messageId" DESC NULLS FIRST
        LIMIT ${limit}
      ) hits
    ORDER BY hits.at DESC, hits."conversationId" DESC, hits."messageId" DESC NULLS FIRST`;
}

export async function searchConversations(userId: string, query: string, limit = 30): Promise<SearchHit[]> {
  const text = query.trim().slice(0, 200);
  if (!text) return [];
  return queryRows<SearchHit>(searchSql(userId, text, limit));
}
