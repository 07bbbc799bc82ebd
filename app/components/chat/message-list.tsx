import { Form, useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { CopyCodeButtons, CopyMessageButton } from "~/components/copy-button";
import { PROVIDER_LABELS, type ProviderName } from "~/llm/types";
import type { ActionCard } from "~/calendar/action-card";
import { CalendarActionCard } from "./calendar-action-card";
import { UsedMemories, type UsedMemory } from "./used-memories";

export type MessageItem = {
  id: string;
  role: "user" | "assistant" | "system" | "error";
  status: "streaming" | "complete" | "aborted" | "error";
  content: string;
  /** Sanitised HTML rendered on the server (assistant replies that are no longer streaming). */
  html: string | null;
  provider: string | null;
  model: string | null;
  fallbackFrom: string | null;
  tokens: number | null;
  createdAt: string;
  /** Replies: the memories their prompt carried. */
  memories?: UsedMemory[];
  /** Replies: calendar changes the assistant proposed in them. */
  actions?: ActionCard[];
};

function providerLabel(provider: string | null): string {
  return provider && provider in PROVIDER_LABELS ? PROVIDER_LABELS[provider as ProviderName] : (provider ?? "");
}

function AnsweredBy({ message }: { message: MessageItem }) {
  if (!message.provider) return null;
  return (
    <p className="answered-by">
      <span className="badge" data-testid="provider-badge">
        {providerLabel(message.provider)} · {message.model}
      </span>
      {message.fallbackFrom ? (
        <span className="badge warn" data-testid="fallback-badge">
          fallback: {providerLabel(message.fallbackFrom)} did not answer
        </span>
      ) : null}
      {message.tokens ? <span className="muted"> {message.tokens.toLocaleString("en")} tokens</span> : null}
    </p>
  );
}

/**
 * A reply still being written. The server renders the text so far (and, without JS, the page refreshes
 * itself); with JS this follows the reply over Server-Sent Events and reloads the page data when done,
 * which brings the rendered Markdown.
 */
function StreamingReply({ conversationId, message }: { conversationId: string; message: MessageItem }) {
  const [text, setText] = useState(message.content);
  const revalidator = useRevalidator();
  useEffect(() => {
    const source = new EventSource(`/chat/${conversationId}/stream?message=${encodeURIComponent(message.id)}`);
    source.addEventListener("snapshot", (event) => setText((JSON.parse(event.data) as { content: string }).content));
    source.addEventListener("token", (event) =>
      setText((current) => current + (JSON.parse(event.data) as { text: string }).text),
    );
    source.addEventListener("done", () => {
      source.close();
      revalidator.revalidate();
    });
    return () => source.close();
    // The revalidator's identity changes while it runs; following must not restart because of it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [conversationId, message.id]);

  return (
    <>
      <div className="message__body plain" aria-live="polite" data-testid="streaming-text">
        {text}
        <span className="cursor" aria-hidden="true" />
      </div>
      <p className="generating" role="status">
        Generating…
      </p>
      <Form method="post">
        <input type="hidden" name="intent" value="stop" />
        <input type="hidden" name="messageId" value={message.id} />
        <button type="submit" className="secondary small">
          Stop
        </button>
      </Form>
    </>
  );
}

function RenderedReply({ html, text }: { html: string; text: string }) {
  const body = useRef<HTMLDivElement>(null);
  return (
    <>
      <div ref={body} className="message__body markdown" dangerouslySetInnerHTML={{ __html: html }} />
      <CopyCodeButtons containerRef={body} />
      <CopyMessageButton text={text} />
    </>
  );
}

export function MessageList({ conversationId, messages }: { conversationId: string; messages: MessageItem[] }) {
  if (messages.length === 0) return <p className="muted">No messages yet. Say hello below.</p>;
  return (
    <ol className="messages">
      {messages.map((message) => (
        <li
          key={message.id}
          id={`m-${message.id}`}
          className={`message message--${message.role}`}
          data-status={message.status}
        >
          <p className="message__role">
            {message.role === "user" ? "You" : message.role === "error" ? "Problem" : "ARES"}
          </p>
          {message.status === "streaming" ? (
            <StreamingReply conversationId={conversationId} message={message} />
          ) : message.html !== null ? (
            <RenderedReply html={message.html} text={message.content} />
          ) : (
            <div className="message__body plain">{message.content}</div>
          )}
          {message.status === "aborted" ? <p className="muted">Stopped — the reply is as far as it got.</p> : null}
          {message.role === "assistant" && message.status === "error" ? (
            <p className="field-error">The connection to the model broke; this reply is incomplete.</p>
          ) : null}
          {message.status !== "streaming"
            ? message.actions?.map((card) => (
                <CalendarActionCard key={card.id} conversationId={conversationId} card={card} />
              ))
            : null}
          {message.role === "assistant" ? <AnsweredBy message={message} /> : null}
          {message.role === "assistant" && message.status !== "streaming" ? (
            <UsedMemories conversationId={conversationId} messageId={message.id} memories={message.memories} />
          ) : null}
        </li>
      ))}
    </ol>
  );
}
