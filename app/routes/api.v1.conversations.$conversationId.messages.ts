import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { decodeCreatedAtCursor, encodeCreatedAtCursor } from "~/validation/cursor";
import { problem } from "~/http/problem.server";
import { sendMessageRequestSchema } from "~/chat/api-schemas";
import {
  invalidProblem,
  messageJson,
  notFoundProblem,
  pageCursor,
  quotaProblem,
  readJson,
  requireApiUser,
} from "~/api/chat.server";
import { sendMessage } from "~/chat/chat.server";
import { ConversationNotFoundError, getConversation } from "~/chat/conversations.server";
import { listMessages } from "~/chat/messages.server";
import { replyEventStream, SSE_HEADERS } from "~/chat/sse.server";
import { watchSession } from "~/sessions/session-watch.server";
import { DEVELOPER_WORDING } from "~/validation/messages";

async function ownConversation(userId: string, conversationId: string | undefined) {
  try {
    return await getConversation(userId, conversationId ?? "");
  } catch (error) {
    if (error instanceof ConversationNotFoundError) throw notFoundProblem();
    throw error;
  }
}

// GET /api/v1/conversations/:id/messages — a page of messages, oldest first (?before= pages back).
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = requireApiUser(context);
  const conversation = await ownConversation(user.id, params.conversationId);
  const { messages, earlier } = await listMessages(
    conversation.id,
    pageCursor("before", new URL(request.url).searchParams.get("before"), decodeCreatedAtCursor),
  );
  return Response.json({
    messages: messages.map(messageJson),
    earlier: earlier ? encodeCreatedAtCursor(earlier) : null,
  });
}

// POST /api/v1/conversations/:id/messages — send; with Accept: text/event-stream the reply streams back.
export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = requireApiUser(context);
  if (request.method !== "POST") throw problem(405, "method_not_allowed", "Use GET or POST");
  const body = await readJson(request);
  const parsed = sendMessageRequestSchema.safeParse(body, DEVELOPER_WORDING);
  if (!parsed.success) {
    // A conversation that is not this user's is a 404 whatever was sent, as with a valid body.
    await ownConversation(user.id, params.conversationId);
    throw invalidProblem(parsed.error.issues);
  }
  const conversationId = params.conversationId ?? "";
  // No separate ownership query: sending writes nothing unless the conversation is this user's.
  const outcome = await sendMessage(user.id, conversationId, parsed.data.content).catch((error: unknown) => {
    if (error instanceof ConversationNotFoundError) throw notFoundProblem();
    throw error;
  });
  if (!outcome.ok) throw quotaProblem(outcome.refusal);
  const { userMessageId, assistantMessageId } = outcome.ids;
  if (request.headers.get("accept")?.includes("text/event-stream")) {
    const sessionId = context.auth.session!.id;
    const stream = replyEventStream(assistantMessageId, request.signal, {
      watchAuthorisation: (onRevoked) => watchSession(sessionId, onRevoked),
    });
    return new Response(stream, { headers: SSE_HEADERS });
  }
  return Response.json(
    { userMessageId, assistantMessageId, streamUrl: `/chat/${conversationId}/stream?message=${assistantMessageId}` },
    { status: 202 },
  );
}
