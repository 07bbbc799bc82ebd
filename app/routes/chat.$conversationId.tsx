import { decodeCreatedAtCursor, encodeCreatedAtCursor } from "~/validation/cursor";
import { ErrorPage } from "~/components/error-page";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import {
  Form,
  isRouteErrorResponse,
  useActionData,
  useLoaderData,
  useLocation,
  useNavigation,
  useParams,
  useRouteError,
  useRouteLoaderData,
  useSearchParams,
} from "@remix-run/react";
import { useEffect, useRef, useState, useSyncExternalStore, type FormEvent } from "react";
import { takeNewChatSent } from "~/components/chat/new-chat-focus";
import { useHydrated } from "~/components/use-hydrated";
import { clearDraft, draftKeyFor, readDraft } from "~/components/chat/drafts";
import { scrollToEnd, useThreadFollow } from "~/components/chat/thread-follow";
import { requireUser } from "~/auth/guards.server";
import { redoReply, selectVersion, sendMessage, stopReply, VersionNotFoundError } from "~/chat/chat.server";
import {
  ConversationNotFoundError,
  deleteConversation,
  getConversation,
  renameConversation,
  setConversationModel,
  setPinned,
} from "~/chat/conversations.server";
import { isKeptDone, keepComposerText, keptTextMarker } from "~/chat/kept-text.server";
import { replyHtml } from "~/chat/reply-html.server";
import { markupOnly } from "~/http/markup-only.server";
import { redirectWithNotice } from "~/http/notice.server";
import { conversationPage } from "~/chat/conversation-page.server";
import { formatDateTime } from "~/accounts/time-zone";
import { NothingToRedoError } from "~/chat/messages.server";
import { BOX_TEXT_FIELD, OTHER_TEXT_FIELD, conversationIntent } from "~/chat/schemas";
import { checkModelChoice, MODEL_NOT_OFFERED, modelForReply } from "~/chat/settings.server";
import {
  Composer,
  COMPOSER_FORM_ID,
  fieldPanelHandle,
  isComposerSend,
  KEEP_TO_FIELD,
  KeepTextLink,
  useComposerFormId,
  VERSION_FIELD,
  withComposerText,
} from "~/components/chat/composer";
import { formRefusal, retryAfterHeaders } from "~/http/write-limit.server";
import { ACTION_NOT_FOUND_MESSAGE, ACTION_NOT_FOUND_TITLE, NOT_FOUND_TITLE } from "~/http/refusal-text";
import { MessageList, type MessageItem, type Versions } from "~/components/chat/message-list";
import { ModelPicker } from "~/components/chat/model-picker";
import { ConversationMemoryToggle } from "~/components/chat/conversation-memory";
import { Field, FormErrors } from "~/components/forms";
import { listModels, primaryProvider } from "~/llm/router.server";
import { setConversationMemory } from "~/memory/settings.server";
import { PROVIDER_LABELS } from "~/llm/types";

// A 404's tab says what its heading says: the text of a post kept on it, or the app's "Page not found" (a
// 404 that shows this tab's draft, read on the client only, or a post's texts kept on screen after a theme
// switch: ConversationGone sets its own title).
export const meta: MetaFunction<typeof loader> = ({ data: loaded, error }) => [
  {
    title:
      isRouteErrorResponse(error) && error.status === 404
        ? isGoneSend(error.data)
          ? GONE_TITLE
          : `${isActionGone(error) ? ACTION_NOT_FOUND_TITLE : NOT_FOUND_TITLE} · ARES`
        : `${loaded?.conversation.title ?? "Chat"} · ARES`,
  },
];

function notFound(): never {
  throw new Response("Not found", { status: 404 });
}

/**
 * A post to a conversation that is gone (deleted in another tab) or not the person's: a 404, as a GET of
 * it is. Whatever was in the message box came with it (a send, and without JS or with it every other
 * button of the page — Pin, Delete, Rename… — submits the box's form): the 404 carries that text back,
 * ready for a new conversation, so nothing typed is lost. Another person's id gets the very same page —
 * the words say "deleted or never existed", and the only text on it is what the poster just sent.
 */
