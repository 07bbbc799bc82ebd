import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether an `Authorization: Bearer <token>` header carries `expected`. Both sides are hashed first
 * so the comparison takes the same time whatever the length or content of the guess.
 */
export function bearerTokenMatches(authorization: string | null | undefined, expected: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(match[1]!), digest(expected));
}
