// The card a proposed calendar change shows on the assistant's reply: shared by the server (which
// writes it) and the page (which renders it).

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
