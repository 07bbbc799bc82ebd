import { EventNotFoundError, OccurrenceNotFoundError } from "~/calendar/events.server";

/** Runs calendar work; an event that is missing or someone else's becomes the same 404. */
export async function orNotFound<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof EventNotFoundError || error instanceof OccurrenceNotFoundError) {
      throw new Response("Not found", { status: 404 });
    }
    throw error;
  }
}
