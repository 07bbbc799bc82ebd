import { describe, expect, it } from "vitest";
import { countOf, pick } from "./plural";

describe("a count in words", () => {
  it("takes the singular for one only, and the plural for zero and many", () => {
    expect(countOf(1, "event", "events")).toBe("1 event");
    expect(countOf(0, "event", "events")).toBe("0 events");
    expect(countOf(2, "event", "events")).toBe("2 events");
    expect(countOf(12_000, "event", "events")).toBe("12,000 events");
    expect(pick(1, "event matches", "events match")).toBe("event matches");
    expect(pick(3, "event matches", "events match")).toBe("events match");
  });
});
