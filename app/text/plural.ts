const rules = new Intl.PluralRules("en-GB");

/**
 * "1 event", "2 events", "0 events": a count with its noun in the right number (English has two forms;
 * Intl.PluralRules says which, so no caller writes `=== 1 ?` and forgets the verb or the zero).
 */
export function countOf(count: number, one: string, other: string): string {
  return `${count.toLocaleString("en-GB")} ${rules.select(count) === "one" ? one : other}`;
}

/** The form of a word (a noun, or a verb that agrees with one) for a count: pick(1, "matches", "match"). */
export function pick(count: number, one: string, other: string): string {
  return rules.select(count) === "one" ? one : other;
}
