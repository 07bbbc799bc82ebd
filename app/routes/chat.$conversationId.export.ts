import type { LoaderFunctionArgs } from "@remix-run/node";
import { create as contentDisposition } from "content-disposition";
import { requireUser } from "~/auth/guards.server";
import { ConversationNotFoundError } from "~/chat/conversations.server";
import { EXPORT_FORMATS, type ExportFormat, exportConversation, messageSource } from "~/chat/export.server";
import { errorPageHtml } from "~/http/error-html.server";

const isExportFormat = (value: string): value is ExportFormat => (EXPORT_FORMATS as readonly string[]).includes(value);

// GET /chat/:conversationId/export?format=md|json — a download of the whole conversation (md without a format).
// GET /chat/:conversationId/export?format=md&message=<id> — one message's Markdown (its Copy button).
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const query = new URL(request.url).searchParams;
  const format = query.get("format") ?? "md";
  // An unknown format is said, not answered with Markdown the person did not ask for.
  if (!isExportFormat(format)) {
    return new Response(
      errorPageHtml(
        400,
        "Unknown export format",
        `A conversation exports as ${EXPORT_FORMATS.join(" or ")} (?format=md for Markdown, ?format=json for JSON).`,
        context.requestId,
      ),
      { status: 400, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } },
    );
  }
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
        // filename* (RFC 8187) carries the name in any script; filename, its ASCII form, is for the rest.
        "Content-Disposition": contentDisposition(file.fileName, { fallback: file.asciiFileName }),
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    if (error instanceof ConversationNotFoundError) throw new Response("Not found", { status: 404 });
    throw error;
  }
}
