/**
 * Search snippets: PostgreSQL's `ts_headline` copies the matched text verbatim, so it cannot be trusted
 * as HTML. It is asked to mark matches with two private-use characters, which no keyboard produces and
 * no HTML escaping touches; rendering escapes everything and only then turns them into `<mark>`.
 */

/** `ts_headline` StartSel: opens a highlighted match. */
export const SNIPPET_START = "\uE000";
/** `ts_headline` StopSel: closes a highlighted match. */
export const SNIPPET_STOP = "\uE001";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  [SNIPPET_START]: "<mark>",
  [SNIPPET_STOP]: "</mark>",
};

/**
 * A headline with sentinels to HTML. Sentinels can also come from the stored text itself or be cut off
 * by fragmenting, so only a START outside a mark opens one and only a STOP inside one closes it; any
 * other sentinel is dropped, and a mark still open at the end is closed.
 */
export function renderSnippet(headline: string): string {
  let open = false;
  const html = headline.replace(/[&<>"'\uE000\uE001]/g, (char) => {
    if (char === SNIPPET_START) {
      if (open) return "";
      open = true;
    } else if (char === SNIPPET_STOP) {
      if (!open) return "";
      open = false;
    }
    return HTML_ESCAPES[char] ?? "";
  });
  return open ? `${html}</mark>` : html;
}
