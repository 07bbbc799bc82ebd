/**
 * A value that travels in page data as one JSON string. Remix's serialiser (turbo-stream) writes each
 * value of a structure on its own, in JavaScript: a busy calendar week has hundreds of them, and that was
 * most of what it cost over an empty one. One native JSON.stringify (and JSON.parse in the browser) costs
 * a fraction of it. The type remembers what the string holds.
 */
export type JsonText<T> = string & { readonly __jsonOf?: T };

export function toJsonText<T>(value: T): JsonText<T> {
  return JSON.stringify(value) as JsonText<T>;
}

export function fromJsonText<T>(text: JsonText<T>): T {
  return JSON.parse(text) as T;
}
