// The card a proposed calendar change shows on the assistant's reply: shared by the server (which
// writes it) and the page (which renders it).

/** How long after Confirm a change can be undone. */
export const UNDO_MINUTES = 10;

/**
 * Why a decision on a card was refused, as the page the person lands on says it. A code travels in the
 * address (so the message shows with JS or without), never the text: a link cannot make a card say
 * something else.
 */
export const REFUSALS = {
  decided: "Nothing changed: this change was already decided.",
  expired: `Not undone: a change can be undone for ${UNDO_MINUTES} minutes after it was confirmed.`,
  undone: "Not undone: this change was already undone.",
  "imported-again": "Not undone: the event was imported again since, and the imported copy stays.",
  "changed-again": "Not undone: the event was changed again since, and that change stays.",
  subscribed:
    "Not undone: the event comes from a subscribed calendar now, whose feed owns it; nothing was changed. Change it at its source.",
} as const;

export type Refusal = keyof typeof REFUSALS;

export function isRefusal(value: string | null): value is Refusal {
  return value !== null && Object.hasOwn(REFUSALS, value);
}

/** What the event is now and what it would be, in plain words. */
export type ActionPreview = {
  title: string;
  before: string[] | null;
  after: string[] | null;
  /** For a repeating event: which occurrences the change touches. */
  affects: string | null;
};

export type ActionCard = {
  id: string;
  messageId: string;
  kind: "create" | "update" | "delete";
  status: "pending" | "confirmed" | "cancelled" | "undone";
  preview: ActionPreview;
  /** ISO time until which Undo is offered (confirmed actions only). */
  undoUntil: string | null;
  /** The same in the person's zone, e.g. "14:32". */
  undoUntilText: string | null;
  /** Why a confirmed change could not be applied. */
  note: string | null;
};
