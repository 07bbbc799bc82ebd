import { getConversation } from "./conversations.server";
import { allMessages } from "./messages.server";

const ROLE_HEADINGS = { user: "You", assistant: "ARES", system: "System", error: "Error" } as const;

function fileName(title: string, extension: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
  return `${slug || "conversation"}.${extension}`;
}

/** One conversation as a downloadable Markdown or JSON document (streamed message by message). */
export async function exportConversation(userId: string, conversationId: string, format: "md" | "json") {
  const conversation = await getConversation(userId, conversationId);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (text: string) => controller.enqueue(encoder.encode(text));
      if (format === "md") {
        write(`# ${conversation.title}\n\n_Exported from ARES on ${new Date().toISOString()}_\n`);
        for await (const message of allMessages(conversation.id)) {
          const by = message.provider ? ` (${message.provider} · ${message.model})` : "";
          write(
            `\n## ${ROLE_HEADINGS[message.role]}${by} — ${message.createdAt.toISOString()}\n\n${message.content}\n`,
          );
        }
      } else {
        const { id, title, createdAt } = conversation;
        write(`{"conversation":${JSON.stringify({ id, title, createdAt })},"messages":[`);
        let first = true;
        for await (const message of allMessages(conversation.id)) {
          write(`${first ? "" : ","}${JSON.stringify(message)}`);
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
  };
}
