// Half of a surrogate pair, alone: not Unicode text.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text from a model as ARES stores and shows it. PostgreSQL's text cannot hold U+0000 (it refuses the
 * whole statement, 22021) and a lone surrogate is not Unicode; both become U+FFFD, one for one, so the
 * text keeps its length. Applied once, where tokens enter the live reply, so every later write is safe.
 */
export function storableText(text: string): string {
  return text.replaceAll("\u0000", "\uFFFD").replace(LONE_SURROGATE, "\uFFFD");
}