function conversationGone(form: FormData, note?: string, hadNul = false): never {
  const typed = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" && value.trim() ? value : null;
  };
  // An edit's Save posts the edit box as `message`, and with JS the message box's text beside it: the
  // edit is what was just saved, so it comes first; the box's text, unsent too, is not lost either.
  const isEdit = form.get("intent") === "edit";
  const edit = isEdit ? typed("message") : null;
  const box = isEdit ? typed(BOX_TEXT_FIELD) : typed("message");
  const message = edit ?? box ?? notFound();
  const alsoBox = edit !== null && box !== null && box.trim() !== edit.trim() ? box : null;
  // With two texts the refusal goes with the one it is about: a NUL's with the text that had it (shown as
  // U+FFFD), the rate limit's (or a NUL elsewhere in the form) above both, as it is about the whole post.
  const carries = (text: string | null) => hadNul && text !== null && text.includes("\uFFFD");
  const noteFor: GoneSend["noteFor"] =
    alsoBox === null || (carries(message) && !carries(alsoBox))
      ? "message"
      : carries(alsoBox) && !carries(message)
        ? "alsoBox"
        : "page";
  throw data(
    {
      conversationGone: true,
      message,
      edited: edit !== null,
      alsoBox,
      note: note ?? null,
      noteFor,
    } satisfies GoneSend,
    { status: 404 },
  );
}

/** conversationGone when the conversation is not the person's (any more); else nothing. One lookup. */
async function unlessGone(
  userId: string,
  conversationId: string,
  form: FormData,
  note?: string,
  hadNul = false,
): Promise<void> {
  try {
    await getConversation(userId, conversationId);
  } catch (error) {
    if (error instanceof ConversationNotFoundError) conversationGone(form, note, hadNul);
    throw error;
  }
}

/**
 * Where a regenerated reply sits among its versions, and the versions either side (for ‹ and ›). A failed
 * Regenerate is none of them: it has no position, and ‹ goes back to the newest version.
 */
function versionsOf(id: string, versionIds: string[] | null): Versions | null {
  if (!versionIds) return null;
  const found = versionIds.indexOf(id);
  const at = found === -1 ? versionIds.length : found;
  return {
    position: found === -1 ? null : at + 1,
    count: versionIds.length,
    previous: versionIds[at - 1] ?? null,
    next: versionIds[at + 1] ?? null,
  };
}

// Its buttons outside the message box submit the box's form, text and all (no JS: nothing typed is lost).
export const handle = fieldPanelHandle;

