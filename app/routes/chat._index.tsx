import { encodeCreatedAtCursor } from "~/validation/cursor";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/auth/guards.server";
import { startConversation } from "~/chat/chat.server";
import { searchConversations } from "~/chat/conversations.server";
import { messageText, OTHER_TEXT_FIELD } from "~/chat/schemas";
import { groupByConversation, SEARCH_HITS_SHOWN, snippetAtWordBoundaries } from "~/chat/search-results";
import { renderSnippet } from "~/chat/snippet";
import { useEffect } from "react";
import { Composer } from "~/components/chat/composer";
import { markNewChatSent, takeNewChatSent } from "~/components/chat/new-chat-focus";
import { FormErrors } from "~/components/forms";
import { OneTimeNotice } from "~/components/one-time-notice";
import { takeNotice } from "~/http/notice.server";
import { keepComposerText, takeKeptText } from "~/chat/kept-text.server";
import { refusedFormReply, retryAfterHeaders } from "~/http/write-limit.server";

// A refused send (429) carries Retry-After on the document response, not just in the data.
export { retryAfterHeaders as headers };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const query = new URL(request.url).searchParams.get("q")?.trim() ?? "";
  // One more than is shown tells whether there are more.
  const found = query ? await searchConversations(user.id, query, SEARCH_HITS_SHOWN + 1) : [];
  const hits = found.slice(0, SEARCH_HITS_SHOWN);
  // Where a deleted conversation's page sends the person: said once, not again on reload.
  const { notice, headers } = await takeNotice(request, user.id, {
    deleted: "Conversation deleted.",
    // Deleted without JS with text in its message box (the delete button submits the box's form).
    "deleted-kept": "Conversation deleted. What you had typed in its message box is in the box below.",
  });
  // A message sent without JS after the session had ended, back in the box once signed in again.
  const unsent = await takeKeptText(request, user.id);
  for (const cookie of unsent.headers.getSetCookie()) headers.append("Set-Cookie", cookie);
  const page = {
    query,
    moreThanShown: found.length > hits.length,
    deleted: notice,
    unsentMessage: unsent.message,
    unsentNote: unsent.note,
    conversations: groupByConversation(hits).map((group) => ({
      title: group.title,
      href: `/chat/${group.conversationId}`,
      hits: group.hits.map((hit) => ({
        key: hit.messageId ?? "title",
        kind: hit.kind,
        // A message hit opens the page that ends with it, however old it is, scrolled to it.
        href: hit.messageId
          ? `/chat/${hit.conversationId}?through=${encodeCreatedAtCursor({ createdAt: new Date(hit.at), id: hit.messageId })}#m-${hit.messageId}`
          : null,
        snippet: renderSnippet(snippetAtWordBoundaries(hit.snippet, hit.source)),
      })),
    })),
  };
  return data(page, { headers });
}

const startSchema = z.object({ message: messageText });

const otherAsMessage = (text: string) => {
  const form = new FormData();
  form.set("message", text);
  return form;
};

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await request.formData();
  const submission = parseWithZod(form, { schema: startSchema });
  // Refused before it got here (a NUL in it, or the write limit): this page, with the message kept and why.
  const refused = refusedFormReply(context, (options) => submission.reply(options));
  if (refused) return refused;
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const outcome = await startConversation(user.id, submission.value.message);
  if (!outcome.ok) {
    return data(submission.reply({ formErrors: [outcome.refusal.message] }), {
      status: 429,
      headers: { "Retry-After": String(outcome.refusal.retryAfterSeconds) },
    });
  }
  const to = `/chat/${outcome.conversationId}`;
  // Sent from the 404 of a conversation deleted meanwhile that showed two texts (an edit's and the box's):
  // the other one comes back in the new conversation's box, so neither is lost (ADR 015).
  const other = form.get(OTHER_TEXT_FIELD);
  const kept =
    typeof other === "string" && other.trim()
      ? await keepComposerText(otherAsMessage(other), to, user.id, {
          hadNul: context.formHadNul === true,
        })
      : null;
  return redirect(`${to}#latest`, kept ? { headers: { "Set-Cookie": kept.setCookie } } : undefined);
}

const MATCHED: Record<"title" | "mine" | "reply", string> = {
  title: "Title",
  mine: "My message",
  reply: "Reply",
};

export default function ChatHome() {
  const { query, moreThanShown, conversations, deleted, unsentMessage, unsentNote } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const sentOther = lastResult?.initialValue?.[OTHER_TEXT_FIELD];
  const refusedOther = typeof sentOther === "string" && sentOther.trim() ? sentOther : null;
  // A refused send stays here: its mark must not move focus on some later arrival.
  useEffect(() => {
    if (lastResult) takeNewChatSent();
  }, [lastResult]);
  // With JS its answer shows at the form's action address, which Remix spells `/chat?index` for this index
  // route: the address bar gets the page's own address back (a reload or a shared link is then the page).
  useEffect(() => {
    if (!lastResult) return;
    const address = new URL(window.location.href);
    if (!address.searchParams.has("index")) return;
    address.searchParams.delete("index");
    window.history.replaceState(window.history.state, "", `${address.pathname}${address.search}${address.hash}`);
  }, [lastResult]);
  if (query) {
    return (
      <div className="search-results">
        <h1>Search results for “{query}”</h1>
        {moreThanShown ? (
          <p className="search-limited">
            {`These are the ${SEARCH_HITS_SHOWN} newest matches; there are more. Add words to find older ones.`}
          </p>
        ) : null}
        {conversations.length === 0 ? (
          <p>Nothing matches. Try fewer or different words.</p>
        ) : (
          <ul className="search-groups">
            {conversations.map((conversation) => (
              <li key={conversation.href} className="search-group">
                <h2>
                  <Link to={conversation.href}>{conversation.title}</Link>
                </h2>
                <ul className="search-hits">
                  {conversation.hits.map((hit) => (
                    <li key={hit.key} data-matched={hit.kind}>
                      <span className="badge">{MATCHED[hit.kind]}</span>{" "}
                      {hit.href ? (
                        <Link to={hit.href}>
                          <span className="snippet" dangerouslySetInnerHTML={{ __html: hit.snippet }} />
                        </Link>
                      ) : (
                        <span className="snippet" dangerouslySetInnerHTML={{ __html: hit.snippet }} />
                      )}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  return (
    <div className="chat-empty">
      <h1>What can I help you with?</h1>
      {/* Not repeated under a refused send. */}
      <OneTimeNotice notice={deleted} hidden={Boolean(lastResult)} />
      <Form method="post" className="composer-form" onSubmit={markNewChatSent}>
        <FormErrors errors={lastResult?.error?.[""] ?? undefined} />
        <Composer
          draft={{ key: "/chat", sent: null }}
          defaultValue={
            typeof lastResult?.initialValue?.message === "string"
              ? lastResult.initialValue.message
              : (unsentMessage ?? "")
          }
          errors={lastResult?.error?.message ?? undefined}
          note={lastResult ? null : unsentNote}
          pending={navigation.state === "submitting"}
        />
        {refusedOther ? (
          // A refused send from the two-text 404 of a conversation deleted meanwhile (ADR 015): the other
          // text is shown and sent again with this form, so neither is lost.
          <p className="composer-other">
            <label htmlFor="composer-other-text">
              The other text you had, put in the new conversation&apos;s box once this is sent:
            </label>
            <textarea id="composer-other-text" name={OTHER_TEXT_FIELD} defaultValue={refusedOther} rows={3} />
          </p>
        ) : null}
      </Form>
    </div>
  );
}
