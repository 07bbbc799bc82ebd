import { renderMarkdown } from "./markdown.server";
import { closeOpenMarkdown } from "./partial-markdown";

/**
 * Code blocks and tables scroll sideways inside their own box; keyboard users must be able to reach
 * that box to scroll it. The renderer's sanitiser leaves these tags without attributes, so the bare
 * tag is exactly what is matched.
 */
function focusableScrollBoxes(html: string): string {
  return html.replaceAll("<pre>", '<pre tabindex="0">').replaceAll("<table>", '<table tabindex="0">');
}

/** A finished reply as the page shows it. */
export function renderReply(content: string): string {
  return focusableScrollBoxes(renderMarkdown(content));
}

/** The text so far of a reply still being written: open constructs closed, so no raw Markdown shows. */
export function renderPartialReply(content: string): string {
  return focusableScrollBoxes(renderMarkdown(closeOpenMarkdown(content)));
}
