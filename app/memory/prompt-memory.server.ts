import { Prisma } from "~/generated/prisma/client";
import { DEFAULT_INSTANCE_SETTINGS } from "./settings.server";

/** A memory a prompt included, as the reply's "used N memories" disclosure lists it. */
export type MemoryRef = { type: "fact" | "preference" | "summary"; id: string; label: string };

/** What the memory sections of a prompt are built from: read in the send statement (docs/decisions/004). */
export type PromptMemory = {
  /** Instance, person and conversation switches all on. */
  enabled: boolean;
  /**
   * The instance's idle time before a conversation is summarised: read here so that arming the idle
   * summary after the reply needs no statement of its own.
   */
  summaryIdleMinutes: number;
  timeZone: string;
  self: Array<{ category: string; key: string; value: string; importance: number }>;
  /** Most confident first within a kind. */
  facts: Array<{ id: string; kind: string; key: string; value: string }>;
  preferences: Array<{ id: string; key: string; value: string }>;
  /** Most relevant first; at most the instance's `relevantSummaries`. */
  summaries: Array<{ id: string; summary: string; topics: string[]; keyFacts: string[]; createdAt: string }>;
};

/**
 * PromptMemory as memoryColumn returns it: each fact and preference a text array in a fixed order, which
 * PostgreSQL turns into JSON in about 40 % less time than one object per row (docs/decisions/010, phase 10).
 */
export type StoredPromptMemory = Omit<PromptMemory, "facts" | "preferences"> & {
  facts: Array<[id: string, kind: string, key: string, value: string]>;
  preferences: Array<[id: string, key: string, value: string]>;
};

/** The memory column of a statement (memoryColumn) as the prompt reads it. */
export function promptMemory(stored: StoredPromptMemory | null): PromptMemory | null {
  if (!stored) return null;
  return {
    ...stored,
    facts: stored.facts.map(([id, kind, key, value]) => ({ id, kind, key, value })),
    preferences: stored.preferences.map(([id, key, value]) => ({ id, key, value })),
  };
}

/** The message text a relevance query considers (longer text adds words, not relevance). */
const QUERY_CHARS = 2000;

/**
 * A column (`AS memory`, JSON: StoredPromptMemory, read with promptMemory) for a statement on the send
 * path: self-memory, my facts and preferences, and the summaries of my other conversations that best
 * match `query` — a full-text match (any of its words) against the stored vector, ranked, newest first
 * among equals, at most K.
 * Nothing of mine is read when a switch is off; self-memory only follows the instance switch.
 *
 * The summaries are found through one GIN index over (ARRAY[userId], searchVector) (migration
 * summary_owner_search_index): the owner condition is written as that index's expression, so the plan is
 * the same one index search at 10 or 10,000 summaries (tests/integration/memory-summaries-plan.test.ts).
 * Facts and preferences are turned into JSON as text arrays: a row sub-select or json_build_object per
 * item looks up each column's output function for every row and repeats the keys in every item (200
 * facts: 0.74 ms for the facts alone as objects against 0.43 ms as arrays, round trip through
 * node-postgres).
 * The search is derived from the message in a sub-select of its own, computed once per statement: written
 * inline, a prepared statement's generic plan derived it again in ts_rank for every matching summary
 * (about 9 µs each: 0.9 ms of the send statement at 100 matches).
 */
export function memoryColumn(userId: string, conversationId: string, query: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(SELECT json_build_object(
      'enabled', m.enabled,
      'summaryIdleMinutes', m."summaryIdleMinutes",
      'timeZone', m."timeZone",
      'self', CASE WHEN m.instance THEN (
          SELECT coalesce(json_agg(json_build_object('category', a.category, 'key', a.key, 'value', a.value,
                                                      'importance', a.importance)
                                   ORDER BY a.importance DESC, a.category, a.key), '[]'::json)
            FROM "AssistantMemory" a) ELSE '[]'::json END,
      'facts', CASE WHEN m.enabled THEN (
          SELECT coalesce(json_agg(ARRAY[f.id, f.kind::text, f.key, f.value]
                                   ORDER BY f.kind, f.confidence DESC, f."updatedAt" DESC), '[]'::json)
            FROM "MemoryFact" f WHERE f."userId" = ${userId}) ELSE '[]'::json END,
      'preferences', CASE WHEN m.enabled THEN (
          SELECT coalesce(json_agg(ARRAY[p.id, p.key, p.value] ORDER BY p."updatedAt" DESC), '[]'::json)
            FROM "MemoryPreference" p WHERE p."userId" = ${userId}) ELSE '[]'::json END,
      'summaries', CASE WHEN m.enabled AND m.k > 0 THEN (
          SELECT coalesce(json_agg(json_build_object('id', r.id, 'summary', r.summary, 'topics', r.topics,
                                                      'keyFacts', r."keyFacts", 'createdAt', r."createdAt")
                                   ORDER BY r.rank DESC, r."createdAt" DESC), '[]'::json)
            FROM (SELECT s.id, s.summary, s.topics, s."keyFacts", s."createdAt",
                         ts_rank(s."searchVector", q.query) AS rank
                    FROM "ConversationSummary" s,
                         (SELECT (SELECT replace(plainto_tsquery('english', left(${query}, ${QUERY_CHARS}))::text,
                                                 ' & ', ' | ')::tsquery) AS query) q
                   WHERE ARRAY[s."userId"] @> ARRAY[${userId}::text] AND s."searchVector" @@ q.query
                     AND s."conversationId" <> ${conversationId}
                   ORDER BY rank DESC, s."createdAt" DESC LIMIT m.k) r) ELSE '[]'::json END)
    FROM (SELECT u."timeZone", coalesce(i."memoryEnabled", true) AS instance,
                 coalesce(i."memoryEnabled", true) AND coalesce(cs."memoryEnabled", true)
                   AND coalesce(c."memoryEnabled", true) AS enabled,
                 coalesce(i."relevantSummaries", 3) AS k,
                 coalesce(i."summaryIdleMinutes", ${DEFAULT_INSTANCE_SETTINGS.summaryIdleMinutes}::int) AS "summaryIdleMinutes"
            FROM "User" u
            LEFT JOIN "InstanceSettings" i ON i.id = 1
            LEFT JOIN "ChatSettings" cs ON cs."userId" = u.id
            LEFT JOIN "Conversation" c ON c.id = ${conversationId}
           WHERE u.id = ${userId}) m) AS memory`;
}
