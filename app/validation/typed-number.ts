// Read by the server and by browsers (chat/schemas.ts uses numberMessage): no form library here.

// One decimal separator at most, a point or a comma ("0.7", "0,7", ".5", "-1").
const TYPED = /^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$/;
// "1,000" or "12,500.5": a comma before groups of three digits, as English writes thousands. It could as
// well be a decimal comma (1,000 = 1), and reading 200,000 tokens as 200 would be a silent mistake.
const GROUPED = /^[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?$/;
// "200.000": a point before groups of exactly three digits, as German or Italian write thousands. In a
// field for whole numbers it is hardly a decimal, and reading 200.000 tokens as 200 would be a silent
// mistake. Like GROUPED, one to three leading digits, not starting with 0: "0.500" and "12345.678" are
// no thousands.
const DOT_GROUPED = /^[+-]?[1-9]\d{0,2}(?:\.\d{3})+$/;

/**
 * A number as a person types it into a form: spaces around it are dropped and the decimal separator may be
 * a comma ("0,7" is 0.7). Null for anything else: no exponents, hex or "Infinity" (Number() takes "0x10" as
 * 16: a person who typed it was told the range of a value they never typed), and no thousands separators.
 * Only for fields people type: the JSON API's numbers are JSON numbers.
 */
export function parseTypedNumber(text: string, { whole = false }: { whole?: boolean } = {}): number | null {
  const typed = text.trim();
  if (!TYPED.test(typed) || GROUPED.test(typed)) return null;
  // A whole-number field refuses "200.000" (1000 or 200?); "200.0" and "200,000" keep their own rules.
  if (whole && DOT_GROUPED.test(typed)) return null;
  return Number(typed.replace(",", "."));
}

/**
 * The message of a number field that was not one: `otherwise`, except for thousands separators, which
 * are named, with the way to write the number (in a whole-number field "200.000" too: parseTypedNumber
 * refuses it there). Use as `z.number({ error: numberMessage("Enter a number.") })`;
 * a field that takes only whole numbers passes `{ whole: true }`, so that it does not suggest a decimal,
 * and its range (`min`, `max`), so that "200.000" is not offered as a reading the field refuses.
 */
export function numberMessage(
  otherwise: string,
  { whole = false, min = -Infinity, max = Infinity }: { whole?: boolean; min?: number; max?: number } = {},
) {
  const inRange = (value: number) => value >= min && value <= max;
  return (issue: { input?: unknown }): string => {
    const typed = typeof issue.input === "string" ? issue.input.trim() : "";
    if (whole && DOT_GROUPED.test(typed)) {
      const plain = typed.replaceAll(".", "");
      const decimal = Number(typed);
      // "200.000" may be 200 with its decimals written out; "1.500" cannot be a whole 1.5. A reading the
      // field refuses is not offered, unless neither is taken (then the thousands one, as typed).
      const thousands = inRange(Number(plain));
      const asWhole = Number.isInteger(decimal) && inRange(decimal);
      if (asWhole && thousands)
        return `Write ${plain} (no thousands separator), or ${decimal}: "${typed}" could be either.`;
      if (asWhole) return `Write ${decimal}: "${typed}" could also be read as ${plain}.`;
      return `Write ${plain} (no thousands separator).`;
    }
    if (!GROUPED.test(typed)) return otherwise;
    const plain = typed.replaceAll(",", "");
    if (whole) return `Write ${plain} (no thousands separator).`;
    // One comma and no point: a thousand or a decimal comma, and nothing says which.
    if (typed.indexOf(",") === typed.lastIndexOf(",") && !typed.includes(".")) {
      return `Write ${plain}, or ${typed.replace(",", ".")} for a decimal: with a comma it could be either.`;
    }
    return `Write ${plain}, without commas.`;
  };
}