// A refused send (429) carries Retry-After on the document response, not just in the data.
export { retryAfterHeaders as headers };

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const conversationId = params.conversationId ?? notFound();
  const url = new URL(request.url);
  // ?before= pages back; ?through= (from a search hit) shows the page ending with that message.
  const before = decodeCreatedAtCursor(url.searchParams.get("before"));
  const through = before ? null : decodeCreatedAtCursor(url.searchParams.get("through"));
  const cursor = before ?? through;
  // What was in the box when this page was left without JS (another of its buttons or links, a send
  // after the session had ended): back in it, once — read with the page, when the marker names it.
  const kept = await keptTextMarker(request, user.id);
  // One statement: the conversation, the person's preferences and the page with everything it shows.
  const position = cursor ? { cursor, through: Boolean(through) } : null;
  const [page, openrouterModels, ollamaModels] = await Promise.all([
    conversationPage(user, conversationId, position, undefined, undefined, kept.keptAt).catch((error: unknown) => {
      if (error instanceof ConversationNotFoundError) notFound();
      throw error;
    }),
    listModels("openrouter"),
    listModels("ollama"),
  ]);
  const { conversation, preferences, messages, earlier } = page;
  const items: MessageItem[] = messages.map((message) => {
    // Stored when the reply finished; a reply still being written is shown formatted too (the no-JS
    // page refreshes until it is done).
    const html = replyHtml(message);
    const versions = versionsOf(message.id, message.versionIds);
    const item: MessageItem = {
      id: message.id,
      role: message.role,
      status: message.status,
      // A reply's text travels once, as its HTML; Copy fetches the Markdown source when it is pressed.
      content: html === null ? message.content : null,
      html,
      provider: message.provider,
      model: message.model,
      fallbackFrom: message.fallbackFrom,
      tokens: (message.promptTokens ?? 0) + (message.completionTokens ?? 0) || null,
      createdAt: message.createdAt.toISOString(),
      time: formatDateTime(message.createdAt, user.timeZone),
    };
    // Only where a message has them: most have none, and each key costs every view its encoding in the
    // hydration data (and its bytes) for nothing.
    if (message.memories) item.memories = message.memories.map(({ type, label }) => ({ type, label }));
    if (message.actions.length > 0) item.actions = message.actions;
    if (versions) {
      item.versions = versions;
      // A group is named by its first version.
      item.versionGroupId = message.versionIds?.[0] ?? null;
    }
    return item;
  });
  // A finished reply's HTML and a message's text travel once: in the document's markup, not again in
  // its hydration data. My newest message keeps its text there: the Edit form starts from it.
  if (context.documentRequest) {
    const newestOfMine = items.findLast((item) => item.role === "user");
    for (const item of items) {
      if (item.status === "streaming") continue;
      if (item.html !== null) markupOnly(item, "html");
      else if (item !== newestOfMine) markupOnly(item, "content");
    }
  }
  const provider = conversation.provider ?? primaryProvider();
  // What "Default" means for this conversation: the person's saved default, else the server's.
  const fallback = modelForReply({ provider: conversation.provider, model: null }, preferences);
  return data(
    {
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
      unsentMessage: page.keptMessage,
      // What the page says of the box's text it left (a NUL replaced, not kept, a refused press), once.
      keptNote: kept.note(page.keptMessage),
    },
    { headers: kept.headers },
  );
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const conversationId = params.conversationId ?? notFound();
  const form = await request.formData();
  // Buttons that submit the message box's form carry one name and value: a link's target (KeepTextLink)
  // or a reply version (‹ ›) says the intent too.
  if (form.has(KEEP_TO_FIELD)) form.set("intent", "keep");
  const version = form.get(VERSION_FIELD);
  if (typeof version === "string") {
    form.set("intent", "version");
    form.set("messageId", version);
  }
  // The Send button carries the intent; a submit without a submitter (requestSubmit(), an assistive tool)
  // posts the message box's form alone, and is a send rather than a refusal that loses the text.
  if (!form.has("intent") && form.has("message")) form.set("intent", "send");
  const submission = parseWithZod(form, { schema: conversationIntent });
  // Refused before it got here (a NUL in it, or the write limit): whatever the form, nothing is done; the
  // conversation stays, with what was typed and the wait (as a refused send over the quota). One lookup:
  // a conversation gone meanwhile (or not theirs) is the 404 with the box's text and the refusal's words,
  // as the page the refusal would lead to is a 404 too.
  const refusal = formRefusal(context);
  if (refusal) {
    await unlessGone(user.id, conversationId, form, refusal.message, context.formHadNul);
    return data(submission.reply({ formErrors: [refusal.message] }), {
      status: refusal.status,
      headers: refusal.headers,
    });
  }
  // A conversation that is not there (or not theirs) is a 404 whatever was sent, as a GET of it is.
  if (submission.status !== "success") {
    await unlessGone(user.id, conversationId, form);
    return data(submission.reply(), { status: 400 });
  }
  const here = `/chat/${conversationId}`;
  // After a send (or retry, edit…) the page opens at the newest message, with or without JS.
  const latest = `${here}#latest`;
  // Stop, Regenerate, Pin… came with what was in the message box (they submit its form): back in it after.
  // With JS the box is never left, so only a page without scripts (a document post) needs it kept.
  const intent = submission.value;
  const back = async (to: string) => {
    const done = isKeptDone(intent.intent) ? intent.intent : undefined;
    const kept = context.documentRequest ? await keepComposerText(form, here, user.id, { done }) : null;
    return redirect(to, kept ? { headers: { "Set-Cookie": kept.setCookie } } : undefined);
  };
  try {
    switch (intent.intent) {
      case "send":
      case "retry":
      case "regenerate":
      case "edit": {
        const outcome =
          intent.intent === "send"
            ? await sendMessage(user.id, conversationId, intent.message)
            : await redoReply(
                user.id,
                conversationId,
                intent.intent === "edit"
                  ? { kind: "edit", content: intent.message, messageId: intent.messageId }
                  : { kind: intent.intent },
              );
        if (!outcome.ok) {
          return data(submission.reply({ formErrors: [outcome.refusal.message] }), {
            status: 429,
            headers: { "Retry-After": String(outcome.refusal.retryAfterSeconds) },
          });
        }
        return intent.intent === "send" || intent.intent === "edit" ? redirect(latest) : back(latest);
      }
      case "version": {
        // Back to the reply: at the newest message, on the newest page when it is there, else on the
        // page that ends with it.
        const chosen = await selectVersion(user.id, conversationId, intent.messageId);
        if (chosen.isNewest) return back(latest);
        return back(
          chosen.onNewestPage
            ? `${here}#m-${chosen.id}`
            : `${here}?through=${encodeCreatedAtCursor(chosen)}#m-${chosen.id}`,
        );
      }
      case "stop":
        // Nothing to stop (finished, or not the person's): another person's conversation is then a 404,
        // as for every other intent, rather than a redirect into it.
        if (!(await stopReply(user.id, intent.messageId))) await getConversation(user.id, conversationId);
        return back(latest);
      case "rename":
        await renameConversation(user.id, conversationId, intent.title);
        return back(here);
      case "keep": {
        // Only somewhere on this page: the value comes from the form, so it is not trusted to go elsewhere.
        // An address that does not parse (`http://[`) is this page too, not a 500.
        const base = `http://ares.invalid${here}`;
        const to = URL.canParse(intent.keepTo, base) ? new URL(intent.keepTo, base) : null;
        await getConversation(user.id, conversationId);
        return back(to?.pathname === here ? `${here}${to.search}${to.hash}` : here);
      }
      case "pin":
      case "unpin":
        await setPinned(user.id, conversationId, intent.intent === "pin");
        return back(here);
      case "model": {
        // Only what the picker offers: a crafted or stale choice was stored, shown, and failed every reply.
        // Someone else's conversation is a 404 before the choice is looked at.
        const checked = await checkModelChoice(intent.model ?? "", await getConversation(user.id, conversationId));
        if (!checked.offered) return data(submission.reply({ formErrors: [MODEL_NOT_OFFERED] }), { status: 400 });
        const { choice } = checked;
        await setConversationModel(user.id, conversationId, choice?.provider ?? null, choice?.model ?? null);
        return back(here);
      }
      case "delete": {
        await deleteConversation(user.id, conversationId);
        // The box's text came with it (without JS the button submits the box's form; with JS the panel's
        // form copies it): it belonged to this conversation, which is gone, so it waits in the
        // new-conversation box the person lands on, and the notice says so — with JS too, as the page
        // the box was on is gone.
        const kept = await keepComposerText(form, "/chat", user.id, { done: "deleted" });
        // The chat page says so once (its notice), with or without JS.
        return redirectWithNotice("/chat", kept?.kept ? "deleted-kept" : "deleted", user.id, {
          headers: kept ? { "Set-Cookie": kept.setCookie } : undefined,
        });
      }
      case "memory-off":
      case "memory-on":
        if (!(await setConversationMemory(user.id, conversationId, intent.intent === "memory-on")))
          throw new ConversationNotFoundError();
        return back(here);
    }
  } catch (error) {
    if (error instanceof ConversationNotFoundError) conversationGone(form);
    if (error instanceof NothingToRedoError || error instanceof VersionNotFoundError)
      return data(submission.reply({ formErrors: [error.message] }), { status: 409 });
    throw error;
  }
}

