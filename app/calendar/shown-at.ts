import { formatDateTime } from "~/accounts/time-zone";

/** An instant for a page: on the viewer's clock ("4 Dec 2026, 22:14"), with its ISO value for <time dateTime>. */
export type ShownAt = { iso: string; shown: string };

export const shownAt = (date: Date | null, timeZone: string): ShownAt | null =>
  date ? { iso: date.toISOString(), shown: formatDateTime(date, timeZone) } : null;
