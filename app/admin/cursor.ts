/** A keyset position on (createdAt, id), carried in a URL as one opaque, URL-safe token. */
export type KeysetCursor = { createdAt: Date; id: string };

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString("base64url");
}

/** null for anything that is not a cursor we made: a hand-edited link starts again from the first page. */
export function decodeCursor(token: string | null | undefined): KeysetCursor | null {
  if (!token || token.length > 200) return null;
  const [iso, id, ...rest] = Buffer.from(token, "base64url").toString("utf8").split("|");
  if (!iso || !id || rest.length > 0 || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) return null;
  const createdAt = new Date(iso);
  return Number.isNaN(createdAt.getTime()) ? null : { createdAt, id };
}
