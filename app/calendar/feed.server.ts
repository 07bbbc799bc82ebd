import { createHash, randomBytes } from "node:crypto";
import { prisma } from "~/db/db.server";

// The private feed URL carries a random token; only its hash is stored, so a database leak does
// not leak working feed links. A new token replaces (revokes) the old one.

const hash = (token: string) => createHash("sha256").update(token).digest("hex");

/** Creates or replaces my feed token; the token is returned once and never stored in clear. */
export async function regenerateFeedToken(userId: string): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await prisma.calendarFeed.upsert({
    where: { userId },
    create: { userId, tokenHash: hash(token) },
    update: { tokenHash: hash(token), createdAt: new Date() },
  });
  return token;
}

export async function revokeFeedToken(userId: string): Promise<void> {
  await prisma.calendarFeed.deleteMany({ where: { userId } });
}

export async function feedCreatedAt(userId: string): Promise<Date | null> {
  const feed = await prisma.calendarFeed.findUnique({ where: { userId }, select: { createdAt: true } });
  return feed?.createdAt ?? null;
}

/** The owner of a feed token, or null (unknown or revoked). */
export async function feedOwner(token: string): Promise<{ id: string; email: string } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const feed = await prisma.calendarFeed.findUnique({
    where: { tokenHash: hash(token) },
    select: { user: { select: { id: true, email: true, disabledAt: true } } },
  });
  if (!feed || feed.user.disabledAt) return null;
  return { id: feed.user.id, email: feed.user.email };
}
