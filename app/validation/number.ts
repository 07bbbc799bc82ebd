import { configureCoercion } from "@conform-to/zod/v4/future";
import { z } from "zod";
import { parseTypedNumber } from "./typed-number";

/** A number field's value from a form: whitespace alone is an empty field, as nothing typed is. */
function formNumber(value: unknown, whole: boolean): unknown {
  if (typeof value !== "string") return value;
  if (value.trim() === "") return undefined;
  // What is not a number goes on as typed: the field's own schema refuses it, with its message.
  return parseTypedNumber(value, { whole }) ?? value;
}

const numberIn = (type: z.core.$ZodType): z.ZodNumber | null =>
  type instanceof z.ZodNumber
    ? type
    : type instanceof z.ZodOptional && type.unwrap() instanceof z.ZodNumber
      ? (type.unwrap() as z.ZodNumber)
      : null;

/**
 * Form schemas whose number fields are read by parseTypedNumber. Conform's own reading is Number(), which
 * also takes "0x10", "1e3" and "Infinity" and refuses "0,7". Parse with
 * `{ schema: withPlainNumbers(schema), disableAutoCoercion: true }`. Whole-number fields (`.int()`) also
 * refuse "200.000", which could be a thousand-separated 200000: give them `numberMessage(…, { whole: true })`.
 */
export const { coerceFormValue: withPlainNumbers } = configureCoercion({
  // An optional number is read as a whole, so that a field left blank (only spaces) is undefined too.
  // A field for whole numbers (.int()) also refuses "200.000" (see parseTypedNumber).
  customize: (type) => {
    const number = numberIn(type);
    return number ? (value: unknown) => formNumber(value, number.isInt) : null;
  },
});
