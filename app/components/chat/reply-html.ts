/** Replies whose HTML this page's markup carried instead of its data, as read back at hydration. */
const readFromThePage = new Map<string, string>();

/**
 * A finished reply's HTML. The first render of a document (the server's, then the browser's hydration)
 * has it from the loader; in the browser the hydration data leaves it out (markupOnly), so it is read
 * back from the server's markup, before any copy button is added to it, and kept: later data for the
 * same reply then changes nothing in the page.
 */
export function replyHtmlOf(messageId: string, html: string | null | undefined): string {
  const kept = readFromThePage.get(messageId);
  if (kept !== undefined) return kept;
  if (typeof html === "string") return html;
  const body = document.querySelector(`#m-${CSS.escape(messageId)} > .message__body`);
  const taken = body?.innerHTML ?? "";
  readFromThePage.set(messageId, taken);
  return taken;
}
