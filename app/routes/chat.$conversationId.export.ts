import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { ConversationNotFoundError } from "~/chat/conversations.server";
import { exportConversation } from "~/chat/export.server";

// GET /chat/:conversationId/export?format=md|json — a download of the whole conversation.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const format = new URL(request.url).searchParams.get("format") === "json" ? "json" : "md";
  try {
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
