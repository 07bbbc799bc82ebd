import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { ErrorPage } from "~/components/error-page";
import { NOT_FOUND_TITLE } from "~/http/refusal-text";
import { promptPage } from "~/memory/prompt-page.server";

// A conversation deleted meanwhile (or another person's) is the 404 page: its tab says so too.
export const meta: MetaFunction = ({ error }) => [
  { title: isRouteErrorResponse(error) && error.status === 404 ? `${NOT_FOUND_TITLE} · ARES` : "Prompt · Chat · ARES" },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const page = await promptPage(user, params.conversationId ?? "", new URL(request.url).searchParams.get("reply"));
  if (!page) throw new Response("Not found", { status: 404 });
  return page;
}

type ShownSection = { name: string; title: string; text: string; dropped: number; tokens: number };

function Sections({ sections, idPrefix }: { sections: ShownSection[]; idPrefix: string }) {
  const total = sections.reduce((sum, section) => sum + section.tokens, 0);
  return (
    <>
      <p className="muted">About {total.toLocaleString("en")} tokens in all.</p>
      {sections.map((section) => (
        <section
          key={section.name}
          className="prompt-section"
          data-section={section.name}
          id={`${idPrefix}-${section.name}`}
        >
          <h3>
            {section.title}{" "}
            <span className="muted">
              · {section.tokens.toLocaleString("en")} tokens
              {section.dropped ? ` · ${section.dropped} left out to fit` : ""}
            </span>
          </h3>
          {section.text ? (
            // Focusable: a long line scrolls inside it, by keyboard too.
            <pre tabIndex={0}>{section.text}</pre>
          ) : (
            <p className="muted">
              {section.name === "calendar"
                ? "Empty: this prompt was written before the calendar was part of it."
                : "Empty."}
            </p>
          )}
        </section>
      ))}
    </>
  );
}

export default function PromptPage() {
  const { dropOrder, conversationId, replies, sent, next } = useLoaderData<typeof loader>();
  return (
    <article className="memory-page">
      <p>
        <Link to={`/chat/${conversationId}`} className="standalone-link">
          ← Back to the conversation
        </Link>
      </p>
      <h1>What ARES sends</h1>
      <p className="muted">
        Sections are sent in this order. When a prompt is too long for the model, whole items are left out: first{" "}
        {dropOrder}. The system prompt, working memory, calendar and your message are always sent.
      </p>
      <section className="card" aria-labelledby="sent-title">
        <h2 id="sent-title">
          Sent for{" "}
          {sent ? (
            <>
              the reply of <time dateTime={sent.createdAt}>{sent.sentAt}</time>
            </>
          ) : (
            "a reply"
          )}
        </h2>
        {replies.length > 1 ? (
          <nav aria-label="Replies">
            Other replies:{" "}
            {replies.map((reply, index) => (
              <span key={reply.messageId}>
                <Link to={`?reply=${reply.messageId}`} className="standalone-link">
                  #{replies.length - index}
                </Link>{" "}
              </span>
            ))}
          </nav>
        ) : null}
        {sent ? <Sections sections={sent.sections} idPrefix="sent" /> : <p>No reply in this conversation yet.</p>}
      </section>
      <section className="card" aria-labelledby="next-title">
        <h2 id="next-title">Would be sent with your next message</h2>
        <Sections sections={next.sections} idPrefix="next" />
      </section>
    </article>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
