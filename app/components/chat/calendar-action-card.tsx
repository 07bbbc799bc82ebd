import { Form, useSearchParams } from "@remix-run/react";
import { type ActionCard, REFUSALS, isRefusal } from "~/calendar/action-card";
import { useComposerFormId, withComposerText } from "./composer";

function Lines({ heading, lines }: { heading: string; lines: string[] }) {
  return (
    <div className="calendar-action__side">
      <h4>{heading}</h4>
      <ul>
        {lines.map((line, index) => (
          <li key={index}>{line}</li>
        ))}
      </ul>
    </div>
  );
}

const STATUS_TEXT: Record<ActionCard["status"], string> = {
  pending: "Waiting for you: nothing changes until you confirm.",
  confirmed: "Confirmed: your calendar was changed.",
  cancelled: "Cancelled: nothing was changed.",
  undone: "Undone: your calendar is as it was before.",
};

/**
 * A change the assistant proposed; plain forms, so Confirm, Cancel and Undo work without JavaScript. On a
 * page with the message box their buttons submit the box's form to the card's action, so what is typed
 * there is kept (no JS).
 */
export function CalendarActionCard({ conversationId, card }: { conversationId: string; card: ActionCard }) {
  const action = `/chat/${conversationId}/actions/${card.id}`;
  const composerForm = useComposerFormId();
  const decide = (intent: "confirm" | "cancel" | "undo") =>
    composerForm ? { name: "intent", value: intent, ...withComposerText(composerForm, action) } : {};
  // A decision on this card the server refused (it redirects here with the reason's code).
  const [searchParams] = useSearchParams();
  const refused = searchParams.get("action") === card.id ? searchParams.get("refused") : null;
  return (
    <section
      className="card calendar-action"
      id={`action-${card.id}`}
      data-testid="calendar-action"
      data-status={card.status}
      aria-label={card.preview.title}
    >
      <h3>{card.preview.title}</h3>
      <div className="calendar-action__sides">
        {card.preview.before ? (
          <Lines heading={card.kind === "delete" ? "To delete" : "Now"} lines={card.preview.before} />
        ) : null}
        {card.preview.after ? (
          <Lines heading={card.kind === "create" ? "New event" : "After the change"} lines={card.preview.after} />
        ) : null}
      </div>
      {card.preview.affects ? <p>Affects: {card.preview.affects}</p> : null}
      {isRefusal(refused) ? (
        <p className="form-error" role="alert">
          {REFUSALS[refused]}
        </p>
      ) : null}
      <p className="muted" role="status">
        {card.note ?? STATUS_TEXT[card.status]}
      </p>
      {card.status === "pending" ? (
        <div className="calendar-action__buttons">
          <Form method="post" action={action}>
            <input type="hidden" name="intent" value="confirm" />
            <button type="submit" {...decide("confirm")}>
              Confirm
            </button>
          </Form>
          <Form method="post" action={action}>
            <input type="hidden" name="intent" value="cancel" />
            <button type="submit" className="secondary" {...decide("cancel")}>
              Cancel
            </button>
          </Form>
        </div>
      ) : null}
      {card.undoUntil ? (
        <Form method="post" action={action}>
          <input type="hidden" name="intent" value="undo" />
          <button type="submit" className="secondary" {...decide("undo")}>
            Undo
          </button>{" "}
          <span className="muted">
            until <time dateTime={card.undoUntil}>{card.undoUntilText}</time>
          </span>
        </Form>
      ) : null}
    </section>
  );
}
