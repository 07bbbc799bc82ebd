import { remember } from "@epic-web/remember";
import { describeError, isDatabaseUnavailable, isForeignKeyViolation } from "~/db/availability.server";
import { prisma } from "~/db/db.server";
import { LlmStreamInterruptedError, LlmUnavailableError } from "~/llm/errors";
import { contextWindow, countTokens, streamChat } from "~/llm/router.server";
import { PROVIDER_LABELS, type LlmUsage, type StreamResult } from "~/llm/types";
import { scheduleIdleSummary } from "~/memory/idle-summary.server";
import { storeReplyPrompt } from "~/memory/reply-prompts.server";
import { reportFailure } from "~/observability/error-reporting.server";
import { logger } from "~/observability/logger.server";
import { upcomingLines } from "~/calendar/prompt-block.server";
import { CALENDAR_TOOLS, CALENDAR_TOOLS_TOKENS, runCalendarTool } from "~/calendar/tools.server";
import { config } from "~/config/env.server";
import { streamChatWithTools } from "~/llm/tool-loop.server";
import { autoTitle } from "./conversations.server";
import { storeFinishedReply } from "./finished-replies.server";
import { loadPromptContext, type PromptContext } from "./prompt-context.server";
import { writeAsItGrows } from "./growing-replies.server";
import { isRowGone } from "./missing-reply.server";
import { storableText } from "./model-text";
import { buildPrompt, type AssembledPrompt } from "./prompt.server";
import { storedReplyHtml } from "./reply-html.server";
import { modelForReply } from "./settings.server";
import { publish, trackGeneration } from "./stream-bus.server";
import { recordUsage } from "./usage.server";

/** Model requests per reply when it calls tools: enough to look something up and then propose a change. */
const MAX_TOOL_ROUNDS = 4;

/** Tokens kept free for the reply when the person has not set a maximum. */
const DEFAULT_REPLY_TOKENS = 1024;

const log = logger.child({ domain: "chat" });

/** How long a finished reply's last write is retried while the database is unreachable. */
const FINAL_WRITE_RETRY_MS = 10 * 60_000;
const FINAL_WRITE_BACKOFF_MS = [250, 500, 1_000, 2_000];

/**
 * A write that settles a reply must land, or the reply stays `streaming`: while the database is
 * unreachable it is retried (backing off to every 2 s) until the database is back. Other errors, or an
 * outage longer than FINAL_WRITE_RETRY_MS, are thrown; the reply is then settled by the orphan sweep.
 */
async function writeWhenAvailable(messageId: string, write: () => Promise<unknown>): Promise<void> {
  const giveUpAt = Date.now() + FINAL_WRITE_RETRY_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await write();
      if (attempt > 0) log.info({ messageId, attempts: attempt + 1 }, "reply stored after the database came back");
      return;
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() > giveUpAt) throw error;
      if (attempt === 0)
        log.warn({ messageId, error: describeError(error) }, "database unavailable; retrying the reply's write");
      const delay = FINAL_WRITE_BACKOFF_MS[Math.min(attempt, FINAL_WRITE_BACKOFF_MS.length - 1)]!;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

const UNAVAILABLE_EXPLANATION =
  "This reply could not be written because the database was unavailable. Use Retry to try again.";

type LiveReply = { content: string };
const liveReplies = remember("ares-live-replies", () => new Map<string, LiveReply>());

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
  /**
   * When the reply's row is still being committed: the provider request starts at once, and nothing is
   * written (nor a tool run) until this resolves. If it rejects, the reply is dropped; where the
   * connection broke during COMMIT (which may have been applied), its row is settled if it exists.
   */
  committed?: Promise<void>,
): Promise<void> {
  const controller = new AbortController();
  // Registered before the first await, so a subscriber arriving now already follows from memory.
  const live: LiveReply = { content: "" };
  liveReplies.set(assistantMessageId, live);
  // The generation owns every failure inside it: `done` never rejects, and followers always get `done`.
  const done = generate({ messageId: assistantMessageId, userId, conversationId }, context, controller, live, committed)
    .catch(async (error: unknown) => {
      // Failed before the reply's row was committed: marking it failed now would change nothing (the row
      // is not visible yet) and leave it `streaming`. A commit that fails is the send's to answer for.
      await committed?.catch(() => undefined);
      const unavailable = isDatabaseUnavailable(error);
      if (unavailable)
        log.warn({ messageId: assistantMessageId, error: describeError(error) }, "reply failed: database unavailable");
      else {
        log.error({ err: error, messageId: assistantMessageId }, "generation failed unexpectedly");
        // A database outage is expected state (the reply says so); this is a fault. Ids only, never the text.
        reportFailure(error, {
          source: "generation",
          userId,
          tags: { message_id: assistantMessageId, conversation_id: conversationId },
        });
      }
      return failReply(
        assistantMessageId,
        unavailable
          ? UNAVAILABLE_EXPLANATION
          : "Something went wrong while writing this reply. Use Retry to try again.",
      );
    })
    .catch((error: unknown) => {
      // Not even the failure could be recorded: the reply stays `streaming` until the orphan sweep settles it.
      log.error({ messageId: assistantMessageId, error: describeError(error) }, "could not record a failed reply");
      liveReplies.delete(assistantMessageId);
      publish(assistantMessageId, { type: "done", status: "error" });
    });
  trackGeneration(assistantMessageId, controller, done);
  return done;
}

