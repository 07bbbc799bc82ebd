import { recordAudit, type AuditOrigin } from "~/audit/audit.server";
import { prisma } from "~/db/db.server";
import { deviceCookieHeader, knownDeviceId } from "~/auth/device-cookie.server";
import { revokeSignIns } from "~/auth/revocation.server";
import { listActiveSessions, revokeSession } from "~/sessions/sessions.server";
import type { SessionUser } from "~/sessions/types";
import { describeUserAgent } from "~/sessions/user-agent";
import { formatDateTime } from "./time-zone";

/** My live sessions as the settings page shows them: device, times in my zone, and which one is this. */
export async function listMySessions(user: SessionUser, currentSessionId: string) {
  const sessions = await listActiveSessions(user.id);
  return sessions.map((session) => ({
    id: session.id,
    current: session.id === currentSessionId,
    ...describeUserAgent(session.userAgent),
    userAgent: session.userAgent,
    ip: session.ip,
    method: session.method,
    createdAt: session.createdAt.toISOString(),
    created: formatDateTime(session.createdAt, user.timeZone),
    lastSeenAt: session.lastSeenAt.toISOString(),
    lastSeen: formatDateTime(session.lastSeenAt, user.timeZone),
  }));
}

type RevokeResult = { ok: true } | { ok: false; reason: "current" | "not_found" };

/** Ends one of my other sessions; the current one ends through Sign out instead. */
export async function revokeMySession(
  user: SessionUser,
  currentSessionId: string,
  sessionId: string,
  origin: Omit<AuditOrigin, "actor">,
): Promise<RevokeResult> {
  if (sessionId === currentSessionId) return { ok: false, reason: "current" };
  // revokeSession only matches the user's own rows, so another person's session id does nothing.
  if (!(await revokeSession(user.id, sessionId))) return { ok: false, reason: "not_found" };
  await recordAudit(
    { actor: user, ...origin },
    { action: "session.revoke", outcome: "success", target: { type: "session", id: sessionId } },
  );
  return { ok: true };
}

/**
 * "Sign out everywhere else": every session but this one, and every known-device cookie of the account
 * (a copied one must not keep its holder exempt from the address's sign-in limit), in one transaction
 * with its audit record: never sessions ended with the cookies still honoured. This browser keeps its
 * standing: if it presented a device cookie still valid, it gets a fresh one with the same device id
 * (`deviceCookie`), so asking again does not reset that device's own failure budget.
 */
export async function revokeMyOtherSessions(
  user: SessionUser,
  currentSessionId: string,
  origin: Omit<AuditOrigin, "actor">,
  cookieHeader?: string | null,
): Promise<{ count: number; deviceCookie: string | undefined }> {
  const deviceId = await knownDeviceId(cookieHeader ?? undefined, user.email);
  const { count, generation } = await prisma.$transaction(async (tx) => {
    const { sessionsEnded: count, generation } = await revokeSignIns(tx, user.id, { keepSessionId: currentSessionId });
    await recordAudit(
      { actor: user, ...origin },
      { action: "session.revoke_others", outcome: "success", details: { count } },
      tx,
    );
    return { count, generation };
  });
  return { count, deviceCookie: deviceId ? deviceCookieHeader(user.email, generation, { id: deviceId }) : undefined };
}
