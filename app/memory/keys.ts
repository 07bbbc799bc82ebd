/**
 * The one form of a memory key (a fact's or preference's name, the assistant's own notes too): what a
 * person types, what the model suggests and what is read back from storage all go through it before
 * they are stored or compared, so the same name is always the same key.
 *
 * - Unicode NFC: "café" typed with a combining accent and with a precomposed é are one key.
 * - Format characters are dropped — bidi marks and embeddings (U+200E/F, U+202A–E, U+2066–9), the BOM,
 *   soft hyphens — except the zero-width non-joiner and joiner (U+200C/D): Persian and Indic scripts
 *   need them to spell words (می‌خواهم), and they change how a word reads.
 * - Lower case; surrounding space trimmed; each run of white space becomes one "_".
 * - Symbols and punctuation (anything but letters, combining marks, digits, "-" and "_") separate words
 *   as a space does: "bad key ✓" → "bad_key", "home/city" → "home_city"; repeated "_" become one, and
 *   none is left at either end. A key made of nothing but symbols ("✓", "+1") keeps them rather than
 *   becoming empty: no key the model suggested or that was stored earlier is lost or refused.
 */
export function normaliseMemoryKey(key: string): string {
  const plain = key
    .normalize("NFC")
    .replace(/[^\P{Cf}\u200C\u200D]/gu, "")
    .toLowerCase()
    // Lower-casing can leave a decomposed sequence (İ → i + U+0307): composed again.
    .normalize("NFC")
    .trim()
    .replace(/\s+/gu, "_");
  const words = plain
    // The joiners are kept by a look-ahead: in a character class, a joiner reads as joining its neighbours.
    .replace(/(?:(?!\u200C|\u200D)[^\p{L}\p{M}\p{N}_-])+/gu, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
  return words === "" ? plain : words;
}