async function failReply(messageId: string, explanation: string): Promise<void> {
  // Text the model already wrote is kept (an incomplete reply); with none, the reply explains the failure.
  const partial = liveReplies.get(messageId)?.content ?? "";
  liveReplies.delete(messageId);
  // A kept partial reply is shown formatted like any other: its HTML is stored with it.
  const data = partial
    ? { status: "error" as const, content: partial, ...storedReplyHtml(partial) }
    : { role: "error" as const, status: "error" as const, content: explanation };
  try {
    await writeWhenAvailable(messageId, () =>
      prisma.message.updateMany({ where: { id: messageId, status: "streaming" }, data }),
    );
  } finally {
    publish(messageId, { type: "done", status: "error", ...("html" in data ? { html: data.html } : {}) });
  }
}

async function generate(
  target: ReplyTarget,
  preloaded: PromptContext | undefined,
  controller: AbortController,
  live: LiveReply,
  committed: Promise<void> = Promise.resolve(),
): Promise<void> {
  const { messageId } = target;
  const { conversation, preferences, memory, history, calendar, newMessage, isFirstExchange } =
    preloaded ?? (await loadPromptContext(target.userId, target.conversationId, messageId));
  const now = new Date();
  const timeZone = memory?.timeZone ?? "UTC";
  const { provider: preferred, model } = modelForReply(conversation, preferences);
  const replyTokens = preferences.maxTokens ?? DEFAULT_REPLY_TOKENS;
  const prompt = buildPrompt({
    systemPrompt: preferences.systemPrompt,
    memory,
    working: {
      now,
      timeZone,
      provider: PROVIDER_LABELS[preferred],
      model,
      conversationTitle: conversation.title,
      calendar: upcomingLines(calendar, timeZone, now),
    },
    history,
    newMessage,
    // The tool definitions travel with the prompt: their share of the context is not the prompt's.
    contextWindow: (await contextWindow(preferred, model)) - (config().llmTools ? CALENDAR_TOOLS_TOKENS : 0),
    replyTokens,
    countTokens,
  });
  const { turns } = prompt;
  // Written once the model has answered (/chat/<id>/prompt reads it), so no token waits for it: with the
  // reply's final statement (finished-replies.server.ts), or on its own when the reply fails.
  let promptStored: Promise<void> | undefined;
  const storePrompt = (): Promise<void> =>
    (promptStored ??= storeReplyPrompt(messageId, target.userId, prompt).catch((error: unknown) => {
      if (isRowGone(error)) log.info({ messageId }, "reply deleted while written; its prompt is not stored");
      else log.error({ err: error, messageId }, "could not store the reply's prompt");
    }));

  const request = {
    preferred,
    model,
    messages: turns,
    params: {
      temperature: preferences.temperature ?? undefined,
      topP: preferences.topP ?? undefined,
      maxTokens: preferences.maxTokens ?? undefined,
    },
    signal: controller.signal,
    onToken: (token: string) => {
      const text = storableText(token);
      live.content += text;
      publish(messageId, { type: "token", text });
    },
  };
  // The calendar tools act for the person this reply is for, whatever the model asks (issue #13 part 6).
  const toolContext = { userId: target.userId, messageId, timeZone };
  // The provider request starts now, before the row is committed: tokens wait in memory meanwhile.
  const streaming = config().llmTools
    ? streamChatWithTools({
        ...request,
        tools: CALENDAR_TOOLS,
        // A tool's writes refer to the reply's row.
        runTool: async (call) => {
          await committed;
          return runCalendarTool(toolContext, call);
        },
        maxRounds: MAX_TOOL_ROUNDS,
      })
    : streamChat(request);
  // Awaited below; a failure that arrives before then is not an unhandled rejection.
  streaming.catch(() => undefined);
  try {
    await committed;
  } catch (error) {
    // The send itself failed (its caller reports that).
    controller.abort();
    await streaming.catch(() => undefined);
    if (isDatabaseUnavailable(error)) {
      // The connection broke during COMMIT, which may have been applied all the same: settle the reply
      // if its row exists (guarded by status, a no-op otherwise) rather than leave it `streaming`,
      // refusing Retry and Edit, until the orphan sweep.
      log.warn({ messageId, error: describeError(error) }, "reply dropped: its message may have been stored");
      await failReply(messageId, UNAVAILABLE_EXPLANATION).catch((settleError: unknown) =>
        log.error({ messageId, error: describeError(settleError) }, "could not settle a dropped reply"),
      );
      return;
    }
    log.info({ messageId, error: describeError(error) }, "reply dropped: its message was not stored");
    liveReplies.delete(messageId);
    publish(messageId, { type: "done", status: "error" });
    return;
  }

  let persistFailure: unknown;
  // Resolves once no write of the growing text is in flight; never rejects.
  const stopWriting = writeAsItGrows(messageId, {
    content: () => live.content,
    onStopRequested: () => controller.abort(),
    onFailed: (error) => {
      // The text can no longer be kept as it grows (database unreachable): stop generating; the text
      // so far is stored, as an error, once the database answers again.
      persistFailure = error;
      controller.abort();
    },
  });

  let result: StreamResult | undefined;
  let outcome: { status: "complete" | "aborted" | "error"; note?: string } = { status: "complete" };
  try {
    result = await streaming;
    if (result.finish === "aborted") outcome = { status: "aborted" };
    await stopWriting();
    if (persistFailure) {
      log.warn({ messageId, error: describeError(persistFailure) }, "reply stopped: its text could not be stored");
      outcome = { status: "error", note: "The database became unavailable while this reply was written." };
    }
  } catch (error) {
    await stopWriting();
    if (!(error instanceof LlmStreamInterruptedError)) {
      await storePrompt();
      if (error instanceof LlmUnavailableError) {
        // The providers' addresses and settings are for whoever runs ARES: its admins read them in the
        // reply, everyone else a plain explanation (and the log keeps them for the admins).
        log.warn({ messageId, error: error.message }, "no model provider answered");
        const owner = await prisma.user.findUnique({ where: { id: target.userId }, select: { role: true } });
        return failReply(messageId, owner?.role === "admin" ? error.message : error.publicMessage);
      }
      throw error;
    }
    outcome = { status: "error", note: error.message };
    result = undefined;
    log.warn(
      { messageId, provider: error.provider, model: error.model, reason: error.failure.reason },
      "reply cut short",
    );
    await finish(
      target,
      live.content,
      outcome,
      { provider: error.provider, model: error.model },
      { prompt, storePrompt },
    );
    await scheduleIdleSummary(target.conversationId, memory);
    return;
  }
  // Sending titles a conversation as it stores the first message; an edited first message is resent
  // without that statement, so it re-titles here — before `done`, on which readers reload the page.
  if (isFirstExchange && !preloaded) {
    await writeWhenAvailable(messageId, () => autoTitle(target.conversationId, newMessage));
  }
  await finish(target, live.content, outcome, result, { prompt, storePrompt, usage: result.usage });
  // After `done` is published: the idle summary is never on the reply's path.
  await scheduleIdleSummary(target.conversationId, memory);
}

