import { encodeCreatedAtCursor } from "~/validation/cursor";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/auth/guards.server";
import { startConversation } from "~/chat/chat.server";
import { searchConversations } from "~/chat/conversations.server";
import { messageText } from "~/chat/schemas";
import { renderSnippet } from "~/chat/snippet";
import { Composer } from "~/components/chat/composer";
import { FormErrors } from "~/components/forms";

// A refused send (429) carries Retry-After on the document response, not just in the data.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const query = new URL(request.url).searchParams.get("q")?.trim() ?? "";
  const hits = query ? await searchConversations(user.id, query) : [];
  return {
    query,
    hits: hits.map((hit) => ({
      title: hit.title,
      key: `${hit.conversationId}-${hit.messageId ?? "title"}`,
      // A message hit opens the page that ends with it, however old it is, scrolled to it.
      href: hit.messageId
        ? `/chat/${hit.conversationId}?through=${encodeCreatedAtCursor({ createdAt: new Date(hit.at), id: hit.messageId })}#m-${hit.messageId}`
        : `/chat/${hit.conversationId}`,
      snippet: renderSnippet(hit.snippet),
    })),
  };
}

const startSchema = z.object({ message: messageText });

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const submission = parseWithZod(await request.formData(), { schema: startSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const outcome = await startConversation(user.id, submission.value.message);
  if (!outcome.ok) {
    return data(submission.reply({ formErrors: [outcome.refusal.message] }), {
      status: 429,
      headers: { "Retry-After": String(outcome.refusal.retryAfterSeconds) },
    });
  }
  return redirect(`/chat/${outcome.conversationId}#latest`);
}

export default function ChatHome() {
  const { query, hits } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  if (query) {
    return (
      <div className="search-results">
        <h1>Search results for “{query}”</h1>
        {hits.length === 0 ? (
          <p>Nothing matches. Try fewer or different words.</p>
        ) : (
          <ul>
            {hits.map((hit) => (
              <li key={hit.key}>
                <Link to={hit.href}>{hit.title}</Link>
                <p className="snippet" dangerouslySetInnerHTML={{ __html: hit.snippet }} />
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
      <Form method="post" className="composer-form">
        <FormErrors errors={lastResult?.error?.[""] ?? undefined} />
        <Composer
          defaultValue={typeof lastResult?.initialValue?.message === "string" ? lastResult.initialValue.message : ""}
          errors={lastResult?.error?.message ?? undefined}
          pending={navigation.state === "submitting"}
        />
      </Form>
    </div>
  );
}
