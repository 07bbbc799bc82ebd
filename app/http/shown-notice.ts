/**
 * A one-time notice as a page shows it: its words, and an id new for every redirect (so a second
 * "Saved." is announced again). Given by app/http/notice.server.ts, shown by app/components/one-time-notice.
 */
export type ShownNotice = { id: string; text: string };