type FinishExtras = {
  prompt: AssembledPrompt;
  /** Stores the prompt on its own: when the reply's statement was refused. */
  storePrompt: () => Promise<void>;
  /** The model answered: its tokens count towards today's usage (null: it did not say how many). */
  usage?: LlmUsage | null;
};

async function finish(
  target: ReplyTarget,
  content: string,
  outcome: { status: "complete" | "aborted" | "error"; note?: string },
  source: Pick<StreamResult, "provider" | "model"> & Partial<StreamResult>,
  extras: FinishExtras,
): Promise<void> {
  const { messageId, userId } = target;
  // Rendered once, here, in the statement that finishes the reply: no page view renders it again, and
  // the reply's followers in this process get it with `done` instead of rendering the text themselves.
  const rendered = storedReplyHtml(content);
  const data = {
    content,
    ...rendered,
    status: outcome.status,
    provider: source.provider,
    model: source.model,
    fallbackFrom: source.fallbackFrom ?? null,
    promptTokens: source.usage?.promptTokens ?? null,
    completionTokens: source.usage?.completionTokens ?? null,
    cost: source.usage?.cost ?? null,
    latencyMs: source.latencyMs ?? null,
  };
  const usage =
    extras.usage === undefined ? undefined : { provider: source.provider, model: source.model, counts: extras.usage };
  let stored = true;
  try {
    await writeWhenAvailable(messageId, async () => {
      stored = await storeFinishedReply({ messageId, userId, ...data, prompt: extras.prompt, usage });
    });
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw error;
    // Its account was deleted while it was written (the usage row's person is gone, the reply with it):
    // nothing to store, and nothing went wrong. Only that: any other refusal is logged and retried below.
    let gone = false;
    if (isForeignKeyViolation(error)) {
      await writeWhenAvailable(messageId, async () => {
        gone = (await prisma.user.count({ where: { id: userId } })) === 0;
      });
    }
    if (gone) stored = false;
    else {
      // The one statement was refused (a value, a trigger): each write on its own, so the prompt and the
      // usage are kept even when the reply's own write is the one refused (it then fails as before).
      log.warn(
        { messageId, error: describeError(error) },
        "reply's final statement refused; storing its parts one by one",
      );
      await extras.storePrompt();
      if (usage)
        await writeWhenAvailable(messageId, () => recordUsage(userId, source.provider, source.model, usage.counts));
      await writeWhenAvailable(messageId, async () => {
        stored = (await prisma.message.updateMany({ where: { id: messageId }, data })).count > 0;
      });
    }
  }
  // Its conversation (or account) was deleted while it was written: nothing to store, and nothing went wrong.
  if (!stored) log.info({ messageId }, "reply deleted while written");
  liveReplies.delete(messageId);
  publish(messageId, { type: "done", status: outcome.status, html: rendered.html });
}
