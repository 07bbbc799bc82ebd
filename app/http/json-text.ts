/**
 * A value that travels in page data as one JSON string. Remix's serialiser (turbo-stream) writes each
 * value of a structure on its own, in JavaScript: a busy calendar week has hundreds of them, and that was
 * most of what it cost over an empty one. One native JSON.stringify (and JSON.parse in the browser) costs
 * a fraction of it. The type remembers what the string holds; only toJsonText makes one.
 */
declare const jsonOf: unique symbol;
export type JsonText<T extends JsonValue> = string & { readonly [jsonOf]: T };

/** What survives JSON.stringify and JSON.parse unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue | undefined };

export function toJsonText<T extends JsonValue>(value: T): JsonText<T> {
  return JSON.stringify(value) as JsonText<T>;
}

export function fromJsonText<T extends JsonValue>(text: JsonText<T>): T {
  return JSON.parse(text) as T;
}
