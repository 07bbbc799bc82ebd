import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { ConversationNotFoundError } from "~/chat/conversations.server";
import { previewNextPrompt } from "~/chat/prompt-preview.server";
import { DROP_ORDER, SECTION_TITLES, type AssembledSection } from "~/chat/prompt.server";
import { ErrorPage } from "~/components/error-page";
import { countTokens } from "~/llm/router.server";
import { conversationReplyPrompts } from "~/memory/reply-prompts.server";

export const meta: MetaFunction = () => [{ title: "Prompt · Chat · ARES" }];

function notFound(): never {
  throw new Response("Not found", { status: 404 });
}

/** Token counts are computed when the page is viewed: the send path stores text only. */
function withTokens(sections: AssembledSection[]) {
  return sections.map((section) => ({ ...section, tokens: countTokens(section.text) }));
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const conversationId = params.conversationId ?? notFound();
  const next = await previewNextPrompt(user.id, conversationId).catch((error: unknown) => {
    if (error instanceof ConversationNotFoundError) notFound();
    throw error;
  });
  const stored = await conversationReplyPrompts(user.id, conversationId);
  const wanted = new URL(request.url).searchParams.get("reply");
  const sent = wanted ? stored.find((prompt) => prompt.messageId === wanted) : stored[0];
  if (wanted && !sent) notFound();
  return {
    conversationId,
    replies: stored.map((prompt) => ({ messageId: prompt.messageId, createdAt: prompt.createdAt.toISOString() })),
    sent: sent
      ? {
          messageId: sent.messageId,
          createdAt: sent.createdAt.toISOString(),
          sections: withTokens(sent.sections),
          memories: sent.memories,
        }
      : null,
    next: { sections: withTokens(next.sections), memories: next.memories },
  };
}

type ShownSection = AssembledSection & { tokens: number };

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
            {SECTION_TITLES[section.name]}{" "}
            <span className="muted">
              · {section.tokens.toLocaleString("en")} tokens
              {section.dropped ? ` · ${section.dropped} left out to fit` : ""}
            </span>
          </h3>
          {section.text ? (
            <pre>{section.text}</pre>
          ) : (
            <p className="muted">
              {section.name === "calendar" ? "Empty: the calendar is not connected yet." : "Empty."}
            </p>
          )}
        </section>
      ))}
    </>
  );
}

export default function PromptPage() {
  const { conversationId, replies, sent, next } = useLoaderData<typeof loader>();
  return (
    <article className="memory-page">
      <p>
        <Link to={`/chat/${conversationId}`}>← Back to the conversation</Link>
      </p>
      <h1>What ARES sends</h1>
      <p className="muted">
        Sections are sent in this order. When a prompt is too long for the model, whole items are left out: first{" "}
        {DROP_ORDER.map((name) => SECTION_TITLES[name].toLowerCase()).join(", then ")}. The system prompt, working
        memory, calendar and your message are always sent.
      </p>
      <section className="card" aria-labelledby="sent-title">
        <h2 id="sent-title">Sent for {sent ? `the reply of ${new Date(sent.createdAt).toUTCString()}` : "a reply"}</h2>
        {replies.length > 1 ? (
          <nav aria-label="Replies">
            Other replies:{" "}
            {replies.map((reply, index) => (
              <span key={reply.messageId}>
                <Link to={`?reply=${reply.messageId}`}>#{replies.length - index}</Link>{" "}
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
