import { Form, Link } from "@remix-run/react";

/** Conversation-menu items: "Don't use or learn from this conversation", and the way to see what a reply was sent. */
export function ConversationMemoryToggle({ conversationId, enabled }: { conversationId: string; enabled: boolean }) {
  return (
    <>
      <Form method="post">
        <input type="hidden" name="intent" value={enabled ? "memory-off" : "memory-on"} />
        <button type="submit" className="menu__item" aria-pressed={!enabled}>
          {enabled ? "Don't use or learn from this conversation" : "Memory is off here: turn it on"}
        </button>
      </Form>
      <Link className="menu__item" to={`/chat/${conversationId}/prompt`}>
        Prompt
      </Link>
    </>
  );
}
