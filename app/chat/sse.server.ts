import { describeError, isDatabaseUnavailable } from "~/db/availability.server";
import { prisma } from "~/db/db.server";
import { logger } from "~/observability/logger.server";
import { liveContent } from "./generation.server";
import { renderPartialReply } from "./reply-html.server";
import { isGeneratingHere, subscribe, type StreamEvent } from "./stream-bus.server";

/** How often a reply written by another process is re-read from the database. */
const POLL_INTERVAL_MS = 300;
const KEEPALIVE_MS = 15_000;
/** At most this often the text so far is rendered to HTML and sent (`html` frames). */
const RENDER_INTERVAL_MS = 120;

const log = logger.child({ domain: "chat" });

export type ReplyStreamFrame =
  | { event: "snapshot"; data: { content: string; status: string } }
  | { event: "token"; data: { text: string } }
  | { event: "html"; data: { html: string } }
  | { event: "done"; data: { status: string } };

function frame(message: ReplyStreamFrame): string {
  return `event: ${message.event}\ndata: ${JSON.stringify(message.data)}\n\n`;
}

/**
 * Follows one reply as Server-Sent Events: first everything written so far (so a reload mid-stream
 * shows the text and keeps following), then each new piece, then `done`. Same-process replies come
 * from memory as they are generated; others are followed through the database.
 */
export function replyEventStream(
  messageId: string,
  signal: AbortSignal,
  options: {
    /**
     * Calls back when the reader's session no longer stands (any process may revoke it); returns an
     * unwatch. The stream then ends.
     */
    watchAuthorisation?: (onRevoked: () => void) => () => void;
  } = {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  let unwatch = () => {};
  // Set by close() and by the reader cancelling: nothing is enqueued after either (a render timer that
  // fired after a cancel would otherwise throw from enqueue, outside any request).
  let closed = false;
  let renderTimer: NodeJS.Timeout | undefined;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      // Besides the raw text, the page gets the text so far rendered by the server, throttled: the same
      // sanitising renderer as the finished reply, so a reply never shows raw Markdown while it streams.
      let content = "";
      let rendered = "";
      const enqueue = (message: ReplyStreamFrame | string) =>
        controller.enqueue(encoder.encode(typeof message === "string" ? message : frame(message)));
      const flushRender = () => {
        clearTimeout(renderTimer);
        renderTimer = undefined;
        if (closed || content === rendered) return;
        rendered = content;
        enqueue({ event: "html", data: { html: renderPartialReply(content) } });
      };
      /** `done` with the finished reply's HTML (its writer rendered it): shown as is, not rendered again. */
      const showFinished = (html: string) => {
        clearTimeout(renderTimer);
        renderTimer = undefined;
        if (closed || content === rendered) return;
        rendered = content;
        enqueue({ event: "html", data: { html } });
      };
      const send = (message: ReplyStreamFrame | string, finishedHtml?: string) => {
        if (closed) return;
        if (typeof message !== "string" && message.event === "done") {
          if (finishedHtml === undefined) flushRender();
          else showFinished(finishedHtml);
        }
        enqueue(message);
        if (typeof message === "string") return;
        if (message.event === "snapshot") {
          content = message.data.content;
          flushRender();
        } else if (message.event === "token") {
          content += message.data.text;
          renderTimer ??= setTimeout(flushRender, RENDER_INTERVAL_MS);
        }
      };
      const close = () => {
        if (closed) return;
        clearTimeout(renderTimer);
        closed = true;
        unwatch();
        cleanup();
        controller.close();
      };
      signal.addEventListener("abort", close, { once: true });
      if (options.watchAuthorisation) unwatch = options.watchAuthorisation(close);
      const keepalive = setInterval(() => send(": keepalive\n\n"), KEEPALIVE_MS);

      if (isGeneratingHere(messageId)) {
        // Subscribe and snapshot in the same tick: no token can fall between them.
        const unsubscribe = subscribe(messageId, (event: StreamEvent) => {
          if (event.type === "token") send({ event: "token", data: { text: event.text } });
          else {
            send({ event: "done", data: { status: event.status } }, event.html);
            close();
          }
        });
        cleanup = () => {
          unsubscribe();
          clearInterval(keepalive);
        };
        const content = liveContent(messageId);
        if (content !== undefined) {
          send({ event: "snapshot", data: { content, status: "streaming" } });
          return;
        }
        // Finished between the check and now: fall through to the database.
        unsubscribe();
      }

      let sent = 0;
      let first = true;
      let failures = 0;
      const poll = async () => {
        let row: { content: string; status: string } | null;
        try {
          row = await prisma.message.findUnique({
            where: { id: messageId },
            select: { content: true, status: true },
          });
        } catch (error) {
          if (!isDatabaseUnavailable(error)) throw error;
          // The database is unreachable: keep the stream open and ask again; the reply is settled — and
          // `done` sent — once the database answers.
          if (failures === 0)
            log.warn({ messageId, error: describeError(error) }, "following a reply: database unavailable");
          failures++;
          if (closed) return;
          pollIn(Math.min(POLL_INTERVAL_MS * 2 ** failures, 2_000));
          return;
        }
        failures = 0;
        if (closed) return;
        if (!row) return close();
        if (first) {
          send({ event: "snapshot", data: { content: row.content, status: row.status } });
          first = false;
        } else if (row.content.length > sent) {
          send({ event: "token", data: { text: row.content.slice(sent) } });
        }
        sent = row.content.length;
        if (row.status !== "streaming") {
          send({ event: "done", data: { status: row.status } });
          return close();
        }
        pollIn(POLL_INTERVAL_MS);
      };
      let timer: NodeJS.Timeout | undefined;
      const pollIn = (delayMs: number) => {
        timer = setTimeout(() => {
          poll().catch((error: unknown) => {
            log.error({ err: error, messageId }, "following a reply failed");
            close();
          });
        }, delayMs);
      };
      cleanup = () => {
        clearTimeout(timer);
        clearInterval(keepalive);
      };
      try {
        await poll();
      } catch (error) {
        // The stream errors with it; nothing may be enqueued afterwards (the keepalive would throw
        // from its timer every 15 s, outside any request).
        closed = true;
        unwatch();
        cleanup();
        throw error;
      }
    },
    cancel() {
      closed = true;
      clearTimeout(renderTimer);
      unwatch();
      cleanup();
    },
  });
}

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-store",
  Connection: "keep-alive",
  // Tells nginx-style proxies not to buffer the stream.
  "X-Accel-Buffering": "no",
};
