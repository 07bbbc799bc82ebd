import type { ShownAt } from "~/calendar/shown-at";

/** When something happened or will, as the loader wrote it on the viewer's clock; "never" for none. */
export function When({ at }: { at: ShownAt | null }) {
  return at ? <time dateTime={at.iso}>{at.shown}</time> : <>never</>;
}
