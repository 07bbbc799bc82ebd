import { decodeConversationCursor, encodeConversationCursor } from "~/validation/cursor";
import { ErrorPage } from "~/components/error-page";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, Outlet, useLoaderData, useLocation, useParams, useSearchParams } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { requireUser } from "~/auth/guards.server";
import chatStylesheet from "~/styles/chat.css?url";
import markdownStylesheet from "~/styles/markdown.css?url";
import memoryStylesheet from "~/styles/memory.css?url";
import { listConversations } from "~/chat/conversations.server";
import { KeyboardShortcuts, KeyboardShortcutsButton } from "~/components/chat/keyboard-shortcuts";
import { closeOnEscape } from "~/components/disclosure";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: chatStylesheet },
  { rel: "stylesheet", href: markdownStylesheet },
  { rel: "stylesheet", href: memoryStylesheet },
];

export const meta: MetaFunction = () => [{ title: "Chat · ARES" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const url = new URL(request.url);
  const { conversations, next } = await listConversations(
    user.id,
    decodeConversationCursor(url.searchParams.get("after")),
  );
  return {
    conversations: conversations.map((conversation) => ({
      ...conversation,
      lastMessageAt: conversation.lastMessageAt.toISOString(),
    })),
    next: next ? encodeConversationCursor(next) : null,
  };
}

export default function ChatLayout() {
  const { conversations, next } = useLoaderData<typeof loader>();
  const [searchParams] = useSearchParams();
  const location = useLocation();
  // The open conversation (its page or its prompt page), marked as NavLink would mark it: one lookup
  // here instead of NavLink's location, navigation and path matching for every conversation listed.
  const open = useParams().conversationId;
  const drawer = useRef<HTMLDetailsElement>(null);
  // With JS a link click does not reload the page: close the phone drawer once the new page shows.
  useEffect(() => {
    if (drawer.current) drawer.current.open = false;
  }, [location.key]);
  return (
    <div className="chat-layout">
      {/* On phones a drawer (<details>: opens and closes without JS); on wide screens always open. */}
      <details className="chat-drawer" ref={drawer} onKeyDown={closeOnEscape}>
        <summary className="chat-drawer__toggle">Conversations</summary>
        <aside className="chat-sidebar" aria-label="Conversations">
          <Link to="/chat" className="button new-chat" aria-keyshortcuts="Alt+N">
            New chat
          </Link>
          <Form method="get" action="/chat" role="search" className="chat-search">
            <label htmlFor="chat-search" className="visually-hidden">
              Search conversations
            </label>
            <input
              id="chat-search"
              type="search"
              name="q"
              placeholder="Search…"
              defaultValue={searchParams.get("q") ?? ""}
            />
          </Form>
          {conversations.length === 0 ? (
            <p className="muted">No conversations yet.</p>
          ) : (
            <ul className="conversation-list">
              {conversations.map((conversation) => (
                <li key={conversation.id}>
                  {/* #latest: a conversation opens at its newest message, with or without JS. */}
                  <Link
                    to={`/chat/${conversation.id}#latest`}
                    className={conversation.id === open ? "active" : undefined}
                    aria-current={conversation.id === open ? "page" : undefined}
                  >
                    {conversation.pinned ? (
                      <span className="pin" aria-label="Pinned" title="Pinned">
                        ★
                      </span>
                    ) : null}
                    <span className="conversation-title" dir="auto">
                      {conversation.title}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
          {next ? (
            <Link to={`?after=${next}`} className="more-link">
              Older conversations
            </Link>
          ) : null}
          <KeyboardShortcutsButton />
        </aside>
      </details>
      <section className="chat-main">
        <Outlet />
      </section>
      <KeyboardShortcuts />
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
