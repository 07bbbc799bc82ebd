import { createHash, randomBytes } from "node:crypto";
import { prisma } from "~/db/db.server";
import { queryRows } from "~/db/sql.server";
import { computed, rowContract, type RowOf } from "~/db/row-contract";
import { Prisma } from "~/generated/prisma/client";
import { PERSISTENT_SESSION_DAYS } from "./cookie.server";
import type { RequestAuth, SessionEndReason } from "./types";

const DAY_MS = 24 * 60 * 60 * 1000;
/** A browser-session login stays valid this long after its last use. */
const BROWSER_SESSION_IDLE_MS = DAY_MS;
/** lastSeenAt is written at most this often, so a busy page costs no extra write per request. */
const LAST_SEEN_GRANULARITY_MS = 60_000;
/** Ended sessions stay listed for a while, then are purged. */
const PURGE_AFTER_MS = 7 * DAY_MS;

export type NewSession = {
  userId: string;
  persistent: boolean;
  method: "password" | "auth0";
  ip: string | undefined;
  userAgent: string | undefined;
};

function expiryFor(persistent: boolean, from = Date.now()): Date {
  return new Date(from + (persistent ? PERSISTENT_SESSION_DAYS * DAY_MS : BROWSER_SESSION_IDLE_MS));
}

/**
 * A session's row id: the SHA-256 digest (hex) of the secret its cookie carries. The table, backups and
 * audit entries hold no value that signs anyone in.
 */
