/** The largest .ics file one import takes (shared with the page, which checks a chosen file's size). */
export const MAX_IMPORT_BYTES = 2_000_000;

export const IMPORT_TOO_LARGE_MESSAGE = "The file is too large: import at most 2 MB at a time.";

/**
 * The most events one import takes: a person's own calendar export, years of it, fits (a busy
 * calendar holds a few thousand series and events); a larger file is refused before anything is
 * written rather than held in one long transaction (on the embedded database, every other request
 * waits for it).
 */
export const MAX_IMPORT_EVENTS = 5_000;

export function tooManyEventsMessage(count: number): string {
  return `It has ${count.toLocaleString("en-GB")} events: import at most ${MAX_IMPORT_EVENTS.toLocaleString("en-GB")} at a time.`;
}
