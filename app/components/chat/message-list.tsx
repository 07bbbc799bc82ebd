import { Form, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { CopyCodeButtons, CopyMessageButton } from "~/components/copy-button";
import { PROVIDER_LABELS, type ProviderName } from "~/llm/types";
import type { ActionCard } from "~/calendar/action-card";
import { CalendarActionCard } from "./calendar-action-card";
import { messageTextOf, replyHtmlOf } from "./from-the-page";
import { UsedMemories, type UsedMemory } from "./used-memories";
import { KeepTextLink, useComposerFormId, VERSION_FIELD, withComposerText } from "./composer";

/**
 * A regenerated reply: which of its versions this is, and the ones either side. `position` is null on a
 * failed Regenerate, which is no version (‹ leads back to the newest one).
 */
export type Versions = { position: number | null; count: number; previous: string | null; next: string | null };

export type MessageItem = {
  id: string;
  role: "user" | "assistant" | "system" | "error";
  status: "streaming" | "complete" | "aborted" | "error";
  /**
   * The text as written; null where `html` shows it (replies), whose Copy fetches the source. Absent
   * (undefined) in a document's hydration data except for my newest message: see messageTextOf.
   */
  content?: string | null;
  /**
   * Sanitised HTML rendered on the server (assistant replies; while streaming, the text so far).
   * Absent (undefined) in a document's hydration data for finished replies: see replyHtmlOf.
   */
  html?: string | null;
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
  /** Regenerated replies: the versions to page through; null for a reply written once. */
  versions?: Versions | null;
  /** Regenerated replies: the id shared by their versions. */
  versionGroupId?: string | null;
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
 * A reply still being written. With JS this follows the reply over Server-Sent Events, whose `html`
 * frames carry the text so far rendered by the same sanitising renderer as the finished reply, and
 * reloads the page data when done. Without JS a frame shows the reply's own small page, which reloads
 * itself until the reply ends: the conversation page never reloads, so nothing being typed is lost.
 */
function StreamingReply({ conversationId, message }: { conversationId: string; message: MessageItem }) {
  const [html, setHtml] = useState(message.html ?? "");
  const revalidator = useRevalidator();
  const composerForm = useComposerFormId();
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
      <div dir="auto" className="message__body markdown streaming" data-testid="streaming-text">
        <div dangerouslySetInnerHTML={{ __html: html }} />
        <span className="cursor" aria-hidden="true" />
      </div>
      <p className="generating" role="status">
        Generating…
      </p>
      {/* Never painted with JS on (noscript): the frame stands in for the text above, which would stay as it
          was when the page loaded. */}
      <noscript>
        <style>{`#m-${message.id} .streaming, #m-${message.id} .generating { display: none; }`}</style>
        <iframe
          className="reply-following"
          title="The reply as it is written"
          src={`/chat/${conversationId}/following?message=${encodeURIComponent(message.id)}`}
        />
      </noscript>
      {composerForm ? (
        // It submits the message box's form, so what is typed there is kept (no JS).
        <>
          <input type="hidden" name="messageId" value={message.id} form={composerForm} />
          <button
            type="submit"
            className="secondary small"
            aria-keyshortcuts="Escape"
            name="intent"
            value="stop"
            {...withComposerText(composerForm)}
          >
            Stop
          </button>
        </>
      ) : (
        <Form method="post">
          <input type="hidden" name="intent" value="stop" />
          <input type="hidden" name="messageId" value={message.id} />
          <button type="submit" className="secondary small" aria-keyshortcuts="Escape">
            Stop
          </button>
        </Form>
      )}
    </>
  );
}

function RenderedReply({ html, source }: { html: string; source: string }) {
  const body = useRef<HTMLDivElement>(null);
  return (
    <>
      <div ref={body} dir="auto" className="message__body markdown" dangerouslySetInnerHTML={{ __html: html }} />
      <CopyCodeButtons containerRef={body} />
      <CopyMessageButton source={source} />
    </>
  );
}

/**
 * "‹ 2 / 3 ›": pages through a regenerated reply's versions. The shown version is the one later
 * prompts see. Its two buttons name the version to show (it posts and redirects back); on a page with
 * the message box they submit the box's form (VERSION_FIELD), so what is typed there is kept (no JS).
 */
function VersionPager({ versions, writing }: { versions: Versions; writing: boolean }) {
  const navigation = useNavigation();
  const composerForm = useComposerFormId();
  const switching =
    navigation.state === "submitting" &&
    (navigation.formData?.get("intent") === "version" || navigation.formData?.has(VERSION_FIELD) === true);
  // The button's own field: the version, as the box's form's (VERSION_FIELD) or this form's messageId.
  const button = composerForm ? { name: VERSION_FIELD, ...withComposerText(composerForm) } : { name: "messageId" };
  // The buttons are disabled while the switch is on its way, which drops focus: once the new version
  // shows, focus goes back to the button pressed (or, at an end, the other one).
  const form = useRef<HTMLFormElement>(null);
  const pressed = useRef<string | null>(null);
  useEffect(() => {
    if (navigation.state !== "idle" || !pressed.current || !form.current) return;
    const buttons = [...form.current.querySelectorAll("button")];
    const target = buttons.find((button) => button.getAttribute("aria-label") === pressed.current);
    pressed.current = null;
    (target && !target.disabled ? target : buttons.find((button) => !button.disabled))?.focus();
  }, [navigation.state, versions.position]);
  const label =
    versions.position === null
      ? `This attempt failed; ${versions.count} earlier version${versions.count === 1 ? "" : "s"}`
      : `Version ${versions.position} of ${versions.count}`;
  return (
    <Form
      method="post"
      className="versions"
      preventScrollReset
      ref={form}
      onClickCapture={(event) => {
        // The pressed button (it may submit another form, so not this form's submit event).
        const pressedButton = event.target instanceof Element ? event.target.closest("button") : null;
        if (pressedButton?.contains(document.activeElement)) pressed.current = pressedButton.getAttribute("aria-label");
      }}
    >
      <div role="group" aria-label="Versions of this reply">
        <input type="hidden" name="intent" value="version" />
        <button
          type="submit"
          {...button}
          value={versions.previous ?? ""}
          className="secondary small"
          aria-label="Previous version"
          disabled={!versions.previous || writing || switching}
        >
          ‹
        </button>
        <span className="versions__position" data-testid="version-position">
          <span aria-hidden="true">
            {versions.position === null ? `– / ${versions.count}` : `${versions.position} / ${versions.count}`}
          </span>
          <span className="visually-hidden">{label}</span>
        </span>
        <button
          type="submit"
          {...button}
          value={versions.next ?? ""}
          className="secondary small"
          aria-label="Next version"
          disabled={!versions.next || writing || switching}
        >
          ›
        </button>
      </div>
    </Form>
  );
}

type MessageListProps = {
  conversationId: string;
  messages: MessageItem[];
  /** My message on its way to the server (JS): shown at once, replaced by the stored one. */
  pendingText?: string | null;
  /** My newest message, when it can be edited (the newest page, no reply being written). */
  editableId?: string | null;
  /** Opens the editor in place (JS); without JS the Edit link goes to ?edit=<id>. */
  onEdit?: (id: string) => void;
  /** The message being edited in place (the newest of mine), with its form. */
  editing?: { id: string; form: ReactNode } | null;
};

export function MessageList({ conversationId, messages, pendingText, editableId, onEdit, editing }: MessageListProps) {
  const writing = messages.some((message) => message.status === "streaming");
  if (messages.length === 0 && !pendingText) return <p className="muted">No messages yet. Say hello below.</p>;
  return (
    <ol className="messages">
      {messages.map((message) => (
        <li
          // A reply keeps its element across its versions, so ‹ and › keep focus after the switch.
          key={message.versionGroupId ?? message.id}
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
            <RenderedReply
              html={replyHtmlOf(message.id, message.html)}
              source={`/chat/${conversationId}/export?format=md&message=${encodeURIComponent(message.id)}`}
            />
          ) : (
            <div dir="auto" className="message__body plain">
              {messageTextOf(message.id, message.content)}
            </div>
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
          {message.versions ? <VersionPager versions={message.versions} writing={writing} /> : null}
          {message.role === "assistant" ? <AnsweredBy message={message} /> : null}
          {message.id === editableId && editing?.id !== message.id ? (
            <p className="message__actions">
              <KeepTextLink
                className="button secondary small"
                to={`/chat/${conversationId}?edit=${message.id}#m-${message.id}`}
                preventScrollReset
                onClick={(event) => {
                  // With JS the editor opens in place, without a round trip.
                  if (!onEdit) return;
                  event.preventDefault();
                  onEdit(message.id);
                }}
              >
                Edit
              </KeepTextLink>
            </p>
          ) : null}
          {message.role === "assistant" && message.status !== "streaming" ? (
            <UsedMemories conversationId={conversationId} messageId={message.id} memories={message.memories} />
          ) : null}
        </li>
      ))}
      {pendingText ? (
        <li className="message message--user" data-status="pending" data-testid="pending-message">
          <p className="message__role">You</p>
          <div dir="auto" className="message__body plain">
            {pendingText}
          </div>
        </li>
      ) : null}
    </ol>
  );
}
