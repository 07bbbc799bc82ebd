import { EventNotFoundError, EventReadOnlyError, OccurrenceNotFoundError } from "~/calendar/events.server";

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