function ConversationMenu({
  conversation,
}: {
  conversation: { id: string; title: string; pinned: boolean; memoryEnabled: boolean };
}) {
  const menu = useRef<HTMLDetailsElement>(null);
  const location = useLocation();
  // With JS nothing reloads the page: the menu folds once an item is chosen or the page changes.
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [location.key]);
  return (
    <details
      className="menu"
      ref={menu}
      onClick={(event) => {
        if (event.target instanceof Element && event.target.closest(".menu__item") && menu.current)
          setTimeout(() => menu.current && (menu.current.open = false), 0);
      }}
    >
      <summary className="button secondary small">Conversation menu</summary>
      <div className="menu__panel">
        <button
          type="submit"
          className="menu__item"
          name="intent"
          value={conversation.pinned ? "unpin" : "pin"}
          {...withComposerText(COMPOSER_FORM_ID)}
        >
          {conversation.pinned ? "Unpin" : "Pin"}
        </button>
        <KeepTextLink className="menu__item" to={`/chat/${conversation.id}?panel=rename`}>
          Rename
        </KeepTextLink>
        <a className="menu__item" href={`/chat/${conversation.id}/export?format=md`} download>
          Export Markdown
        </a>
        <a className="menu__item" href={`/chat/${conversation.id}/export?format=json`} download>
          Export JSON
        </a>
        <ConversationMemoryToggle
          conversationId={conversation.id}
          enabled={conversation.memoryEnabled}
          composerFormId={COMPOSER_FORM_ID}
        />
        <KeepTextLink className="menu__item menu__item--danger" to={`/chat/${conversation.id}?panel=delete`}>
          Delete
        </KeepTextLink>
      </div>
    </details>
  );
}

/**
 * My message while a send is on its way (JS): `sendingText` as typed, and `optimisticText`, the copy the
 * thread shows until the page data holds the stored message — recognised as a message of mine that was
 * not on the page when the send started.
 */
function useSending(messages: Array<{ id: string; role: string; content?: string | null }>) {
  const navigation = useNavigation();
  const text =
    navigation.state !== "idle" && navigation.formData?.get("intent") === "send"
      ? String(navigation.formData.get("message") ?? "")
      : null;
  const known = useRef<Set<string> | null>(null);
  if (text === null) known.current = null;
  else known.current ??= new Set(messages.map((message) => message.id));
  // Reconciled: once the page data holds the stored message (it may revalidate before the send's
  // navigation ends), the optimistic copy goes, so it never shows twice.
  const stored =
    text !== null &&
    messages.some(
      (message) => message.role === "user" && !known.current?.has(message.id) && message.content === text.trim(),
    );
  return { sendingText: text, optimisticText: stored ? null : text };
}

