import { Form, Link } from "@remix-run/react";

/** "Don't use or learn from this conversation", and the way to see what a reply was sent. */
export function ConversationMemoryToggle({ conversationId, enabled }: { conversationId: string; enabled: boolean }) {
  return (
    <>
      <Form method="post">
        <input type="hidden" name="intent" value={enabled ? "memory-off" : "memory-on"} />
        <button type="submit" className="secondary small" aria-pressed={!enabled}>
          {enabled ? "Don't use or learn from this conversation" : "Memory is off here: turn it on"}
        </button>
      </Form>
      <Link className="button secondary small" to={`/chat/${conversationId}/prompt`}>
        Prompt
      </Link>
    </>
  );
}
