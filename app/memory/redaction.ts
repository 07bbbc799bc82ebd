import { likeLiteral } from "~/db/like";

/** The parts of a conversation summary that reach prompts (and its search text). */
export type SummaryText = { summary: string; topics: string[]; keyFacts: string[] };

/** What a forgotten value is replaced with in a summary's prose. */
export const FORGOTTEN = "[forgotten]";

const SYNTAX = /[.*+?^${}()|[\]\\]/g;

/**
 * `value` as whole words, any case, any whitespace between its words: "no" matches "No." but not
 * "Norway" or "knows". Null for a blank value (it would match everything).
 */
function wholeValue(value: string): RegExp | null {
  const words = value.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  const body = words.map((word) => word.replace(SYNTAX, "\\$&")).join("\\s+");
  return new RegExp(`(?<![\\p{L}\\p{N}_])${body}(?![\\p{L}\\p{N}_])`, "giu");
}

/**
 * The summary without `values` (deleted memories, rejected proposals): each is replaced in the prose,
 * and topics and key facts that state it are dropped, since what is left of them says nothing else.
 * `changed` is false when none of the values occurs.
 */
export function redactSummary(text: SummaryText, values: string[]): SummaryText & { changed: boolean } {
  let { summary, topics, keyFacts } = text;
  for (const pattern of values.map(wholeValue)) {
    if (!pattern) continue;
    summary = summary.replace(pattern, FORGOTTEN);
    const states = (line: string) => line.search(pattern) !== -1;
    topics = topics.filter((topic) => !states(topic));
    keyFacts = keyFacts.filter((fact) => !states(fact));
  }
  const changed =
    summary !== text.summary || topics.length !== text.topics.length || keyFacts.length !== text.keyFacts.length;
  return { summary, topics, keyFacts, changed };
}

/** The text the full-text search covers (ConversationSummary.searchText). */
export const searchTextOf = ({ summary, topics, keyFacts }: SummaryText) => [summary, ...topics, ...keyFacts].join(" ");

/** A LIKE pattern every text containing `value` (whole words or not) matches: a cheap pre-filter. */
export function containsPattern(value: string): string {
  const words = value.trim().split(/\s+/).filter(Boolean);
  return `%${words.map(likeLiteral).join("%")}%`;
}