export default function Conversation() {
  const {
    conversation,
    messages,
    earlier,
    streamingId,
    models,
    modelChoice,
    defaultModelLabel,
    isNewestPage,
    unsentMessage,
    keptNote,
  } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const owner = useRouteLoaderData<{ user: { email: string } | null }>("root")?.user?.email;
  const navigation = useNavigation();
  const location = useLocation();
  const [searchParams, setSearchParams] = useSearchParams();
  const { sendingText, optimisticText } = useSending(messages);
  const lastMessage = messages.at(-1);
  const lastUser = [...messages].reverse().find((message) => message.role === "user");
  const typed = lastResult?.initialValue?.message;
  const failedIntent = lastResult?.initialValue?.intent;
  const panel = searchParams.get("panel");
  const thread = useRef<HTMLElement>(null);
  const { awayFromEnd, jumpToLatest } = useThreadFollow(thread);
  const composerForm = useRef<HTMLFormElement>(null);
  const panelForm = useRef<HTMLFormElement>(null);
  const hydrated = useHydrated();
  const renameFailed = failedIntent === "rename";
  const typedTitle = lastResult?.initialValue?.title;
  const renameErrors = renameFailed ? (lastResult?.error?.title ?? undefined) : undefined;
  const renameResult = renameFailed ? lastResult : null;
  // The rename and delete panels sit above the thread, which opens at (and follows) its newest message: on
  // opening (and after a refused title) the panel is brought into view and focused — the title field, or
  // the delete question itself rather than its destructive button. Focus there also stops the thread
  // following its end (useThreadFollow), so the panel stays where the person is.
  useEffect(() => {
    const shown = panelForm.current;
    if (!shown) return;
    shown.scrollIntoView({ block: "nearest" });
    const field = shown.querySelector("#rename-title");
    (field instanceof HTMLInputElement ? field : shown).focus({ preventScroll: true });
  }, [panel, renameResult]);

  // My newest message can be edited where it is: ?edit=<id> without JS, in place (no navigation) with JS.
  const editableId = isNewestPage && !streamingId && lastUser ? lastUser.id : null;
  const editFailed = failedIntent === "edit";
  const [editingId, setEditingId] = useState(() => searchParams.get("edit") ?? (editFailed ? editableId : null));
  useEffect(() => setEditingId(searchParams.get("edit")), [location.key, searchParams]);
  // A refused edit stays open with what was typed (declared after the reset above, so it wins).
  useEffect(() => {
    if (editFailed) setEditingId(editableId);
  }, [lastResult, editFailed, editableId]);
  const editing = editableId !== null && editingId === editableId ? lastUser : undefined;
  const cancelEdit = () => {
    setEditingId(null);
    if (searchParams.has("edit")) setSearchParams({}, { replace: true, preventScrollReset: true });
  };

  // After a send, the box is ready for the next message; a refused send gets its text back.
  const wasSending = useRef(false);
  useEffect(() => {
    if (sendingText !== null) {
      wasSending.current = true;
      return;
    }
    if (!wasSending.current || navigation.state !== "idle") return;
    wasSending.current = false;
    const box = composerForm.current?.elements.namedItem("message");
    if (box instanceof HTMLTextAreaElement) {
      if (!box.value && typeof typed === "string" && failedIntent === "send") box.value = typed;
      box.focus();
    }
    scrollToEnd();
  }, [sendingText, navigation.state, typed, failedIntent]);

  // The first message of a new chat was sent from a page whose box is gone: this page's box takes focus.
  useEffect(() => {
    // Taken on any arrival; honoured only for the send's own redirect (to #latest), never a search hit.
    if (!takeNewChatSent()) return;
    // The new chat's first message arrived: the draft kept on the new-chat page is sent.
    const newChatDraft = draftKeyFor(owner, "/chat");
    if (newChatDraft) clearDraft(newChatDraft);
    if (window.location.hash !== "#latest") return;
    const box = composerForm.current?.elements.namedItem("message");
    if (box instanceof HTMLTextAreaElement) box.focus({ preventScroll: true });
  }, [owner]);

  // With JS the Rename and Delete panels post their own form, without the box: its text rides along (a
  // hidden field), so the 404 of a conversation deleted meanwhile shows it back (ConversationGone). A
  // Rename that succeeds keeps nothing with JS (the box is never left); a Delete keeps it for the
  // new-conversation page it leads to (the box's page is gone).
  // An edit's Save does the same under its own name (its `message` is the edit box).
  const withBoxText = (event: FormEvent<HTMLFormElement>) => {
    const box = composerForm.current?.elements.namedItem("message");
    for (const name of ["message", BOX_TEXT_FIELD]) {
      const field = event.currentTarget.elements.namedItem(name);
      if (box instanceof HTMLTextAreaElement && field instanceof HTMLInputElement) field.value = box.value;
    }
  };

  return (
    <article className="conversation" aria-labelledby="conversation-title" ref={thread}>
      <a href="#composer-message" className="skip-link">
        Skip to the message box
      </a>
      <header className="conversation__header">
        <h1 id="conversation-title">{conversation.title}</h1>
        <div className="conversation__tools">
          <ModelPicker
            models={models}
            value={modelChoice}
            defaultLabel={defaultModelLabel}
            composerFormId={COMPOSER_FORM_ID}
          />
          <ConversationMenu conversation={conversation} />
        </div>
      </header>

      {panel === "rename" ? (
        // Until JS runs its field and button belong to the message box's form, so the box's text goes with
        // a new title; Enter in the field presses the hidden first button of that form, which renames. With
        // JS the box is not left: the panel's own form, whose checks (a title, no NUL) hold a bad one back.
        <Form method="post" className="card inline-panel" ref={panelForm} preventScrollReset onSubmit={withBoxText}>
          <input type="hidden" name="intent" value="rename" />
          {hydrated ? <input type="hidden" name="message" /> : null}
          <Field label="New title" id="rename-title" errors={renameErrors}>
            <input
              id="rename-title"
              name="title"
              form={hydrated ? undefined : COMPOSER_FORM_ID}
              // A refused title stays as typed, next to its message (JS or not).
              defaultValue={renameFailed && typeof typedTitle === "string" ? typedTitle : conversation.title}
              maxLength={120}
              required
              autoFocus
              aria-invalid={renameErrors ? true : undefined}
              aria-describedby={renameErrors ? "rename-title-error" : undefined}
            />
          </Field>
          <div className="actions">
            <button
              type="submit"
              {...(hydrated ? {} : { name: "intent", value: "rename", ...withComposerText(COMPOSER_FORM_ID) })}
            >
              Save title
            </button>
            <KeepTextLink className="button secondary" to={`/chat/${conversation.id}`}>
              Cancel
            </KeepTextLink>
          </div>
        </Form>
      ) : null}
      {panel === "delete" ? (
        <Form
          method="post"
          className="card inline-panel danger-zone"
          ref={panelForm}
          tabIndex={-1}
          aria-labelledby="delete-question"
          onSubmit={withBoxText}
        >
          <input type="hidden" name="intent" value="delete" />
          {hydrated ? <input type="hidden" name="message" /> : null}
          <p id="delete-question">Delete “{conversation.title}” and all its messages? This cannot be undone.</p>
          <div className="actions">
            {/* Until JS runs it submits the message box's form, so the box's text is not lost (it is kept
                for the new-conversation page the deletion leads to). */}
            <button
              type="submit"
              className="danger"
              {...(hydrated ? {} : { name: "intent", value: "delete", ...withComposerText(COMPOSER_FORM_ID) })}
            >
              Delete conversation
            </button>
            <KeepTextLink className="button secondary" to={`/chat/${conversation.id}`}>
              Cancel
            </KeepTextLink>
          </div>
        </Form>
      ) : null}

      {earlier ? (
        <p className="earlier">
          <KeepTextLink to={`/chat/${conversation.id}?before=${earlier}`}>Show earlier messages</KeepTextLink>
        </p>
      ) : null}
      <MessageList
        conversationId={conversation.id}
        messages={messages}
        pendingText={optimisticText}
        editableId={editableId}
        onEdit={setEditingId}
        editing={
          editing
            ? {
                id: editing.id,
                form: (
                  <Form method="post" className="edit-in-place" preventScrollReset onSubmit={withBoxText}>
                    <input type="hidden" name="messageId" value={editing.id} />
                    {hydrated ? <input type="hidden" name={BOX_TEXT_FIELD} /> : null}
                    <Composer
                      intent="edit"
                      id="edit-message"
                      label="Edit your message"
                      submitLabel="Save"
                      defaultValue={editFailed && typeof typed === "string" ? typed : (editing.content ?? "")}
                      errors={editFailed ? (lastResult?.error?.message ?? undefined) : undefined}
                      pending={navigation.state === "submitting" && navigation.formData?.get("intent") === "edit"}
                      cancelTo={`/chat/${conversation.id}#m-${editing.id}`}
                      onCancel={cancelEdit}
                      autoFocus
                    />
                  </Form>
                ),
              }
            : null
        }
      />
      {isNewestPage ? null : (
        <p className="earlier">
          <KeepTextLink to={`/chat/${conversation.id}#latest`}>Show the newest messages</KeepTextLink>
        </p>
      )}

      <FormErrors errors={lastResult?.error?.[""] ?? undefined} />
      {isNewestPage && lastMessage && lastMessage.status !== "streaming" && !editing ? (
        <div className="reply-actions">
          {lastMessage.role === "error" ? (
            <button type="submit" name="intent" value="retry" {...withComposerText(COMPOSER_FORM_ID)}>
              Retry
            </button>
          ) : null}
          {lastMessage.role === "assistant" ? (
            <button
              type="submit"
              name="intent"
              value="regenerate"
              className="secondary small"
              {...withComposerText(COMPOSER_FORM_ID)}
            >
              Regenerate
            </button>
          ) : null}
        </div>
      ) : null}

      <div id="latest" />
      {/* Re-mounted when a message of mine is added, which clears the box; a refused send keeps what was
          typed, and so does a version switch or a reply coming in. */}
      <Form
        method="post"
        className="composer-form"
        id={COMPOSER_FORM_ID}
        key={lastUser?.id ?? "empty"}
        ref={composerForm}
        onSubmit={(event) => {
          // Another form's button (Stop, Pin…) posted the box's text along: it stays in the box.
          if (!isComposerSend(event)) return;
          // My message shows in the thread at once (optimistic); the box is cleared for the next one.
          const box = event.currentTarget.elements.namedItem("message");
          if (box instanceof HTMLTextAreaElement) setTimeout(() => (box.value = ""), 0);
        }}
      >
        {awayFromEnd ? (
          <button type="button" className="jump-to-latest secondary small" onClick={jumpToLatest}>
            Jump to latest ↓
          </button>
        ) : null}
        <Composer
          intent="send"
          draft={{ key: `/chat/${conversation.id}`, sent: lastUser?.content ?? null }}
          // A refused send keeps its text; so does a refused edit with no message left to edit, and a refused
          // post of another form that came with the box's text (a model not offered, nothing to regenerate).
          defaultValue={typeof typed === "string" && !(editFailed && editing) ? typed : (unsentMessage ?? "")}
          errors={failedIntent === "send" ? (lastResult?.error?.message ?? undefined) : undefined}
          note={lastResult ? null : keptNote}
          pending={sendingText !== null}
        />
      </Form>
    </article>
  );
}

