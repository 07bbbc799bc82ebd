import { parseWithZod } from "@conform-to/zod/v4";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { withPlainNumbers } from "./number";
import { numberMessage, parseTypedNumber } from "./typed-number";

describe("parseTypedNumber", () => {
  it("reads a decimal comma as a decimal point, and drops the spaces around what was typed", () => {
    expect(parseTypedNumber("0,7")).toBe(0.7);
    expect(parseTypedNumber(" 0,7 ")).toBe(0.7);
    expect(parseTypedNumber("1,5")).toBe(1.5);
    expect(parseTypedNumber(",5")).toBe(0.5);
    expect(parseTypedNumber("0,125")).toBe(0.125);
    expect(parseTypedNumber("-0,25")).toBe(-0.25);
  });

  it("reads plain decimals as before", () => {
    expect(parseTypedNumber("0.7")).toBe(0.7);
    expect(parseTypedNumber("16")).toBe(16);
    expect(parseTypedNumber("\t2.\n")).toBe(2);
    expect(parseTypedNumber(".5")).toBe(0.5);
  });

  it("reads no thousands separator: 1,000 could be a thousand or one", () => {
    for (const typed of ["1,000", "200,000", "12,500.5", "1,000,000", "1.000,5", "1 000"]) {
      expect(parseTypedNumber(typed), typed).toBeNull();
    }
  });

  it("is not a number for what a person does not type as one", () => {
    for (const typed of ["", " ", "abc", "0x10", "1e3", "Infinity", "NaN", "0,7,1", "0.7.1", "0,7.1", "1-2", ","]) {
      expect(parseTypedNumber(typed), typed).toBeNull();
    }
  });
});

describe("withPlainNumbers: a form's number fields", () => {
  const schema = z.object({
    temperature: z
      .number({ error: numberMessage("Enter a number.") })
      .min(0, "Use 0 to 2.")
      .max(2, "Use 0 to 2.")
      .optional(),
    count: z.number({ error: "Enter a number." }).int("Use a whole number."),
    tokens: z
      .number({ error: numberMessage("Enter a number.", { whole: true }) })
      .int("Use a whole number.")
      .optional(),
  });
  const parse = (fields: Record<string, string>) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    return parseWithZod(form, { schema: withPlainNumbers(schema), disableAutoCoercion: true });
  };

  it("take 0,7 as 0.7, with spaces around it", () => {
    const submission = parse({ temperature: " 0,7 ", count: "3 " });
    expect(submission.status).toBe("success");
    expect(submission.status === "success" && submission.value).toEqual({ temperature: 0.7, count: 3 });
  });

  it("leave an optional field that holds only spaces empty, as one left blank", () => {
    const submission = parse({ temperature: "   ", count: "1" });
    expect(submission.status === "success" && submission.value).toEqual({ temperature: undefined, count: 1 });
  });

  it("still say what is wrong: not a number, out of range, or a comma that could mean either", () => {
    const errors = (fields: Record<string, string>) => parse(fields).reply().error;
    expect(errors({ temperature: "abc", count: "1" })).toEqual({ temperature: ["Enter a number."] });
    expect(errors({ temperature: "0x10", count: "1" })).toEqual({ temperature: ["Enter a number."] });
    expect(errors({ temperature: "2,5", count: "1" })).toEqual({ temperature: ["Use 0 to 2."] });
    expect(errors({ temperature: "1,000", count: "1" })).toEqual({
      temperature: ["Write 1000, or 1.000 for a decimal: with a comma it could be either."],
    });
    expect(errors({ temperature: "1,000,000", count: "1" })).toEqual({
      temperature: ["Write 1000000, without commas."],
    });
    expect(errors({ temperature: "12,500.5", count: "1" })).toEqual({
      temperature: ["Write 12500.5, without commas."],
    });
    expect(errors({ count: "" })).toEqual({ count: ["Enter a number."] });
    expect(errors({ count: "1,5" })).toEqual({ count: ["Use a whole number."] });
  });

  it("do not suggest a decimal for a field that takes only whole numbers (1,000 is a thousand there or nothing)", () => {
    const errors = (fields: Record<string, string>) => parse(fields).reply().error;
    expect(errors({ count: "1", tokens: "1,000" })).toEqual({ tokens: ["Write 1000 (no thousands separator)."] });
    expect(errors({ count: "1", tokens: " 200,000 " })).toEqual({
      tokens: ["Write 200000 (no thousands separator)."],
    });
    expect(errors({ count: "1", tokens: "abc" })).toEqual({ tokens: ["Enter a number."] });
  });

  it('refuse "200.000" in a whole-number field instead of reading it as 200 (a point before three digits)', () => {
    const errors = (fields: Record<string, string>) => parse(fields).reply().error;
    expect(errors({ count: "1", tokens: "200.000" })).toEqual({
      tokens: ['Write 200000 (no thousands separator), or 200: "200.000" could be either.'],
    });
    expect(errors({ count: "1", tokens: "1.500" })).toEqual({ tokens: ["Write 1500 (no thousands separator)."] });
    expect(errors({ count: "1", tokens: "1.000.000" })).toEqual({
      tokens: ["Write 1000000 (no thousands separator)."],
    });
    // Any whole-number field is refused, whatever its message.
    expect(errors({ count: "200.000" })).toEqual({ count: ["Enter a number."] });
    // Fewer or more than three decimals, or a decimal field, read as before.
    expect(parse({ count: "200.0", tokens: "200.00" }).status).toBe("success");
    const decimal = parse({ count: "1", temperature: "1.000" });
    expect(decimal.status === "success" && decimal.value.temperature).toBe(1);
  });

  it('take "0.500", "0.000" and "12345.678" as decimals, not thousands: only 1–3 leading digits, no leading 0', () => {
    expect(parseTypedNumber("0.500", { whole: true })).toBe(0.5);
    expect(parseTypedNumber("0.000", { whole: true })).toBe(0);
    expect(parseTypedNumber("12345.678", { whole: true })).toBe(12345.678);
    expect(parseTypedNumber("-0.000", { whole: true })).toBe(-0);
    expect(parseTypedNumber("1.000", { whole: true })).toBeNull();
    expect(parseTypedNumber("-999.000.000", { whole: true })).toBeNull();
    const errors = (fields: Record<string, string>) => parse(fields).reply().error;
    // Told what is wrong with the number read, never "Write 0500".
    expect(errors({ count: "1", tokens: "0.500" })).toEqual({ tokens: ["Use a whole number."] });
    expect(errors({ count: "1", tokens: "12345.678" })).toEqual({ tokens: ["Use a whole number."] });
    const message = numberMessage("Enter a number.", { whole: true });
    for (const typed of ["0.500", "0.000", "12345.678", "0123.456"])
      expect(message({ input: typed })).toBe("Enter a number.");
  });

  it('offer no reading of "2.000" that the field refuses', () => {
    const maxTokens = numberMessage("Enter a number.", { whole: true, min: 16, max: 200_000 });
    expect(maxTokens({ input: "2.000" })).toBe("Write 2000 (no thousands separator).");
    expect(maxTokens({ input: "200.000" })).toBe(
      'Write 200000 (no thousands separator), or 200: "200.000" could be either.',
    );
    const inputTokens = numberMessage("Enter a number.", { whole: true, min: 200, max: 100_000 });
    expect(inputTokens({ input: "200.000" })).toBe('Write 200: "200.000" could also be read as 200000.');
    // Neither reading fits: the thousands one, as typed; the range is told once it is written plainly.
    expect(inputTokens({ input: "999.000.000" })).toBe("Write 999000000 (no thousands separator).");
  });
});
