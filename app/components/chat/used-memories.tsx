import { Link } from "@remix-run/react";

export type UsedMemory = { type: "fact" | "preference" | "summary"; label: string };

/** "Used 3 memories": which of my memories a reply's prompt carried; a <details> works without JS. */
export function UsedMemories({
  conversationId,
  messageId,
  memories,
}: {
  conversationId: string;
  messageId: string;
  memories: UsedMemory[] | undefined;
}) {
  if (!memories || memories.length === 0) return null;
  return (
    <details className="used-memories" data-testid="used-memories">
      <summary>{`used ${memories.length} ${memories.length === 1 ? "memory" : "memories"}`}</summary>
      <ul>
        {memories.map((memory, index) => (
          <li key={index}>
            {memory.type === "summary" ? "earlier conversation" : memory.type}: {memory.label}
          </li>
        ))}
      </ul>
      <Link to={`/chat/${conversationId}/prompt?reply=${messageId}`} className="standalone-link">
        See the whole prompt
      </Link>
    </details>
  );
}
