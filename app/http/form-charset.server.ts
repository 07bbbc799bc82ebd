/**
 * Decoding an application/x-www-form-urlencoded body in the charset it declares. WHATWG's urlencoded
 * parser always assumes UTF-8 and replaces what does not decode with U+FFFD, so a Latin-1 "é" was
 * stored as "\uFFFD"; here a body is decoded as declared, or refused when it is not valid text.
 */

import { parse } from "content-type";

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The charset label a Content-Type declares (`charset=x`, `"x"` or `'x'`) as written, undefined when none;
 * null when the header is not a valid Content-Type (RFC 9110 §8.3). Read by the `content-type` parser, so
 * a charset inside another parameter's quoted value (`foo="x;charset=latin1"`) is not the body's.
 */
function charsetLabel(contentType: string): string | null | undefined {
  let charset: string | undefined;
  try {
    charset = parse(contentType).parameters.charset;
  } catch {
    return null;
  }
  // 'x' is a token to the parser (an apostrophe is a token character); old clients quote this way.
  return charset?.replace(/^'(.*)'$/, "$1") || undefined;
}

/**
 * The charset a JSON body declares when it is not UTF-8 (none declared is UTF-8; "utf8" is its alias, and
 * a label no decoder knows is not UTF-8 either); null when the Content-Type cannot be read.
 */
export function nonUtf8Charset(contentType: string): string | null | undefined {
  const label = charsetLabel(contentType);
  if (!label) return label;
  try {
    return new TextDecoder(label).encoding === "utf-8" ? undefined : label;
  } catch {
    return label;
  }
}

/**
 * The charset a form body declares (`charset=x`, `"x"` or `'x'`), as a TextDecoder label: UTF-8 when
 * none is declared (as browsers send it) or the label is unknown (an old client's typo was read as
 * UTF-8 before; its bytes are still refused when they are not UTF-8).
 */
export function declaredCharset(contentType: string): string {
  const label = charsetLabel(contentType);
  // None declared, or a header that cannot be read: UTF-8, and bytes that are not UTF-8 are still refused.
  if (!label) return "utf-8";
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return "utf-8";
  }
}

/** The bytes a urlencoded name or value stands for: `+` is a space, `%XX` a byte, the rest (a stray `%`) as sent. */
export function percentDecodedBytes(raw: Buffer): Buffer {
  const out = Buffer.alloc(raw.length);
  let length = 0;
  const hex = (byte: number | undefined) =>
    byte !== undefined &&
    ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66));
  for (let index = 0; index < raw.length; index++) {
    const byte = raw[index]!;
    if (byte === 0x2b) out[length++] = 0x20;
    else if (byte === 0x25 && hex(raw[index + 1]) && hex(raw[index + 2])) {
      out[length++] = Number.parseInt(raw.toString("latin1", index + 1, index + 3), 16);
      index += 2;
    } else out[length++] = byte;
  }
  return out.subarray(0, length);
}

/**
 * A urlencoded form's fields, decoded in its declared charset. Empty pairs (`a=1&&b=2`) are skipped and
 * a name without `=` has the value "", as WHATWG's parser does; a UTF-8 byte order mark before the body
 * is dropped. Null when a field is not valid text in that charset (e.g. `%ED%A0%80`, a surrogate), or
 * the charset is one a urlencoded body cannot be in (UTF-16's ASCII bytes are not ASCII).
 */
export function decodeForm(bytes: Buffer, contentType: string): Array<[string, string]> | null {
  const charset = declaredCharset(contentType);
  if (charset.startsWith("utf-16") || charset === "replacement") return null;
  // ignoreBOM: a BOM is only stripped at the start of the body, never from each field's start.
  const decoder = new TextDecoder(charset, { fatal: true, ignoreBOM: true });
  const body = charset === "utf-8" && bytes.subarray(0, 3).equals(UTF8_BOM) ? bytes.subarray(3) : bytes;
  const fields: Array<[string, string]> = [];
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x26, start);
    if (end < 0) end = body.length;
    const part = body.subarray(start, end);
    start = end + 1;
    if (part.length === 0) continue;
    const equals = part.indexOf(0x3d);
    const name = equals < 0 ? part : part.subarray(0, equals);
    const value = equals < 0 ? Buffer.alloc(0) : part.subarray(equals + 1);
    try {
      fields.push([decoder.decode(percentDecodedBytes(name)), decoder.decode(percentDecodedBytes(value))]);
    } catch {
      return null;
    }
  }
  return fields;
}
