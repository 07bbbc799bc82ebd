import escapeHtml from "escape-html";

/**
 * Search snippets: PostgreSQL's `ts_headline` copies the matched text verbatim, so it cannot be trusted
 * as HTML. It is asked to mark matches with two private-use characters, which no keyboard produces and
 * no HTML escaping touches; rendering escapes everything and only then turns them into `<mark>`.
 */

/** `ts_headline` StartSel: opens a highlighted match. */
export const SNIPPET_START = "\uE000";
/** `ts_headline` StopSel: closes a highlighted match. */
export const SNIPPET_STOP = "\uE001";

/**
 * A headline with sentinels to HTML. Sentinels can also come from the stored text itself or be cut off
 * by fragmenting, so only a START outside a mark opens one and only a STOP inside one closes it; any
 * other sentinel is dropped, and a mark still open at the end is closed.
 */
export function renderSnippet(headline: string): string {
  let open = false;
  let html = "";
  for (const piece of headline.split(/([\uE000\uE001])/)) {
    if (piece === SNIPPET_START) {
      if (!open) html += "<mark>";
      open = true;
    } else if (piece === SNIPPET_STOP) {
      if (open) html += "</mark>";
      open = false;
    } else {
      html += escapeHtml(piece);
    }
  }
  return open ? `${html}</mark>` : html;
}
