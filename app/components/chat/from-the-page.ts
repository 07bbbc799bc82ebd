/**
 * What a document's markup carried instead of its hydration data (markupOnly in the loader), read back
 * from the server's markup at hydration and kept per message: later page data for the same message then
 * changes nothing in the page (React leaves markup alone while what it renders stays the same).
 */
const htmlFromThePage = new Map<string, string>();
const textFromThePage = new Map<string, string>();

function readBack(
  kept: Map<string, string>,
  messageId: string,
  fromData: string | null | undefined,
  read: (body: Element) => string | null,
): string {
  const remembered = kept.get(messageId);
  if (remembered !== undefined) return remembered;
  if (typeof fromData === "string") return fromData;
  const body = document.querySelector(`#m-${CSS.escape(messageId)} > .message__body`);
  const value = body ? read(body) : null;
  // Kept only when found: a miss must not hide the message once page data does carry it.
  if (value !== null) kept.set(messageId, value);
  return value ?? "";
}

/** A finished reply's HTML, read back before any copy button is added to it. */
export function replyHtmlOf(messageId: string, html: string | null | undefined): string {
  return readBack(htmlFromThePage, messageId, html, (body) => body.innerHTML);
}

/** A message's plain text (mine, or a problem), as the page shows it. */
export function messageTextOf(messageId: string, content: string | null | undefined): string {
  return readBack(textFromThePage, messageId, content, (body) => body.textContent);
}
