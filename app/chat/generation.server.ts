import { prisma } from "~/db/db.server";
import { LlmStreamInterruptedError, LlmUnavailableError } from "~/llm/errors";
import { contextWindow, countTokens, streamChat } from "~/llm/router.server";
import { PROVIDER_LABELS, type StreamResult } from "~/llm/types";
import { storeReplyPrompt } from "~/memory/reply-prompts.server";
import { logger } from "~/observability/logger.server";
import { autoTitle } from "./conversations.server";
import { loadPromptContext, type PromptContext } from "./prompt-context.server";
import { buildPrompt } from "./prompt.server";
import { modelForReply } from "./settings.server";
import { publish, trackGeneration } from "./stream-bus.server";
import { recordUsage } from "./usage.server";

/** How often a growing reply is written to the database (and a cross-process Stop is noticed). */
const PERSIST_INTERVAL_MS = 250;
/** Tokens kept free for the reply when the person has not set a maximum. */
const DEFAULT_REPLY_TOKENS = 1024;

const log = logger.child({ domain: "chat" });

type LiveReply = { content: string };
const globalForReplies = globalThis as typeof globalThis & { __aresLiveReplies?: Map<string, LiveReply> };
const liveReplies = (globalForReplies.__aresLiveReplies ??= new Map());

/** The text generated so far for a reply being written in this process (ahead of the database). */
export function liveContent(messageId: string): string | undefined {
  return liveReplies.get(messageId)?.content;
}

/**
 * Starts writing the reply in the background and returns at once: the request that asked for it does
 * not wait. Progress goes to the database (throttled) and to same-process subscribers immediately.
 */
export type ReplyTarget = { messageId: string; userId: string; conversationId: string };

export function startGeneration(
  { messageId: assistantMessageId, userId, conversationId }: ReplyTarget,
  /** Read while storing the message, when the caller has it; otherwise loaded here. */
  context?: PromptContext,
): Promise<void> {
  const controller = new AbortController();
  // Registered before the first await, so a subscriber arriving now already follows from memory.
  const live: LiveReply = { content: "" };
  liveReplies.set(assistantMessageId, live);
  const done = generate({ messageId: assistantMessageId, userId, conversationId }, context, controller, live).catch(
    (error: unknown) => {
      log.error({ err: error, messageId: assistantMessageId }, "generation failed unexpectedly");
      return failReply(assistantMessageId, "Something went wrong while writing this reply. Use Retry to try again.");
    },
  );
  trackGeneration(assistantMessageId, controller, done);
  return done;
}

async function failReply(messageId: string, content: string): Promise<void> {
  liveReplies.delete(messageId);
  await prisma.message.updateMany({
    where: { id: messageId, status: "streaming" },
    data: { role: "error", status: "error", content },
  });
  publish(messageId, { type: "done", status: "error" });
}

async function generate(
  target: ReplyTarget,
  preloaded: PromptContext | undefined,
  controller: AbortController,
  live: LiveReply,
): Promise<void> {
  const { messageId } = target;
  const { conversation, preferences, memory, history, newMessage, isFirstExchange } =
    preloaded ?? (await loadPromptContext(target.userId, target.conversationId, messageId));
  const { provider: preferred, model } = modelForReply(conversation, preferences);
  const replyTokens = preferences.maxTokens ?? DEFAULT_REPLY_TOKENS;
  const prompt = buildPrompt({
    systemPrompt: preferences.systemPrompt,
    memory,
    working: {
      now: new Date(),
      timeZone: memory?.timeZone ?? "UTC",
      provider: PROVIDER_LABELS[preferred],
      model,
      conversationTitle: conversation.title,
    },
    history,
    newMessage,
    contextWindow: await contextWindow(preferred, model),
    replyTokens,
    countTokens,
  });
  const { turns } = prompt;
  // Written once the model has answered: /chat/<id>/prompt reads it, and no token waits for it (storing a
  // prompt with hundreds of memories costs Prisma milliseconds of CPU that would delay the stream).
  let promptStored: Promise<void> | undefined;
  const storePrompt = (): Promise<void> =>
    (promptStored ??= storeReplyPrompt(messageId, target.userId, prompt).catch((error: unknown) => {
      log.error({ err: error, messageId }, "could not store the reply's prompt");
    }));

  let persisted = 0;
  let lastPersistAt = Date.now();
  let persisting: Promise<void> = Promise.resolve();
  const persist = () => {
    const content = live.content;
    persisting = persisting.then(async () => {
      if (content.length === persisted) return;
      const [row] = await prisma.message.updateManyAndReturn({
        where: { id: messageId, status: "streaming" },
        data: { content },
        select: { stopRequestedAt: true },
      });
      persisted = content.length;
      // Stop pressed in another process: it can only tell us through the row.
      if (row?.stopRequestedAt) controller.abort();
    });
  };

  let result: StreamResult | undefined;
  let outcome: { status: "complete" | "aborted" | "error"; note?: string } = { status: "complete" };
  try {
    result = await streamChat({
      preferred,
      model,
      messages: turns,
      params: {
        temperature: preferences.temperature ?? undefined,
        topP: preferences.topP ?? undefined,
        maxTokens: preferences.maxTokens ?? undefined,
      },
      signal: controller.signal,
      onToken: (text) => {
        live.content += text;
        publish(messageId, { type: "token", text });
        if (Date.now() - lastPersistAt >= PERSIST_INTERVAL_MS) {
          lastPersistAt = Date.now();
          persist();
        }
      },
    });
    if (result.finish === "aborted") outcome = { status: "aborted" };
  } catch (error) {
    await storePrompt();
    if (error instanceof LlmUnavailableError) {
      await persisting;
      return failReply(messageId, error.message);
    }
    if (!(error instanceof LlmStreamInterruptedError)) throw error;
    outcome = { status: "error", note: error.message };
    result = undefined;
    log.warn(
      { messageId, provider: error.provider, model: error.model, reason: error.failure.reason },
      "reply cut short",
    );
    await finish(messageId, live.content, outcome, { provider: error.provider, model: error.model }, persisting);
    return;
  }
  // Sending titles a conversation as it stores the first message; an edited first message is resent
  // without that statement, so it re-titles here — before `done`, on which readers reload the page.
  await storePrompt();
  if (isFirstExchange && !preloaded) await autoTitle(target.conversationId, newMessage);
  await recordUsage(target.userId, result.provider, result.model, result.usage);
  await finish(messageId, live.content, outcome, result, persisting);
}

async function finish(
  messageId: string,
  content: string,
  outcome: { status: "complete" | "aborted" | "error"; note?: string },
  source: Pick<StreamResult, "provider" | "model"> & Partial<StreamResult>,
  persisting: Promise<void>,
): Promise<void> {
  await persisting;
  await prisma.message.update({
    where: { id: messageId },
    data: {
      content,
      status: outcome.status,
      provider: source.provider,
      model: source.model,
      fallbackFrom: source.fallbackFrom ?? null,
      promptTokens: source.usage?.promptTokens ?? null,
      completionTokens: source.usage?.completionTokens ?? null,
      cost: source.usage?.cost ?? null,
      latencyMs: source.latencyMs ?? null,
    },
  });
  liveReplies.delete(messageId);
  publish(messageId, { type: "done", status: outcome.status });
}
