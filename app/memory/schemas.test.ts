import { describe, expect, it } from "vitest";
import { selfMemoryIntent } from "./schemas";

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
    expect(messagesFor({ summaryIdleMinutes: -1 })).toEqual(["Use 1 to 10,080 minutes (a week)."]);
    expect(messagesFor({ summaryIdleMinutes: 20_000 })).toEqual(["Use 1 to 10,080 minutes (a week)."]);
    expect(messagesFor({ extractionInputTokens: 1_000_000 })).toEqual(["Use 200 to 100,000."]);
    expect(messagesFor({ relevantSummaries: 2.5 })).toEqual(["Use a whole number."]);
  });
});
