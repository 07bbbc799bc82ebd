import { parseWithZod } from "@conform-to/zod/v4";
import { describe, expect, it } from "vitest";
import { withPlainNumbers } from "~/validation/number";
import { clipText, extractionSchema, selfMemoryIntent } from "./schemas";

const settings = {
  intent: "instance",
  relevantSummaries: 3,
  extractionInputTokens: 4000,
  summaryIdleMinutes: 10,
  autoAcceptMinConfidence: 0.8,
  autoAcceptMinImportance: 7,
};

const messagesFor = (changed: Record<string, number>) => {
  const result = selfMemoryIntent.safeParse({ ...settings, ...changed });
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
};

describe("the instance's memory settings", () => {
  it("name the range a number is outside of (a negative idle time said 'Enter a number.')", () => {
    expect(messagesFor({})).toEqual([]);
    expect(messagesFor({ summaryIdleMinutes: -1 })).toEqual(["Use 1 to 10080 minutes (a week)."]);
    expect(messagesFor({ summaryIdleMinutes: 20_000 })).toEqual(["Use 1 to 10080 minutes (a week)."]);
    expect(messagesFor({ extractionInputTokens: 1_000_000 })).toEqual(["Use 200 to 100000."]);
    expect(messagesFor({ relevantSummaries: 2.5 })).toEqual(["Use a whole number."]);
  });
});

describe("extraction answers", () => {
  const answer = (topics: string[]) => ({ summary: "s", topics, keyFacts: [], candidates: [] });

  it("clips an over-long topic at a word break instead of refusing the whole answer", () => {
    const long = "the long history of the family allotment and what grows there in each season of the year";
    const parsed = extractionSchema.safeParse(answer([long, "garden"]));
    expect(parsed.success).toBe(true);
    const [topic, other] = parsed.data!.topics;
    expect(topic!.length).toBeLessThanOrEqual(80);
    expect(topic).toBe("the long history of the family allotment and what grows there in each season of…");
    expect(other).toBe("garden");
  });

  it("keeps the first 20 topics of more, and still refuses an empty one", () => {
    const many = Array.from({ length: 25 }, (_, index) => `topic ${index}`);
    expect(extractionSchema.parse(answer(many)).topics).toHaveLength(20);
    expect(extractionSchema.safeParse(answer(["  "])).success).toBe(false);
  });

  it("cuts a text with no word break near the end at the limit, whole characters only", () => {
    expect(clipText("short", 80)).toBe("short");
    expect(clipText("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
    expect(clipText("😀".repeat(20), 5)).toBe("😀😀😀😀…");
  });
});

describe("the keys of extracted candidates", () => {
  const withKey = (key: string) => ({
    summary: "s",
    topics: [],
    keyFacts: [],
    candidates: [{ type: "fact", kind: "personal", key, value: "v", confidence: 0.9, importance: 5, message: 0 }],
  });
  const keyOf = (key: string) => {
    const parsed = extractionSchema.safeParse(withKey(key));
    return parsed.success ? parsed.data.candidates[0]!.key : `refused: ${parsed.error.issues[0]!.message}`;
  };

  it("are taken to their stored form before their length is checked", () => {
    // 90 characters as written, 9 stored: the whole answer was refused for it.
    expect(keyOf(`Home ${" / ".repeat(27)} City`)).toBe("home_city");
  });

  it("still over the limit once stored are cut at a word break, not refused", () => {
    const long = "the name of the street where my grandmother lived when she was a child in the nineteen fifties";
    const key = keyOf(long);
    expect(key).toBe("the_name_of_the_street_where_my_grandmother_lived_when_she_was_a_child_in_the");
    expect(key.length).toBeLessThanOrEqual(80);
    // Lower case lengthens İ (i + U+0307): 60 as written, 120 stored.
    expect(keyOf("İ".repeat(60)).length).toBeLessThanOrEqual(80);
  });
});

describe("the instance's memory settings as typed into the form", () => {
  const typed = (changed: Record<string, string>) => {
    const form = new FormData();
    for (const [name, value] of Object.entries({ ...settings, ...changed })) form.append(name, String(value));
    const submission = parseWithZod(form, { schema: withPlainNumbers(selfMemoryIntent), disableAutoCoercion: true });
    return submission.status === "success" ? submission.value : submission.reply().error;
  };

  it("name a thousands separator, as the other number fields do", () => {
    expect(typed({ extractionInputTokens: "1,000" })).toEqual({
      extractionInputTokens: ["Write 1000 (no thousands separator)."],
    });
    expect(typed({ summaryIdleMinutes: "1,440" })).toEqual({
      summaryIdleMinutes: ["Write 1440 (no thousands separator)."],
    });
  });

  it('refuse "2.000" in a whole-number field rather than read it as 2, offering only readings in range', () => {
    // 2 is below the field's 200: not offered.
    expect(typed({ extractionInputTokens: "2.000" })).toEqual({
      extractionInputTokens: ["Write 2000 (no thousands separator)."],
    });
    expect(typed({ summaryIdleMinutes: "5.000" })).toEqual({
      summaryIdleMinutes: ['Write 5000 (no thousands separator), or 5: "5.000" could be either.'],
    });
    // A decimal below 1, not a thousand: "0500" is never suggested.
    expect(typed({ autoAcceptMinImportance: "0.500" })).toEqual({ autoAcceptMinImportance: ["Use a whole number."] });
    expect(typed({ autoAcceptMinConfidence: "0,8", relevantSummaries: " 5 " })).toMatchObject({
      autoAcceptMinConfidence: 0.8,
      relevantSummaries: 5,
    });
  });
});
