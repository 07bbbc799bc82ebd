import { decodeCreatedAtCursor, encodeCreatedAtCursor } from "~/validation/cursor";
import { ErrorPage } from "~/components/error-page";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { cardsFor } from "~/calendar/assistant-actions.server";
import { redoReply, sendMessage, stopReply } from "~/chat/chat.server";
import {
  ConversationNotFoundError,
  deleteConversation,
  getConversation,
  renameConversation,
  setConversationModel,
  setPinned,
} from "~/chat/conversations.server";
import { renderMarkdown } from "~/chat/markdown.server";
import { listMessages, MESSAGES_PER_PAGE, NothingToRedoError } from "~/chat/messages.server";
import { conversationIntent, parseModelChoice } from "~/chat/schemas";
import { getChatPreferences, modelForReply } from "~/chat/settings.server";
import { Composer } from "~/components/chat/composer";
import { MessageList, type MessageItem } from "~/components/chat/message-list";
import { ModelPicker } from "~/components/chat/model-picker";
import { ConversationMemoryToggle } from "~/components/chat/conversation-memory";
import { FormErrors } from "~/components/forms";
import { listModels, primaryProvider } from "~/llm/router.server";
import { replyPrompts } from "~/memory/reply-prompts.server";
import { setConversationMemory } from "~/memory/settings.server";
import { PROVIDER_LABELS } from "~/llm/types";

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: `${loaded?.conversation.title ?? "Chat"} · ARES` },
];

function notFound(): never {
  throw new Response("Not found", { status: 404 });
}

// A refused send (429) carries Retry-After on the document response, not just in the data.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const conversationId = params.conversationId ?? notFound();
  const conversation = await getConversation(user.id, conversationId).catch((error: unknown) => {
    if (error instanceof ConversationNotFoundError) notFound();
    throw error;
  });
  const url = new URL(request.url);
  // ?before= pages back; ?through= (from a search hit) shows the page ending with that message.
  const before = decodeCreatedAtCursor(url.searchParams.get("before"));
  const through = before ? null : decodeCreatedAtCursor(url.searchParams.get("through"));
  const { messages, earlier } = await listMessages(
    conversation.id,
    before ?? through,
    MESSAGES_PER_PAGE,
    Boolean(through),
  );
  const replyIds = messages.filter((message) => message.role === "assistant").map((message) => message.id);
  const [openrouterModels, ollamaModels, preferences, prompts, cards] = await Promise.all([
    listModels("openrouter"),
    listModels("ollama"),
    getChatPreferences(user.id),
    replyPrompts(user.id, replyIds),
    cardsFor(user.id, replyIds, user.timeZone),
  ]);
  const memoriesOf = new Map(
    prompts.map((prompt) => [prompt.messageId, prompt.memories.map(({ type, label }) => ({ type, label }))]),
  );
  const items: MessageItem[] = messages.map((message) => ({
    id: message.id,
    role: message.role,
    status: message.status,
    content: message.content,
    html: message.role === "assistant" && message.status !== "streaming" ? renderMarkdown(message.content) : null,
    provider: message.provider,
    model: message.model,
    fallbackFrom: message.fallbackFrom,
    tokens: (message.promptTokens ?? 0) + (message.completionTokens ?? 0) || null,
    createdAt: message.createdAt.toISOString(),
    memories: memoriesOf.get(message.id),
    actions: cards.filter((card) => card.messageId === message.id),
  }));
  const provider = conversation.provider ?? primaryProvider();
  // What "Default" means for this conversation: the person's saved default, else the server's.
  const fallback = modelForReply({ provider: conversation.provider, model: null }, preferences);
  return {
    conversation: {
      id: conversation.id,
      title: conversation.title,
      pinned: conversation.pinned,
      memoryEnabled: conversation.memoryEnabled,
    },
    messages: items,
    earlier: earlier ? encodeCreatedAtCursor(earlier) : null,
    streamingId: items.find((message) => message.status === "streaming")?.id ?? null,
    modelChoice: conversation.model ? `${provider}:${conversation.model}` : "",
    defaultModelLabel: `${PROVIDER_LABELS[fallback.provider]} · ${fallback.model}`,
    // Retry, Regenerate and Edit act on the conversation's newest messages: only offered where they show.
    isNewestPage: !before && !through,
    models: {
      openrouter: openrouterModels.map((model) => model.id),
      ollama: ollamaModels.map((model) => model.id),
    },
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const conversationId = params.conversationId ?? notFound();
  const submission = parseWithZod(await request.formData(), { schema: conversationIntent });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const here = `/chat/${conversationId}`;
  const intent = submission.value;
  try {
    switch (intent.intent) {
      case "send":
      case "retry":
      case "regenerate":
      case "edit": {
        const outcome =
          intent.intent === "send"
            ? await sendMessage(user.id, conversationId, intent.message)
            : await redoReply(user.id, conversationId, intent.intent === "edit" ? intent.message : undefined);
        if (!outcome.ok) {
          return data(submission.reply({ formErrors: [outcome.refusal.message] }), {
            status: 429,
            headers: { "Retry-After": String(outcome.refusal.retryAfterSeconds) },
          });
        }
        return redirect(here);
      }
      case "stop":
        await stopReply(user.id, intent.messageId);
        return redirect(here);
      case "rename":
        await renameConversation(user.id, conversationId, intent.title);
        return redirect(here);
      case "pin":
      case "unpin":
        await setPinned(user.id, conversationId, intent.intent === "pin");
        return redirect(here);
      case "model": {
        const choice = parseModelChoice(intent.model);
        await setConversationModel(user.id, conversationId, choice?.provider ?? null, choice?.model ?? null);
        return redirect(here);
      }
      case "delete":
        await deleteConversation(user.id, conversationId);
        return redirect("/chat");
      case "memory-off":
      case "memory-on":
        if (!(await setConversationMemory(user.id, conversationId, intent.intent === "memory-on"))) notFound();
        return redirect(here);
    }
  } catch (error) {
    if (error instanceof ConversationNotFoundError) notFound();
    if (error instanceof NothingToRedoError)
      return data(submission.reply({ formErrors: [error.message] }), { status: 409 });
    throw error;
  }
}

