import { z } from "zod";

/**
 * The one codec for keyset positions carried in URLs (`?cursor=`, `?before=`, `?after=`): the key's
 * parts as a JSON array, base64url-encoded into one opaque token. Decoding returns null for anything
 * we did not make, so a hand-edited link starts again from the first page instead of failing.
 */
type CursorPart = string | number | boolean;

const MAX_TOKEN_LENGTH = 300;
// Years 0000 and 10000+ (reachable through an offset) are valid ISO text that PostgreSQL cannot compare
// with: out of range they are no position of ours, like any other token we did not make.
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const timestamp = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .refine((date) => date.getTime() >= EARLIEST && date.getTime() <= LATEST);
const rowId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export function encodeCursor(parts: readonly CursorPart[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

export function decodeCursor<T>(token: string | null | undefined, shape: z.ZodType<T, unknown>): T | null {
  if (!token || token.length > MAX_TOKEN_LENGTH) return null;
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
  const parsed = shape.safeParse(parts);
  return parsed.success ? parsed.data : null;
}

/** The usual key: newest first by creation time, the row id breaking ties. */
export type CreatedAtCursor = { createdAt: Date; id: string };

const createdAtShape = z.tuple([timestamp, rowId]).transform(([createdAt, id]) => ({ createdAt, id }));

export function encodeCreatedAtCursor(cursor: CreatedAtCursor): string {
  return encodeCursor([cursor.createdAt.toISOString(), cursor.id]);
}

export function decodeCreatedAtCursor(token: string | null | undefined): CreatedAtCursor | null {
  return decodeCursor(token, createdAtShape);
}

/** Conversations: pinned ones first, then by last message, the id breaking ties. */
export type ConversationCursor = { pinned: boolean; lastMessageAt: Date; id: string };

const conversationShape = z
  .tuple([z.boolean(), timestamp, rowId])
  .transform(([pinned, lastMessageAt, id]) => ({ pinned, lastMessageAt, id }));

export function encodeConversationCursor(cursor: ConversationCursor): string {
  return encodeCursor([cursor.pinned, cursor.lastMessageAt.toISOString(), cursor.id]);
}

export function decodeConversationCursor(token: string | null | undefined): ConversationCursor | null {
  return decodeCursor(token, conversationShape);
}
