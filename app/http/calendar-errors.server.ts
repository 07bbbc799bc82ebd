import {
  EventChangedError,
  EventNotFoundError,
  EventReadOnlyError,
  OccurrenceNotFoundError,
  OccurrenceRequiredError,
  ScopeRequiredError,
} from "~/calendar/events.server";

/** A missing or someone else's event (or occurrence) as the same 404; a subscribed calendar's event as a 403. */
function asRefusal(error: unknown): never {
  if (error instanceof EventNotFoundError || error instanceof OccurrenceNotFoundError) {
    throw new Response("Not found", { status: 404 });
  }
  if (error instanceof EventReadOnlyError) refuseReadOnly(error.subscription);
  throw error;
}

/**
 * Runs calendar work; an event that is missing or someone else's becomes the same 404, and a change to
 * an event of a subscribed calendar (read-only here) a 403 that says which subscription it is from.
 */
export async function orNotFound<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    asRefusal(error);
  }
}

/** orNotFound for work that is not a promise (reading what an event page's address asks for). */
export function orNotFoundNow<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    asRefusal(error);
  }
}

/** The edit and delete pages of an event from a subscription: 403, naming the subscription. */
export function refuseReadOnly(subscription: { id: string; name: string } | null): void {
  if (!subscription) return;
  throw new Response(new EventReadOnlyError(subscription).message, { status: 403 });
}

/** Why an edit or delete form's change was not made, said on the form with what was typed kept. */
export type FormRefusal = { status: 400 | 409; message: string; changedSince?: true };

/**
 * Runs an edit or delete form's change. The date a form names being gone by now (cancelled, or the
 * series' start moved since the page was loaded) is said on the form (409), not a 404 page that loses
 * what was typed; so are "This event" without a date and a repeating event without a choice of its
 * events (400), and an edit of an event changed since its form was loaded (409). A missing event is
 * still the 404.
 */
export async function orFormRefusal<T>(
  work: Promise<T>,
  verb: "edit" | "delete",
): Promise<{ done: T; refused?: never } | { refused: FormRefusal; done?: never }> {
  try {
    return { done: await work };
  } catch (error) {
    const nothing = verb === "edit" ? "Nothing was changed." : "Nothing was deleted.";
    if (error instanceof OccurrenceRequiredError) {
      const message = `Say which date “This event” is: open that date from the calendar and ${verb} it there. ${nothing}`;
      return { refused: { status: 400, message } };
    }
    if (error instanceof ScopeRequiredError) return { refused: { status: 400, message: CHOOSE_SCOPE[verb] } };
    if (error instanceof EventChangedError)
      return { refused: { status: 409, message: CHANGED_SINCE[verb], changedSince: true } };
    if (error instanceof OccurrenceNotFoundError)
      return { refused: { status: 409, message: `${GONE_DATE} ${nothing}` } };
    asRefusal(error);
  }
}

/** Also what a form that names no known choice (a crafted or garbled scope) is told. */
export const CHOOSE_SCOPE = {
  edit: "Choose which events to change.",
  delete: "Choose which events to delete.",
} as const;

/**
 * What a form whose version or occurrence is malformed (altered, or from an older ARES) is told: a 400 with
 * the event as it is now, never the 409 of a well-formed old version (nothing was changed elsewhere).
 */
export const FORM_ALTERED = {
  edit: "This form is out of date or was altered; here is the event as it is now. Nothing was saved: your changes are below; save again to keep them.",
  delete:
    "This form is out of date or was altered; here is the event as it is now. Nothing was deleted: delete again to delete it.",
} as const;

const CHANGED_SINCE = {
  edit: "This event was changed in another tab or by the assistant since you opened it. Your changes are below; save again to keep them.",
  delete:
    "This event was changed in another tab or by the assistant since you opened it. Nothing was deleted; it is shown below as it is now: delete again to delete it anyway.",
} as const;

const GONE_DATE = "That date is no longer in the calendar; reload to see the series as it is now.";