export default function Conversation() {
  const { conversation, messages, earlier, streamingId, models, modelChoice, defaultModelLabel, isNewestPage } =
    useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const sending = navigation.state === "submitting" && navigation.formData?.get("intent") === "send";
  const lastMessage = messages.at(-1);
  const lastUser = [...messages].reverse().find((message) => message.role === "user");
  const typed = lastResult?.initialValue?.message;
  const panel = searchParams.get("panel");

  return (
    <article className="conversation" aria-labelledby="conversation-title">
      {streamingId ? (
        // Without JS, the page refreshes itself until the reply is complete.
        <noscript>
          <meta httpEquiv="refresh" content="2" />
        </noscript>
      ) : null}
      <header className="conversation__header">
        <h1 id="conversation-title">{conversation.title}</h1>
        <div className="conversation__tools">
          <Form method="post">
            <input type="hidden" name="intent" value={conversation.pinned ? "unpin" : "pin"} />
            <button type="submit" className="secondary small">
              {conversation.pinned ? "Unpin" : "Pin"}
            </button>
          </Form>
          <Link className="button secondary small" to="?panel=rename">
            Rename
          </Link>
          <a className="button secondary small" href={`/chat/${conversation.id}/export?format=md`} download>
            Export Markdown
          </a>
          <a className="button secondary small" href={`/chat/${conversation.id}/export?format=json`} download>
            Export JSON
          </a>
          <Link className="button secondary small" to="?panel=delete">
            Delete
          </Link>
          <ConversationMemoryToggle conversationId={conversation.id} enabled={conversation.memoryEnabled} />
        </div>
      </header>

      {panel === "rename" ? (
        <Form method="post" className="card inline-panel">
          <input type="hidden" name="intent" value="rename" />
          <label htmlFor="rename-title">New title</label>
          <input id="rename-title" name="title" defaultValue={conversation.title} maxLength={120} required autoFocus />
          <button type="submit">Save title</button> <Link to=".">Cancel</Link>
        </Form>
      ) : null}
      {panel === "delete" ? (
        <Form method="post" className="card inline-panel danger-zone">
          <input type="hidden" name="intent" value="delete" />
          <p>Delete “{conversation.title}” and all its messages? This cannot be undone.</p>
          <button type="submit" className="danger">
            Delete conversation
          </button>{" "}
          <Link to=".">Cancel</Link>
        </Form>
      ) : null}

      <ModelPicker models={models} value={modelChoice} defaultLabel={defaultModelLabel} />

      {earlier ? (
        <p className="earlier">
          <Link to={`?before=${earlier}`}>Show earlier messages</Link>
        </p>
      ) : null}
      <MessageList conversationId={conversation.id} messages={messages} />
      {isNewestPage ? null : (
        <p className="earlier">
          <Link to={`/chat/${conversation.id}`}>Show the newest messages</Link>
        </p>
      )}

      <FormErrors errors={lastResult?.error?.[""] ?? undefined} />
      {isNewestPage && lastMessage && lastMessage.status !== "streaming" ? (
        <div className="reply-actions">
          {lastMessage.role === "error" ? (
            <Form method="post">
              <input type="hidden" name="intent" value="retry" />
              <button type="submit">Retry</button>
            </Form>
          ) : null}
          {lastMessage.role === "assistant" ? (
            <Form method="post">
              <input type="hidden" name="intent" value="regenerate" />
              <button type="submit" className="secondary small">
                Regenerate
              </button>
            </Form>
          ) : null}
          {lastUser ? (
            <Link className="button secondary small" to="?panel=edit">
              Edit last message
            </Link>
          ) : null}
        </div>
      ) : null}
      {isNewestPage && panel === "edit" && lastUser ? (
        <Form method="post" className="card inline-panel">
          <Composer intent="edit" label="Edit your last message" submitLabel="Resend" defaultValue={lastUser.content} />
        </Form>
      ) : null}

      {/* Re-mounted when a message is added, which clears the box; a refused send keeps what was typed. */}
      <Form method="post" className="composer-form" key={messages.at(-1)?.id ?? "empty"}>
        <Composer
          intent="send"
          defaultValue={typeof typed === "string" && lastResult?.initialValue?.intent === "send" ? typed : ""}
          errors={lastResult?.error?.message ?? undefined}
          pending={sending}
        />
      </Form>
    </article>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
