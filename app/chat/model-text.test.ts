import { describe, expect, it } from "vitest";
import { storableText } from "./model-text";

describe("storableText", () => {
  it("turns a NUL and lone surrogates into U+FFFD, one for one, and keeps whole pairs", () => {
    expect(storableText("hello\u0000world")).toBe("hello\uFFFDworld");
    expect(storableText("a\ud83d b \ude00c")).toBe("a\uFFFD b \uFFFDc");
    expect(storableText("smile \ud83d\ude00")).toBe("smile \ud83d\ude00");
    expect(storableText("\ud83d")).toHaveLength(1);
  });
});
