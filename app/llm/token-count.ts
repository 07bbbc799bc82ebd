/** The most tokens a count holds: the database's int columns (Message, UsageDaily, UsageSlot) take no more. */
export const TOKEN_COUNT_MAX = 2 ** 31 - 1;

/**
 * A token count as a provider reported it, made safe for everything that reads it (the reply's row, the
 * day's usage and its budget, the metrics counter, which throws on a negative or a string and failed the
 * reply with it): a whole number from 0 to TOKEN_COUNT_MAX. A number in a string is read as that number;
 * anything else that is no number (missing, null, text) counts nothing.
 */
export function tokenCount(value: unknown): number {
  const count =
    typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (Number.isNaN(count)) return 0;
  return Math.min(Math.max(Math.round(count), 0), TOKEN_COUNT_MAX);
}
