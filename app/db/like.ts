/**
 * `text` as it must be written inside a LIKE/ILIKE pattern (and Prisma's `contains`, which puts it between
 * two `%` as it is) to match only itself: `%` and `_` are wildcards there, so a search for "50%" or
 * "first_name" matched other text, and one for "%" or "_" matched everything.
 */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