/**
 * What a post into a missing conversation answers with (404): the box's text, to start a new one with;
 * `edited`: it is an edit's text (its Save posts the edit box), and `alsoBox` the message box's own text
 * when it had other words; `note`: why the post was refused, if it was, and `noteFor` the text it is about
 * (`page`: the whole post, shown once above both).
 */
type GoneSend = {
  conversationGone: true;
  message: string;
  edited: boolean;
  alsoBox: string | null;
  note: string | null;
  noteFor: "message" | "alsoBox" | "page";
};

const GONE_TITLE = "Conversation not found · ARES";

/** With JS a card's decision (chat.$conversationId.actions.$actionId.ts) on a change not there: its 404 comes here. */
const isActionGone = (error: unknown) =>
  isRouteErrorResponse(error) && error.status === 404 && error.data === ACTION_NOT_FOUND_MESSAGE;

const isGoneSend = (value: unknown): value is GoneSend =>
  typeof value === "object" &&
  value !== null &&
  (value as Partial<GoneSend>).conversationGone === true &&
  typeof (value as Partial<GoneSend>).message === "string";

/**
 * The other form's text, sent along so the new conversation's box gets it (chat._index.tsx): its value
 * from the server works without JS; with JS it is brought up to date from the other box on submit (a
 * form's own onSubmit runs before Remix reads the form).
 */
