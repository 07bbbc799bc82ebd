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
 *   none is left at either end. A key made of nothing but symbols ("✓", "+ +") keeps them rather than
 *   becoming empty: no key the model suggested or that was stored earlier is lost or refused.
 * - Marks and joiners that join nothing are dropped (withoutStrayMarks): "bad key ✔️" is bad_key, with
 *   no variation selector left over, and a key of nothing but joiners is empty (refused).
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
  const words = withoutStrayMarks(
    // The joiners are kept by a look-ahead, not by listing them in the class: ESLint's
    // no-misleading-character-class reads a ZWJ between two class members as a joined sequence.
    plain.replace(/(?:(?!\u200C|\u200D)[^\p{L}\p{M}\p{N}_-])+/gu, "_"),
  ).replace(/^_|_$/g, "");
  return words === "" ? withoutStrayMarks(plain) : words;
}

/**
 * Combining marks and joiners that join nothing are dropped: a mark or joiner at the start or after a
 * space or symbol (the variation selector of "✔️", the joiners of "👨‍👩‍👧" once the emoji are word
 * breaks), and a joiner not followed by a letter, digit or mark. Invisible on their own, they would
 * make keys that look alike differ, or a key that looks empty. Then each run of "_" becomes one.
 */
function withoutStrayMarks(text: string): string {
  return text
    .replace(/(?<![\p{L}\p{N}\p{M}\u200C\u200D])[\p{M}\u200C\u200D]+/gu, "")
    .replace(/[\u200C\u200D]+(?![\p{L}\p{N}\p{M}])/gu, "")
    .replace(/_+/g, "_");
}

/**
 * The version of the stored key's form: normaliseMemoryKey, storedMemoryKey and the fallback name below.
 * Change it with any change to them: the start-up backfill (key-backfill.server.ts) runs once per version
 * and takes every stored key to the new form. keys.test.ts pins the form, so a change shows up there.
 */
export const MEMORY_KEY_FORM_VERSION = 2;

/** The longest memory key, in UTF-16 units of its stored form. */
export const MEMORY_KEY_MAX = 80;

/** What a stored key that names nothing (only invisible marks) is called: "note", "note_2"… */
export const UNNAMED_MEMORY_KEY = "note";

/**
 * A key in today's form, no longer than MEMORY_KEY_MAX: a longer one is cut after its last whole word that
 * fits ("_" separates words), or, with no word break in the second half, after the last whole character
 * that fits. Empty for a key that names nothing. For keys that must be kept, not refused: the model's
 * suggestions, and keys stored before a rule changed.
 */
export function storedMemoryKey(key: string): string {
  return storedMemoryKeyWithin(key, MEMORY_KEY_MAX);
}

/** storedMemoryKey cut to `max` units instead: room for a suffix ("_2") within MEMORY_KEY_MAX. */
export function storedMemoryKeyWithin(key: string, max: number): string {
  const normal = normaliseMemoryKey(key);
  if (normal.length <= max) return normal;
  let cut = "";
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(normal)) {
    if (cut.length + segment.length > max) break;
    cut += segment;
  }
  const wordBreak = normal[cut.length] === "_" ? cut.length : cut.lastIndexOf("_");
  // Taken to the form again: a cut can leave a joiner that now joins nothing at the end.
  return normaliseMemoryKey(wordBreak >= max / 2 ? cut.slice(0, wordBreak) : cut);
}
