/**
 * What a document's markup carried instead of its hydration data (markupOnly in the loader), read back
 * from the server's markup at hydration and kept per message: later page data for the same message then
 * changes nothing in the page (React leaves markup alone while what it renders stays the same).
 */
const htmlFromThePage = new Map<string, string>();
const textFromThePage = new Map<string, string>();

function bodyOf(messageId: string): Element | null {
  return document.querySelector(`#m-${CSS.escape(messageId)} > .message__body`);
}

/** A finished reply's HTML, read back before any copy button is added to it. */
export function replyHtmlOf(messageId: string, html: string | null | undefined): string {
  const kept = htmlFromThePage.get(messageId);
  if (kept !== undefined) return kept;
  if (typeof html === "string") return html;
  const body = bodyOf(messageId);
  // Kept only when found: a miss must not hide the reply once page data does carry it.
  if (body) htmlFromThePage.set(messageId, body.innerHTML);
  return body?.innerHTML ?? "";
}

/** A message's plain text (mine, or a problem), as the page shows it. */
export function messageTextOf(messageId: string, content: string | null | undefined): string {
  const kept = textFromThePage.get(messageId);
  if (kept !== undefined) return kept;
  if (typeof content === "string") return content;
  const text = bodyOf(messageId)?.textContent;
  if (typeof text === "string") textFromThePage.set(messageId, text);
  return text ?? "";
}