function OtherText({ value, from }: { value: string; from: string }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const form = input.current?.form;
    if (!form) return;
    const sync = () => {
      const other = document.getElementById(from);
      if (input.current && other instanceof HTMLTextAreaElement) input.current.value = other.value;
    };
    form.addEventListener("submit", sync, { capture: true });
    return () => form.removeEventListener("submit", sync, { capture: true });
  }, [from]);
  return <input ref={input} type="hidden" name={OTHER_TEXT_FIELD} defaultValue={value} />;
}

/** The page a post into a missing conversation gets: what happened, and the text ready to send anew. */
function ConversationGone({
  message,
  edited = false,
  alsoBox = null,
  note = null,
  noteFor = "message",
  draftKey,
}: {
  message: string;
  edited?: boolean;
  alsoBox?: string | null;
  note?: string | null;
  noteFor?: GoneSend["noteFor"];
  /** The gone page's draft (drafts.ts): sent from here, it is not offered again. */
  draftKey: string | null;
}) {
  const navigation = useNavigation();
  // The tab says what the heading says. The route's meta knows only the error (a post's texts): this page
  // also shows a draft, and texts kept on screen after the address was loaded again (the theme switch).
  // Set after every render: the <title> Remix renders from meta is written on each navigation before it.
  // Put back when it goes (another address's 404 whose meta title is the one this page replaced: Remix
  // then leaves the tab as it is), if nothing has retitled it meanwhile.
  useEffect(() => {
    const before = document.title;
    document.title = GONE_TITLE;
    return () => {
      if (document.title === GONE_TITLE) document.title = before;
    };
  });
  return (
    <div className="chat-empty">
      <h1>Conversation not found</h1>
      <p className="notice" role="alert">
        This conversation was deleted (in another tab or on another device), or never existed.{" "}
        {edited
          ? "Your edited message is below, not sent: send it to start a new conversation, or copy it."
          : "What you had typed in the message box is below, not sent: send it to start a new conversation, or copy it."}
      </p>
      {note && noteFor === "page" ? (
        <p className="notice" role="status">
          {note}
        </p>
      ) : null}
      {/* The page's other buttons (the theme) may submit it (COMPOSER_FORM_ID): it must be there. */}
      <Form
        method="post"
        action="/chat?index"
        className="composer-form"
        id={COMPOSER_FORM_ID}
        onSubmit={(event) => {
          // An edit's text is not the box's draft: that one stays until its own text is sent.
          if (draftKey && !edited && isComposerSend(event)) clearDraft(draftKey);
        }}
      >
        {alsoBox !== null ? <OtherText value={alsoBox} from="gone-box-message" /> : null}
        <Composer
          defaultValue={message}
          note={noteFor === "message" ? note : null}
          pending={navigation.state === "submitting"}
        />
      </Form>
      {alsoBox !== null ? (
        <>
          <p id="gone-box-title">What you had typed in the message box is here too, not sent:</p>
          <Form
            method="post"
            action="/chat?index"
            className="composer-form"
            aria-labelledby="gone-box-title"
            onSubmit={(event) => {
              if (draftKey && isComposerSend(event)) clearDraft(draftKey);
            }}
          >
            <OtherText value={message} from="composer-message" />
            <Composer
              id="gone-box-message"
              label="What you had typed in the message box"
              defaultValue={alsoBox}
              note={noteFor === "alsoBox" ? note : null}
              pending={navigation.state === "submitting"}
            />
          </Form>
        </>
      ) : null}
    </div>
  );
}

