import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { ConversationNotFoundError } from "~/chat/conversations.server";
import { exportConversation, messageSource } from "~/chat/export.server";

// GET /chat/:conversationId/export?format=md|json — a download of the whole conversation.
// GET /chat/:conversationId/export?format=md&message=<id> — one message's Markdown (its Copy button).
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const query = new URL(request.url).searchParams;
  const format = query.get("format") === "json" ? "json" : "md";
  const messageId = query.get("message");
  try {
    if (messageId !== null && format === "md") {
      const source = await messageSource(user.id, params.conversationId ?? "", messageId);
      return new Response(source, {
        headers: { "Content-Type": "text/markdown; charset=utf-8", "Cache-Control": "no-store" },
      });
    }
    const file = await exportConversation(user.id, params.conversationId ?? "", format);
    return new Response(file.body, {
      headers: {
        "Content-Type": file.contentType,
        "Content-Disposition": `attachment; filename="${file.fileName}"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    if (error instanceof ConversationNotFoundError) throw new Response("Not found", { status: 404 });
    throw error;
  }
}
