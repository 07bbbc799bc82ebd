import { describeError, isDatabaseUnavailable } from "~/db/availability.server";
import { prisma } from "~/db/db.server";
import { Prisma } from "~/generated/prisma/client";
import type { MessageRole, MessageStatus } from "~/generated/prisma/enums";
import { logger } from "~/observability/logger.server";
import { renderMarkdown } from "./markdown.server";
import { closeOpenMarkdown } from "./partial-markdown";

/**
 * The version of what a finished reply renders to, stored beside its HTML (Message.htmlVersion). Bump
 * it whenever markdown.server.ts or this file changes the HTML a reply becomes (allowed tags, grammars,
 * attributes): stored HTML of an older version is then rendered again when read, and stored again.
 * reply-html.server.test.ts fails when the rendering of its sample replies changes under the same version.
 */
export const REPLY_HTML_VERSION = 1;

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

/** The columns a finished reply's write sets with its text: its HTML, rendered once, and the renderer's version. */
export function storedReplyHtml(content: string): { html: string; htmlVersion: number } {
  return { html: renderReply(content), htmlVersion: REPLY_HTML_VERSION };
}

export type ReplySource = {
  id: string;
  role: MessageRole;
  status: MessageStatus;
  content: string;
  html: string | null;
  htmlVersion: number | null;
};

/**
 * A message's HTML as pages and exports show it: null for anything but an assistant reply; the growing
 * text of one still being written (never stored: it changes every beat); otherwise the HTML stored when
 * the reply finished. A reply stored without it (settled by the orphan sweep, written before it existed)
 * or by an older renderer is rendered here and its HTML stored later, in the background.
 */
export function replyHtml(message: ReplySource): string | null {
  if (message.role !== "assistant") return null;
  if (message.status === "streaming") return renderPartialReply(message.content);
  // A newer renderer's HTML (another process during a rolling deploy) is served as it is, not undone.
  if (message.html !== null && message.htmlVersion !== null && message.htmlVersion >= REPLY_HTML_VERSION)
    return message.html;
  const html = renderReply(message.content);
  queueStore(message.id, message.content, html);
  return html;
}

// ---------------------------------------------------------------------------------------------------
// Lazily stored HTML. A page view (GET) must not wait for a write, nor write once per message: renders
// are queued and stored together, one statement per FLUSH_MS for everything rendered meanwhile. Losing
// the queue (a crash, a full queue, the database down) only means the next view renders again.

const FLUSH_MS = 1_000;
const MAX_QUEUED = 500;
const log = logger.child({ domain: "chat" });
const queued = new Map<string, { content: string; html: string }>();
let timer: NodeJS.Timeout | undefined;

function queueStore(id: string, content: string, html: string): void {
  if (queued.size >= MAX_QUEUED && !queued.has(id)) return;
  queued.set(id, { content, html });
  if (!timer) {
    timer = setTimeout(() => void flushReplyHtml(), FLUSH_MS);
    // Nothing here is worth keeping a stopping process alive for.
    timer.unref();
  }
}

/** The statement storing rendered replies; only a finished reply whose text is still the one rendered. */
function storeReplyHtmlSql(ids: string[], contents: string[], htmls: string[]): Prisma.Sql {
  return Prisma.sql`
    UPDATE "Message" AS m SET html = v.html, "htmlVersion" = ${REPLY_HTML_VERSION}
      FROM unnest(${ids}::text[], ${contents}::text[], ${htmls}::text[]) AS v(id, content, html)
     WHERE m.id = v.id AND m.role = 'assistant'::"MessageRole" AND m.status <> 'streaming'::"MessageStatus"
       AND m.content = v.content AND (m."htmlVersion" IS NULL OR m."htmlVersion" < ${REPLY_HTML_VERSION})`;
}

/** Stores what was rendered since the last flush (tests call it to avoid waiting); never rejects. */
export async function flushReplyHtml(): Promise<void> {
  clearTimeout(timer);
  timer = undefined;
  if (queued.size === 0) return;
  const batch = [...queued];
  queued.clear();
  try {
    await prisma.$executeRaw(
      storeReplyHtmlSql(
        batch.map(([id]) => id),
        batch.map(([, entry]) => entry.content),
        batch.map(([, entry]) => entry.html),
      ),
    );
  } catch (error) {
    // Rendered again on the next view; an outage is expected state, anything else is worth a line.
    if (isDatabaseUnavailable(error)) return;
    log.warn({ count: batch.length, error: describeError(error) }, "could not store rendered replies");
  }
}
