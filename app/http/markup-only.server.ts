/**
 * Keeps `key` readable by the server's render of this document but out of the page's hydration data:
 * Remix serialises loader data with turbo-stream, which writes an object's own enumerable keys only.
 * For markup the browser takes back from the page itself (app/components/chat/from-the-page.ts), which
 * would otherwise travel twice — once in the HTML and once, escaped, in the hydration script.
 * Only for document requests: a `.data` request has no markup to take it back from.
 */
export function markupOnly<T extends object, K extends keyof T>(item: T, key: K): Omit<T, K> & Partial<Pick<T, K>> {
  Object.defineProperty(item, key, { value: item[key], enumerable: false, writable: false });
  // The type says what the browser gets: on a hydrated document the key is absent.
  return item;
}
