import { describe, expect, it } from "vitest";
import {
  decodeConversationCursor,
  decodeCreatedAtCursor,
  encodeConversationCursor,
  encodeCreatedAtCursor,
} from "./cursor";

describe("keyset cursors in URLs", () => {
  it("round-trips a position", () => {
    const cursor = { createdAt: new Date("2026-03-01T10:20:30.456Z"), id: "cmx0abc123" };
    const token = encodeCreatedAtCursor(cursor);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCreatedAtCursor(token)).toEqual(cursor);
    const conversation = { pinned: true, lastMessageAt: new Date("2026-03-01T10:20:30.456Z"), id: "cmx0abc123" };
    expect(decodeConversationCursor(encodeConversationCursor(conversation))).toEqual(conversation);
  });

  it("ignores anything it did not make", () => {
    const token = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    expect(decodeCreatedAtCursor(null)).toBeNull();
    expect(decodeCreatedAtCursor("")).toBeNull();
    expect(decodeCreatedAtCursor("not-a-cursor")).toBeNull();
    expect(decodeCreatedAtCursor(token(["yesterday", "abc"]))).toBeNull();
    expect(decodeCreatedAtCursor(token(["2026-03-01T00:00:00Z", "a b"]))).toBeNull();
    expect(decodeCreatedAtCursor(token(["2026-03-01T00:00:00Z", "abc", "extra"]))).toBeNull();
    expect(decodeCreatedAtCursor("x".repeat(500))).toBeNull();
    // A position of one kind is not a position of another.
    expect(decodeConversationCursor(encodeCreatedAtCursor({ createdAt: new Date(), id: "abc" }))).toBeNull();
  });

  it("ignores positions PostgreSQL cannot compare with (year 0, or past 9999 through an offset)", () => {
    const token = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    expect(decodeCreatedAtCursor(token(["0000-01-01T00:00:00Z", "abc"]))).toBeNull();
    expect(decodeCreatedAtCursor(token(["0000-01-01T00:00:00+01:00", "abc"]))).toBeNull();
    expect(decodeCreatedAtCursor(token(["9999-12-31T23:59:59-14:00", "abc"]))).toBeNull();
    expect(decodeConversationCursor(token([true, "0000-01-01T00:00:00Z", "abc"]))).toBeNull();
    // The edges of the range are still positions.
    expect(decodeCreatedAtCursor(token(["9999-12-31T23:59:59Z", "abc"]))?.id).toBe("abc");
    expect(decodeCreatedAtCursor(token(["1970-01-01T00:00:00Z", "abc"]))?.id).toBe("abc");
  });
});
