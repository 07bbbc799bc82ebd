import { Link } from "@remix-run/react";
import { withComposerText } from "./composer";

/** Conversation-menu items: "Don't use or learn from this conversation", and the way to see what a reply was sent. */
export function ConversationMemoryToggle({
  conversationId,
  enabled,
  composerFormId,
}: {
  conversationId: string;
  enabled: boolean;
  /** The page's message box form: the button submits it, so what is typed there is kept (no JS). */
  composerFormId: string;
}) {
  return (
    <>
      <button
        type="submit"
        className="menu__item"
        aria-pressed={!enabled}
        name="intent"
        value={enabled ? "memory-off" : "memory-on"}
        {...withComposerText(composerFormId)}
      >
        {enabled ? "Don't use or learn from this conversation" : "Memory is off here: turn it on"}
      </button>
      <Link className="menu__item" to={`/chat/${conversationId}/prompt`}>
        Prompt
      </Link>
    </>
  );
}
