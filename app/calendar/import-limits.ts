/** The largest .ics file one import takes (shared with the page, which checks a chosen file's size). */
export const MAX_IMPORT_BYTES = 2_000_000;

export const IMPORT_TOO_LARGE_MESSAGE = "The file is too large: import at most 2 MB at a time.";
