/** The most tokens a count holds: the database's int columns (Message, UsageDaily, UsageSlot) take no more. */
export const TOKEN_COUNT_MAX = 2 ** 31 - 1;

/** Digits, and a fraction after a point: a count as a person writes it. */
const DECIMAL = /^\s*\d+(\.\d+)?\s*$/;

/**
 * A token count as a provider reported it, made safe for everything that reads it (the reply's row, the
 * day's usage and its budget, the metrics counter, which throws on a negative or a string and failed the
 * reply with it): a whole number from 0 to TOKEN_COUNT_MAX. A decimal number in a string ("12", "6.6") is
 * read as that number; anything else counts nothing: missing, null, text, and the strings Number() reads
 * but no provider means as a count ("Infinity", which was the largest int and a whole day's budget,
 * "0x10", "1e3", "-3").
 */
export function tokenCount(value: unknown): number {
  const count =
    typeof value === "number" ? value : typeof value === "string" && DECIMAL.test(value) ? Number(value) : NaN;
  if (Number.isNaN(count)) return 0;
  return Math.min(Math.max(Math.round(count), 0), TOKEN_COUNT_MAX);
}

/**
 * The most a reply's cost (USD) is taken to be. A provider's cost is its word, not a promise: one as large
 * as 1e308 summed to Infinity (the tool loop's rounds, the day's usage), which PostgreSQL's float8 refuses,
 * and the reply failed at its last statement. No real reply costs near this; the day's sum of them stays
 * far within float8.
 */
export const COST_MAX = 1_000_000;
