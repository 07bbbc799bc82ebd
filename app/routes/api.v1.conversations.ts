import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { decodeConversationCursor, encodeConversationCursor } from "~/validation/cursor";
import { problem } from "~/http/problem.server";
import { createConversationRequestSchema } from "~/chat/api-schemas";
import { invalidProblem, pageCursor, readJson, requireApiUser } from "~/api/chat.server";
import { createConversation, listConversations } from "~/chat/conversations.server";
import { DEVELOPER_WORDING } from "~/validation/messages";

// GET /api/v1/conversations — my conversations, pinned first, newest first (?after= pages on).
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = requireApiUser(context);
  const { conversations, next } = await listConversations(
    user.id,
    pageCursor("after", new URL(request.url).searchParams.get("after"), decodeConversationCursor),
  );
  return Response.json({
    conversations: conversations.map((conversation) => ({
      ...conversation,
      lastMessageAt: conversation.lastMessageAt.toISOString(),
    })),
    next: next ? encodeConversationCursor(next) : null,
  });
}

// POST /api/v1/conversations — a new, empty conversation.
export async function action({ request, context }: ActionFunctionArgs) {
  const user = requireApiUser(context);
  if (request.method !== "POST") throw problem(405, "method_not_allowed", "Use GET or POST");
  const parsed = createConversationRequestSchema.safeParse(await readJson(request), DEVELOPER_WORDING);
  if (!parsed.success) throw invalidProblem(parsed.error.issues);
  const created = await createConversation(user.id, { title: parsed.data.title });
  return Response.json(
    { ...created, lastMessageAt: created.lastMessageAt.toISOString() },
    { status: 201, headers: { Location: `/api/v1/conversations/${created.id}/messages` } },
  );
}
