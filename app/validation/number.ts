import { configureCoercion } from "@conform-to/zod/v4/future";

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * Form schemas whose number fields take plain decimals only ("0.7", "16"). Conform's own reading is
 * Number(), which also takes "0x10" (16), "1e3" and "Infinity": a person who typed one was told the
 * range of a value they never typed ("Use 0 to 2.") instead of "Enter a number.".
 * Parse with `{ schema: withPlainNumbers(schema), disableAutoCoercion: true }`.
 */
export const { coerceFormValue: withPlainNumbers } = configureCoercion({
  type: { number: (text) => (DECIMAL.test(text.trim()) ? Number(text) : Number.NaN) },
});
