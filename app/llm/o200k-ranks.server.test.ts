import { createRequire } from "node:module";
import { encode } from "gpt-tokenizer";
import { describe, expect, it } from "vitest";
import { readO200kRanks } from "./o200k-ranks.server";
import { countTokens } from "./router.server";

describe("o200k ranks read from the package's tiktoken file", () => {
  it("are the ranks the package's own module holds, rank for rank", () => {
    const packaged = (createRequire(import.meta.url)("gpt-tokenizer/bpeRanks/o200k_base") as { default: unknown[] })
      .default;
    const read = readO200kRanks();
    expect(read.length).toBe(packaged.length);
    const differing = read.flatMap((token, rank) =>
      JSON.stringify(token) === JSON.stringify(packaged[rank]) ? [] : [rank],
    );
    expect(differing).toEqual([]);
  });

  it("count what the package's encoder counts, non-Latin text and emoji included", () => {
    for (const text of [
      "hello world",
      "Grüße aus Köln — 東京で会いましょう 👋🏽",
      "const x = a?.b ?? 0; // ok\n\tdone",
    ]) {
      expect(countTokens(text)).toBe(encode(text).length);
    }
  });
});
