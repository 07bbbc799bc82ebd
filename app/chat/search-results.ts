import { SNIPPET_START, SNIPPET_STOP } from "./snippet";

/** ts_headline's default FragmentDelimiter, between the fragments it picks. */
const FRAGMENT_DELIMITER = " ... ";
/** Hits shown for a search, the newest first; the page says when there are more. */
export const SEARCH_HITS_SHOWN = 30;
/** A "word" longer than this (a URL, a hash) is cut after all, with an ellipsis, rather than shown whole. */
const MAX_WIDENING = 40;
const SENTINELS = new RegExp(`[${SNIPPET_START}${SNIPPET_STOP}]`, "g");
const isSpace = (char: string | undefined) => char === undefined || /\s/.test(char);
/**
 * ts_headline's fragments leave out the last words of a text when its match is near the end ("the code
 * is 7731" gives just "code"; "Meeting moved to room 42" loses "42") and sometimes the first: a rest of
 * this many words or fewer is shown whole rather than as "…".
 */
const SHORT_REST = { words: 3, chars: 30 };
const isShortRest = (text: string) =>
  text.trim().length <= SHORT_REST.chars && text.trim().split(/\s+/).length <= SHORT_REST.words;

/**
 * ts_headline cuts fragments at its parser's tokens, which can be inside a word ("don't", "e-mail", a
 * URL): each fragment is widened to whole words of the text it came from, and a cut is shown as "…".
 * A fragment not found in `source` (past the part fetched) is kept as it is.
 */
export function snippetAtWordBoundaries(headline: string, source: string): string {
  const pieces = headline.split(FRAGMENT_DELIMITER);
  const fragments = pieces.map((fragment, index) => {
    const plain = fragment.replace(SENTINELS, "");
    const start = plain ? source.indexOf(plain) : -1;
    if (start < 0) return { text: fragment, textBefore: false, textAfter: false };
    const end = start + plain.length;
    let from = start;
    while (from > 0 && start - from < MAX_WIDENING && !isSpace(source[from - 1])) from--;
    let to = end;
    while (to < source.length && to - end < MAX_WIDENING && !isSpace(source[to])) to++;
    if (index === 0 && isShortRest(source.slice(0, from))) from = 0;
    if (index === pieces.length - 1 && isShortRest(source.slice(to))) to = source.length;
    const text = `${source.slice(from, start)}${fragment}${source.slice(end, to)}`;
    return {
      text: text.trim(),
      textBefore: source.slice(0, from).trim() !== "",
      textAfter: source.slice(to).trim() !== "",
    };
  });
  const first = fragments[0];
  const last = fragments.at(-1);
  return `${first?.textBefore ? "… " : ""}${fragments.map((fragment) => fragment.text).join(" … ")}${last?.textAfter ? " …" : ""}`;
}

export type MatchKind = "title" | "mine" | "reply";

type Hit = { conversationId: string; title: string; matched: string };

/** One entry per conversation, in the order of their newest hit, each with what matched in it. */
export function groupByConversation<H extends Hit>(
  hits: H[],
): Array<{ conversationId: string; title: string; hits: Array<H & { kind: MatchKind }> }> {
  const groups = new Map<string, { conversationId: string; title: string; hits: Array<H & { kind: MatchKind }> }>();
  for (const hit of hits) {
    const kind: MatchKind = hit.matched === "title" ? "title" : hit.matched === "user" ? "mine" : "reply";
    const group = groups.get(hit.conversationId) ?? { conversationId: hit.conversationId, title: hit.title, hits: [] };
    group.hits.push({ ...hit, kind });
    groups.set(hit.conversationId, group);
  }
  // The title, when it matched, leads its group.
  for (const group of groups.values())
    group.hits.sort((a, b) => Number(b.kind === "title") - Number(a.kind === "title"));
  return [...groups.values()];
}
