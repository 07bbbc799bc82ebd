import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { findOwnMessage } from "~/chat/messages.server";
import { replyEventStream, SSE_HEADERS } from "~/chat/sse.server";
import { watchSession } from "~/sessions/session-watch.server";

// GET /chat/:conversationId/stream?message=<id> — follows one reply as Server-Sent Events.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const messageId = new URL(request.url).searchParams.get("message") ?? "";
  const message = messageId ? await findOwnMessage(user.id, messageId) : null;
  // Someone else's reply looks exactly like one that does not exist.
  if (!message || message.conversationId !== params.conversationId) throw new Response("Not found", { status: 404 });
  const sessionId = context.auth.session!.id;
  // Revoking the session (from any process) ends the stream too.
  const stream = replyEventStream(message.id, request.signal, {
    watchAuthorisation: (onRevoked) => watchSession(sessionId, onRevoked),
  });
  return new Response(stream, { headers: SSE_HEADERS });
}
