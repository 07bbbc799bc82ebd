import { formatDateTime } from "~/accounts/time-zone";
import { ConversationNotFoundError } from "~/chat/conversations.server";
import { previewNextPrompt } from "~/chat/prompt-preview.server";
import { DROP_ORDER, SECTION_TITLES, type AssembledSection } from "~/chat/prompt.server";
import { countTokens } from "~/llm/router.server";
import { conversationReplyPrompts } from "./reply-prompts.server";

/** Token counts are computed when the page is viewed: the send path stores text only. */
function withTokens(sections: AssembledSection[]) {
  return sections.map((section) => ({ ...section, tokens: countTokens(section.text) }));
}

/**
 * /chat/<id>/prompt: what was sent for a reply (the newest, or `replyId`) and what would be sent next,
 * section by section, its time in the person's zone. null when the conversation or the reply is not mine.
 */
export async function promptPage(
  user: { id: string; timeZone: string },
  conversationId: string,
  replyId: string | null,
) {
  const userId = user.id;
  let next;
  try {
    next = await previewNextPrompt(userId, conversationId);
  } catch (error) {
    if (error instanceof ConversationNotFoundError) return null;
    throw error;
  }
  const stored = await conversationReplyPrompts(userId, conversationId);
  const sent = replyId ? stored.find((prompt) => prompt.messageId === replyId) : stored[0];
  if (replyId && !sent) return null;
  return {
    dropOrder: DROP_ORDER.map((name) => SECTION_TITLES[name].toLowerCase()).join(", then "),
    conversationId,
    replies: stored.map((prompt) => ({ messageId: prompt.messageId, createdAt: prompt.createdAt.toISOString() })),
    sent: sent
      ? {
          messageId: sent.messageId,
          createdAt: sent.createdAt.toISOString(),
          sentAt: formatDateTime(sent.createdAt, user.timeZone),
          sections: withTokens(sent.sections),
          memories: sent.memories,
        }
      : null,
    next: { sections: withTokens(next.sections), memories: next.memories },
  };
}
