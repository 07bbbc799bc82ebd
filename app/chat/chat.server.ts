import { isDatabaseUnavailable } from "~/db/availability.server";
import { createConversation } from "./conversations.server";
import { startGeneration } from "./generation.server";
import { redoLastReply, requestStop, type ExchangeIds, type Redo } from "./messages.server";
import { checkChatQuota, type QuotaDecision } from "./quota.server";
import { exchangeWasStored, startExchange } from "./send.server";
import { abortLocalGeneration } from "./stream-bus.server";

export type Refusal = Extract<QuotaDecision, { allowed: false }>;
export type SendOutcome = { ok: true; ids: ExchangeIds; conversationId: string } | { ok: false; refusal: Refusal };

/**
 * Sends a message and starts the reply in the background, within the person's quota. The reply's
 * provider request starts while the message is committed; the send answers once it is durable.
 */
export async function sendMessage(userId: string, conversationId: string, content: string): Promise<SendOutcome> {
  const started = await startExchange(userId, conversationId, content);
  if (!started.ok) return started;
  const target = { messageId: started.ids.assistantMessageId, userId, conversationId };
  void startGeneration(target, started.context, started.committed);
  try {
    await started.committed;
  } catch (error) {
    // The connection broke during COMMIT, which may have been applied: if the message is stored, the
    // send succeeded (its reply is settled as failed and offers Retry). Asking the person to send it
    // again would store it twice.
    if (!isDatabaseUnavailable(error) || !(await exchangeWasStored(started.ids))) throw error;
  }
  return { ok: true, ids: started.ids, conversationId };
}

/** Starts a new conversation with its first message (checked against the quota before creating it). */
export async function startConversation(userId: string, content: string): Promise<SendOutcome> {
  const quota = await checkChatQuota(userId);
  if (!quota.allowed) return { ok: false, refusal: quota };
  const { id } = await createConversation(userId);
  return sendMessage(userId, id, content);
}

/** Retry after an error, regenerate the last reply (keeping the earlier one as a version), or resend an edited last message. */
export async function redoReply(userId: string, conversationId: string, redo: Redo): Promise<SendOutcome> {
  const quota = await checkChatQuota(userId);
  if (!quota.allowed) return { ok: false, refusal: quota };
  const ids = await redoLastReply(userId, conversationId, redo);
  void startGeneration({ messageId: ids.assistantMessageId, userId, conversationId });
  return { ok: true, ids, conversationId };
}

/** Stops a reply: at once when it is being written in this process, else at its next write. */
export async function stopReply(userId: string, messageId: string): Promise<boolean> {
  const stopped = await requestStop(userId, messageId);
  if (stopped) abortLocalGeneration(messageId);
  return stopped;
}

/** Regenerated replies: which version the thread shows (and later prompts see). */
export { selectVersion, VersionNotFoundError } from "./messages.server";
