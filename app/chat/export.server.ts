import { prisma } from "~/db/db.server";
import type { Prisma } from "~/generated/prisma/client";
import { markdownText } from "~/text/markdown-text";
import type { CreatedAtCursor } from "~/validation/cursor";
import { ConversationNotFoundError, getConversation } from "./conversations.server";
import { messageView } from "./messages.server";
import { replyHtml } from "./reply-html.server";

const ROLE_HEADINGS = { user: "You", assistant: "ARES", system: "System", error: "Error" } as const;

/** The formats a conversation exports to (?format=…). */
export const EXPORT_FORMATS = ["md", "json"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * The download's name from the title, in its own script ("Привет" → привет.md): letters and digits of
 * any script kept, the rest (slashes, quotes, spaces, controls) made "-".
 */
function fileName(title: string, extension: string): string {
  const slug = title
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, "-")
    .replace(/^-|-$/g, "");
  // Cut by code points, not UTF-16 units, so no half of a character is left at the end.
  const cut = Array.from(slug).slice(0, 60).join("").replace(/-$/, "");
  return `${cut || "conversation"}.${extension}`;
}

/** The same name in ASCII, for the browsers that read only Content-Disposition's plain `filename`. */
function asciiFileName(title: string, extension: string): string {
  const slug = title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60)
    .replace(/-$/, "");
  return `${slug || "conversation"}.${extension}`;
}

const exportedColumns = { ...messageView, html: true, htmlVersion: true } satisfies Prisma.MessageSelect;
type ExportedMessage = Prisma.MessageGetPayload<{ select: typeof exportedColumns }>;

/** Every message of a conversation's thread (the chosen version of each reply), oldest first, in keyset batches. */
async function* allMessages(conversationId: string, batchSize = 500): AsyncGenerator<ExportedMessage> {
  let after: CreatedAtCursor | null = null;
  for (;;) {
    const batch: ExportedMessage[] = await prisma.message.findMany({
      where: {
        conversationId,
        selected: true,
        ...(after
          ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }
          : {}),
      },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: batchSize,
      select: exportedColumns,
    });
    yield* batch;
    if (batch.length < batchSize) return;
    const last = batch.at(-1)!;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

/**
 * One conversation as a downloadable Markdown or JSON document (streamed message by message). The JSON
 * carries each reply's HTML as the page shows it (stored when the reply finished: replyHtml).
 */
export async function exportConversation(userId: string, conversationId: string, format: ExportFormat) {
  const conversation = await getConversation(userId, conversationId);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (text: string) => controller.enqueue(encoder.encode(text));
      if (format === "md") {
        // The title and the model's name are plain text in the headings (a title `<img …>` or
        // `[x](javascript:…)` is that text, not markup); each message is Markdown, as written.
        write(`# ${markdownText(conversation.title)}\n\n_Exported from ARES on ${new Date().toISOString()}_\n`);
        for await (const message of allMessages(conversation.id)) {
          const by = message.provider ? ` (${markdownText(`${message.provider} · ${message.model}`)})` : "";
          write(
            `\n## ${ROLE_HEADINGS[message.role]}${by} — ${message.createdAt.toISOString()}\n\n${message.content}\n`,
          );
        }
      } else {
        const { id, title, createdAt } = conversation;
        write(`{"conversation":${JSON.stringify({ id, title, createdAt })},"messages":[`);
        let first = true;
        for await (const message of allMessages(conversation.id)) {
          const { html: _stored, htmlVersion: _version, ...fields } = message;
          write(`${first ? "" : ","}${JSON.stringify({ ...fields, html: replyHtml(message) })}`);
          first = false;
        }
        write("]}\n");
      }
      controller.close();
    },
  });
  return {
    body,
    contentType: format === "md" ? "text/markdown; charset=utf-8" : "application/json; charset=utf-8",
    fileName: fileName(conversation.title, format),
    asciiFileName: asciiFileName(conversation.title, format),
  };
}

/**
 * One message's Markdown source, for its Copy button: the page carries a reply's HTML only, so the text
 * is fetched when it is copied. Another person's message is not found, as their conversation is not.
 */
export async function messageSource(userId: string, conversationId: string, messageId: string): Promise<string> {
  const message = await prisma.message.findFirst({
    where: { id: messageId, conversationId, conversation: { userId } },
    select: { content: true },
  });
  if (!message) throw new ConversationNotFoundError();
  return message.content;
}
