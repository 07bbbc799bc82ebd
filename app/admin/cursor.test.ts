import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor";

describe("keyset cursors in URLs", () => {
  it("round-trips a position", () => {
    const cursor = { createdAt: new Date("2026-03-01T10:20:30.456Z"), id: "cmx0abc123" };
    const token = encodeCursor(cursor);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(token)).toEqual(cursor);
  });

  it("ignores anything it did not make", () => {
    expect(decodeCursor(null)).toBeNull();
    expect(decodeCursor("")).toBeNull();
    expect(decodeCursor("not-a-cursor")).toBeNull();
    expect(decodeCursor(Buffer.from("yesterday|abc").toString("base64url"))).toBeNull();
    expect(decodeCursor(Buffer.from("2026-03-01T00:00:00Z|a b").toString("base64url"))).toBeNull();
    expect(decodeCursor("x".repeat(500))).toBeNull();
  });
});