const noDraftChanges = () => () => {};

export function ErrorBoundary() {
  const error = useRouteError();
  const { conversationId } = useParams();
  const owner = useRouteLoaderData<{ user: { email: string } | null }>("root")?.user?.email;
  const draftKey = draftKeyFor(owner, `/chat/${conversationId ?? ""}`);
  const composerForm = useComposerFormId();
  // With JS a link (Rename, Show earlier, Cancel…) to a conversation deleted meanwhile carries no text:
  // this tab's draft of its box (drafts.ts, the person's own typing) is shown instead. Read on the client
  // only: the server's page (and the first paint, hydrated from it) has none.
  const draft = useSyncExternalStore(
    noDraftChanges,
    () => (draftKey ? readDraft(draftKey) : null),
    () => null,
  );
  // With JS the theme switch on this page submits its box's form and then loads the address again, whose
  // 404 (a GET's) has none of the post's texts: the page the post got stays as it is, its boxes with
  // what is in them now (they stay mounted), instead of dropping to the draft, which lost the edit's or
  // the box's text. For this conversation only: another address's 404 is its own.
  const posted = isRouteErrorResponse(error) && isGoneSend(error.data) ? error.data : null;
  const [shown, setShown] = useState<{ conversationId: string | undefined; gone: GoneSend } | null>(null);
  if (posted && (shown?.gone !== posted || shown?.conversationId !== conversationId))
    setShown({ conversationId, gone: posted });
  if (isRouteErrorResponse(error) && error.status === 404) {
    const gone = posted ?? (shown && shown.conversationId === conversationId ? shown.gone : null);
    // Keyed by the conversation: its boxes hold their text unless remounted, and another conversation's
    // 404 showed this one's (its Send then cleared the other's draft, never shown).
    if (gone)
      return (
        <ConversationGone
          key={conversationId}
          message={gone.message}
          edited={gone.edited}
          alsoBox={gone.alsoBox}
          note={gone.note}
          noteFor={gone.noteFor}
          draftKey={draftKey}
        />
      );
    if (draft?.trim()) return <ConversationGone key={conversationId} message={draft} draftKey={draftKey} />;
  }
  return (
    <>
      {/* A card's decision on a change not there says so, as the page without JS does, not "Page not found". */}
      {isActionGone(error) ? (
        <ErrorPage title={ACTION_NOT_FOUND_TITLE} message={ACTION_NOT_FOUND_MESSAGE} />
      ) : (
        <ErrorPage />
      )}
      {/* After a post (the action's 404: the route's data is null, not absent) the theme buttons submit the
          box's form (the handle): without a form of that id they did nothing. An empty one: the theme changes
          and the switch leads back here, nothing to keep. A GET's 404 has no data: the buttons have their
          own form, and none is rendered. */}
      {composerForm ? <Form method="post" action="/theme" id={composerForm} hidden /> : null}
    </>
  );
}