export function sessionRowId(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

function newSessionSecret(): { secret: string; id: string } {
  const secret = randomBytes(32).toString("base64url");
  return { secret, id: sessionRowId(secret) };
}

/**
 * A new session with a fresh, unguessable secret — every login gets a new one (no fixation). Returns
 * the secret for the cookie; the row stores only its digest.
 *
 * `generation`: the account's credentialGeneration the sign-in read with the credentials it checked. The
 * session is written only while it is still current, under a share lock on the account row that a
 * revocation's increment waits for (auth/revocation.server.ts); null when it changed meanwhile (the
 * password was changed or sign-ins were revoked after it was checked): nothing was written.
 */
export function createSession(input: NewSession): Promise<string>;
export function createSession(input: NewSession, generation: number | undefined): Promise<string | null>;
export async function createSession(input: NewSession, generation?: number): Promise<string | null> {
  const { secret, id } = newSessionSecret();
  const data = {
    id,
    userId: input.userId,
    persistent: input.persistent,
    method: input.method,
    ip: input.ip ?? null,
    userAgent: input.userAgent?.slice(0, 512) ?? null,
    expiresAt: expiryFor(input.persistent),
  };
  if (generation === undefined) {
    await prisma.session.create({ data });
    return secret;
  }
  return prisma.$transaction(async (tx) => {
    const [account] = await tx.$queryRaw<Array<{ credentialGeneration: number }>>`
      SELECT "credentialGeneration" FROM "User" WHERE id = ${input.userId} FOR SHARE`;
    if (account?.credentialGeneration !== generation) return null;
    await tx.session.create({ data });
    return secret;
  });
}

export const sessionLookupColumns = rowContract({
  id: "Session.id",
  method: "Session.method",
  persistent: "Session.persistent",
  expiresAt: "Session.expiresAt",
  revokedAt: "Session.revokedAt",
  lastSeenAt: "Session.lastSeenAt",
  userId: "User.id",
  email: "User.email",
  name: "User.name",
  role: "User.role",
  timeZone: "User.timeZone",
  disabledAt: "User.disabledAt",
  unreadNotifications: computed("int"),
});

/** The bell shows "99+" beyond this: counting further would cost every request for nothing. */
export const UNREAD_COUNT_CAP = 100;

/** The session and its user in one indexed query (a primary-key lookup joined to User). */
export function sessionLookupSql(sessionId: string): Prisma.Sql {
  return Prisma.sql`
    SELECT s.id, s.method, s.persistent, s."expiresAt", s."revokedAt", s."lastSeenAt",
           u.id AS "userId", u.email, u.name, u.role, u."timeZone", u."disabledAt",
           (SELECT count(*)::int FROM (SELECT 1 FROM "Notification" n
                                        WHERE n."userId" = u.id AND n."readAt" IS NULL
                                        LIMIT ${UNREAD_COUNT_CAP}) unread) AS "unreadNotifications"
      FROM "Session" s JOIN "User" u ON u.id = s."userId"
     WHERE s.id = ${sessionId}`;
}

/**
 * The statement that records a session's use (it returns nothing): lastSeenAt, and a browser session's
 * expiry slides with it. A session ended meanwhile (the request signed out) is left as it ended. UTC
 * without a zone, as Prisma stores timestamps.
 */
export function touchSessionSql(sessionId: string, now: Date): Prisma.Sql {
  // The app's clock, as the once-a-minute check reads it (the database's might differ).
  return Prisma.sql`UPDATE "Session" SET "lastSeenAt" = ${now.toISOString()}::timestamp(3),
           "expiresAt" = CASE WHEN persistent THEN "expiresAt"
                              ELSE ${expiryFor(false, now.getTime()).toISOString()}::timestamp(3) END
     WHERE id = ${sessionId} AND "revokedAt" IS NULL`;
}

/** Runs a session's last-use write: at once, or when the caller hands it on (see resolveSession). */
export type RecordUse = (write: () => Promise<void>) => void;

/**
 * Resolves a cookie's session secret to its user in one indexed query (a primary-key lookup joined to User).
 * Refuses revoked, expired and disabled sessions on their very next request. At most once a minute the
 * session's use is recorded: awaited here, unless `recordUse` takes the write — the request path hands it
 * on until its response is done, so a send after a minute's reading does not wait for a write and its
 * commit flush (a few ms at p50 before the first token: `bench/chat-ttft.ts --after-reading`), nor take
 * a second connection from the pool while the send needs one.
 */
export async function resolveSession(
  sessionSecret: string,
  now = new Date(),
  recordUse?: RecordUse,
): Promise<RequestAuth> {
  const sessionId = sessionRowId(sessionSecret);
  // Every signed-in request runs this, so it skips the ORM (docs/decisions/004).
  const [row] = await queryRows<RowOf<typeof sessionLookupColumns>>(sessionLookupSql(sessionId));
  if (!row) return { user: null, session: null, ended: "unknown" };
  // Whose session ended: a message it left unsent is only given back to them (chat/kept-text.server.ts).
  const ended = (reason: SessionEndReason, endedAt?: Date): RequestAuth => ({
    user: null,
    session: null,
    ended: reason,
    endedUserId: row.userId,
    endedSessionId: row.id,
    ...(endedAt ? { endedAt } : {}),
  });
  // Disabling an account also revokes its sessions: say why, not just that the session ended.
  if (row.disabledAt) return ended("disabled");
  if (row.revokedAt) return ended("revoked", row.revokedAt);
  if (row.expiresAt <= now) return ended("expired", row.expiresAt);

  if (now.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_GRANULARITY_MS) {
    const write = () => queryRows(touchSessionSql(row.id, now)).then(() => undefined);
    if (recordUse) recordUse(write);
    else await write();
  }
  return {
    user: { id: row.userId, email: row.email, name: row.name, role: row.role, timeZone: row.timeZone },
    session: { id: row.id, method: row.method, persistent: row.persistent },
    unreadNotifications: row.unreadNotifications,
  };
}

/**
 * Replaces a live session by a new one with the same settings (a new id) and ends the old one, in one
 * transaction: after a credential change, a copy of the old cookie opens nothing.
 */
export async function rotateSession(sessionId: string): Promise<{ secret: string; persistent: boolean } | null> {
  const { secret, id } = newSessionSecret();
  return prisma.$transaction(async (tx) => {
    const owner = await tx.session.findUnique({ where: { id: sessionId }, select: { userId: true } });
    if (!owner) return null;
    // A share lock on the account, as createSession takes: a revocation under way (which ends this session)
    // commits first, and the check below sees it, so the new session does not outlive it.
    await tx.$queryRaw`SELECT 1 FROM "User" WHERE id = ${owner.userId} FOR SHARE`;
    const now = new Date();
    const old = await tx.session.findFirst({ where: { id: sessionId, revokedAt: null, expiresAt: { gt: now } } });
    if (!old) return null;
    await tx.session.update({ where: { id: sessionId }, data: { revokedAt: now } });
    await tx.session.create({
      data: {
        id,
        userId: old.userId,
        persistent: old.persistent,
        method: old.method,
        ip: old.ip,
        userAgent: old.userAgent,
        expiresAt: old.persistent ? old.expiresAt : expiryFor(false, now.getTime()),
      },
    });
    return { secret, persistent: old.persistent };
  });
}

/** Which of these sessions still let their holders in: not revoked, not expired, account not disabled. */
export async function activeSessionIds(sessionIds: string[], now = new Date()): Promise<Set<string>> {
  const rows = await prisma.session.findMany({
    where: { id: { in: sessionIds }, revokedAt: null, expiresAt: { gt: now }, user: { disabledAt: null } },
    select: { id: true },
  });
  return new Set(rows.map((row) => row.id));
}

export type SessionListing = {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
  method: string;
  persistent: boolean;
};

/** My live sessions, newest first. */
export function listActiveSessions(userId: string, now = new Date()): Promise<SessionListing[]> {
  return prisma.session.findMany({
    where: { userId, revokedAt: null, expiresAt: { gt: now } },
    orderBy: { lastSeenAt: "desc" },
    select: { id: true, createdAt: true, lastSeenAt: true, ip: true, userAgent: true, method: true, persistent: true },
  });
}

/** Revokes one of the user's own sessions; false when it is not theirs or already ended. */
export async function revokeSession(userId: string, sessionId: string): Promise<boolean> {
  const { count } = await prisma.session.updateMany({
    where: { id: sessionId, userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count > 0;
}

/** Ends every session of the user except `keepSessionId` (all of them when it is undefined). */
export async function revokeOtherSessions(
  userId: string,
  keepSessionId?: string,
  now = new Date(),
  db: Pick<Prisma.TransactionClient, "session"> = prisma,
): Promise<number> {
  // Only live ones: the count is shown to the person, and an expired session is over already.
  const { count } = await db.session.updateMany({
    where: {
      userId,
      revokedAt: null,
      expiresAt: { gt: now },
      ...(keepSessionId ? { id: { not: keepSessionId } } : {}),
    },
    data: { revokedAt: new Date() },
  });
  return count;
}

export async function countActiveSessions(now = new Date()): Promise<number> {
  return prisma.session.count({ where: { revokedAt: null, expiresAt: { gt: now } } });
}

const PURGE_BATCH = 1_000;

/**
 * Deletes sessions that ended (expired or revoked) more than a week ago, a batch at a time: a large
 * backlog never becomes one long statement (the embedded database has one connection), and `signal`
 * (the purge job's timeout or shutdown) is honoured between batches.
 */
export async function purgeEndedSessions(now = new Date(), signal?: AbortSignal): Promise<number> {
  const cutoff = new Date(now.getTime() - PURGE_AFTER_MS);
  const where = { OR: [{ expiresAt: { lt: cutoff } }, { revokedAt: { lt: cutoff } }] };
  let purged = 0;
  for (;;) {
    signal?.throwIfAborted();
    const batch = await prisma.session.findMany({ where, select: { id: true }, take: PURGE_BATCH });
    if (batch.length === 0) return purged;
    const { count } = await prisma.session.deleteMany({ where: { id: { in: batch.map((row) => row.id) } } });
    purged += count;
    if (batch.length < PURGE_BATCH) return purged;
  }
}
