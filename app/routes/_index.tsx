import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { formatDateTime } from "~/accounts/time-zone";
import { listConversations } from "~/chat/conversations.server";
import { Composer } from "~/components/chat/composer";
import { markNewChatSent } from "~/components/chat/new-chat-focus";
import { OneTimeNotice } from "~/components/one-time-notice";
import { takeNotice } from "~/http/notice.server";
import type { ShownNotice } from "~/http/shown-notice";
import chatStylesheet from "~/styles/chat.css?url";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.today ? "Today · ARES" : "ARES — your personal assistant" },
];

export const links: LinksFunction = () => [{ rel: "stylesheet", href: chatStylesheet }];

const RECENT = 8;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = context.auth.user;
  if (!user) {
    const { notice, headers } = await takeNotice(request, null, {
      deleted: "Your account and everything in it have been deleted.",
    });
    return data({ today: null, notice }, { headers });
  }
  const { conversations } = await listConversations(user.id, null, RECENT);
  return {
    notice: null,
    today: {
      name: user.name ?? user.email,
      recent: conversations.map((conversation) => ({
        id: conversation.id,
        title: conversation.title,
        pinned: conversation.pinned,
        at: conversation.lastMessageAt.toISOString(),
        when: formatDateTime(conversation.lastMessageAt, user.timeZone),
      })),
    },
  };
}

function Landing({ notice }: { notice: ShownNotice | null }) {
  return (
    <section className="home">
      <OneTimeNotice notice={notice} />
      <h1>ARES</h1>
      <p className="lead">
        A personal AI assistant that runs on your own server. Chat with the model you choose — through OpenRouter or a
        local Ollama — and keep every conversation searchable, exportable and on your own machine.
      </p>
      <p className="actions">
        <Link className="button" to="/login">
          Sign in
        </Link>
        <Link className="button secondary" to="/signup">
          Create an account
        </Link>
      </p>
    </section>
  );
}

/** Signed in, "/" is where the day starts: a message box and the conversations to pick up again. */
export default function Home() {
  const { today, notice } = useLoaderData<typeof loader>();
  if (!today) return <Landing notice={notice} />;
  return (
    <section className="today" aria-labelledby="today-title">
      <h1 id="today-title">Today</h1>
      <p className="lead">Welcome back, {today.name}.</p>
      <Form method="post" action="/chat?index" className="composer-form card" onSubmit={markNewChatSent}>
        <Composer label="Start a new conversation" />
      </Form>
      <h2 className="section-title">Recent conversations</h2>
      {today.recent.length === 0 ? (
        <p className="muted">Nothing yet: your conversations will be listed here.</p>
      ) : (
        <ul className="recent-list">
          {today.recent.map((conversation) => (
            <li key={conversation.id}>
              <Link to={`/chat/${conversation.id}#latest`}>
                {conversation.pinned ? (
                  <span className="pin" aria-label="Pinned" title="Pinned">
                    ★
                  </span>
                ) : null}
                <span className="conversation-title" dir="auto">
                  {conversation.title}
                </span>
              </Link>
              <time dateTime={conversation.at} className="muted">
                {conversation.when}
              </time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
