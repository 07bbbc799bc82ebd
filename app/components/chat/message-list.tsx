import { Form, useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState, type ReactNode } from "react";
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
  /** Sanitised HTML rendered on the server (assistant replies; while streaming, the text so far). */
  html: string | null;
  provider: string | null;
  model: string | null;
  fallbackFrom: string | null;
  tokens: number | null;
  createdAt: string;
  /** createdAt in the person's own zone. */
  time: string;
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
 * itself); with JS this follows the reply over Server-Sent Events, whose `html` frames carry the text
 * so far rendered by the same sanitising renderer as the finished reply, and reloads the page data when
 * done.
 */
function StreamingReply({ conversationId, message }: { conversationId: string; message: MessageItem }) {
  const [html, setHtml] = useState(message.html ?? "");
  const revalidator = useRevalidator();
  useEffect(() => {
    const source = new EventSource(`/chat/${conversationId}/stream?message=${encodeURIComponent(message.id)}`);
    source.addEventListener("html", (event) => setHtml((JSON.parse(event.data) as { html: string }).html));
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
      <div className="message__body markdown streaming" data-testid="streaming-text">
        <div dangerouslySetInnerHTML={{ __html: html }} />
        <span className="cursor" aria-hidden="true" />
      </div>
      <p className="generating" role="status">
        Generating…
      </p>
      <Form method="post">
        <input type="hidden" name="intent" value="stop" />
        <input type="hidden" name="messageId" value={message.id} />
        <button type="submit" className="secondary small" aria-keyshortcuts="Escape">
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

type MessageListProps = {
  conversationId: string;
  messages: MessageItem[];
  /** My message on its way to the server (JS): shown at once, replaced by the stored one. */
  pendingText?: string | null;
  /** The message being edited in place (the newest of mine), with its form. */
  editing?: { id: string; form: ReactNode } | null;
};

export function MessageList({ conversationId, messages, pendingText, editing }: MessageListProps) {
  if (messages.length === 0 && !pendingText) return <p className="muted">No messages yet. Say hello below.</p>;
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
            {message.role === "user" ? "You" : message.role === "error" ? "Problem" : "ARES"}{" "}
            <time dateTime={message.createdAt} className="message__time">
              {message.time}
            </time>
          </p>
          {editing?.id === message.id ? (
            editing.form
          ) : message.status === "streaming" ? (
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
      {pendingText ? (
        <li className="message message--user" data-status="pending" data-testid="pending-message">
          <p className="message__role">You</p>
          <div className="message__body plain">{pendingText}</div>
        </li>
      ) : null}
    </ol>
  );
}
