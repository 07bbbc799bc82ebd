import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * o200k's byte-pair ranks in the form gpt-tokenizer's encoder takes (index = rank; a token is its text,
 * or its bytes where they are not UTF-8 on their own), read from the tiktoken file the package ships.
 * Its own ranks module is a 2.4 MB array literal: loading it leaves ~50 MB more RSS than reading this
 * file does (V8 keeps the literal's code and boilerplate), and an idle-again process kept that for good.
 * The conversion is the package's own codegen step (src/codegen/generateJsBpe.ts) done at load time;
 * a test checks it gives the package's ranks.
 */
export function readO200kRanks(): (string | number[])[] {
  const file = readFileSync(require.resolve("gpt-tokenizer/data/o200k_base.tiktoken"), "latin1");
  const ranks: (string | number[])[] = [];
  for (const line of file.split("\n")) {
    if (line === "") continue;
    const space = line.indexOf(" ");
    const bytes = Buffer.from(line.slice(0, space), "base64");
    ranks[Number(line.slice(space + 1))] = textOf(bytes) ?? Array.from(bytes);
  }
  // Unused ranks are holes in the file; the encoder expects them as empty strings.
  for (let rank = 0; rank < ranks.length; rank++) ranks[rank] ??= "";
  return ranks;
}

function textOf(bytes: Buffer): string | undefined {
  try {
    const text = strictUtf8.decode(bytes);
    return Buffer.byteLength(text) === bytes.length ? text : undefined;
  } catch (error) {
    if (error instanceof TypeError) return undefined; // not valid UTF-8 on its own
    throw error;
  }
}
