import { describe, expect, it } from "vitest";
import { createAccount } from "~/auth/accounts.server";
import { signInWithPassword, signUpWithPassword } from "~/auth/sign-in.server";
import { signOut } from "~/auth/sign-out.server";
import { prisma } from "~/db/db.server";
import { metricsRegistry } from "~/observability/metrics.server";
import { readSessionId } from "~/sessions/cookie.server";
import {
  createSession,
  listActiveSessions,
  purgeEndedSessions,
  resolveSession,
  revokeOtherSessions,
  revokeSession,
  sessionRowId,
} from "~/sessions/sessions.server";
import { countQueries } from "../support/query-counter";

const origin = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0" };
const password = "correct horse battery staple";
let counter = 0;
const uniqueEmail = () => `person${++counter}-${Date.now()}@example.test`;

async function sessionIdFrom(setCookie: string): Promise<string> {
  const id = await readSessionId(setCookie.split(";")[0]);
  if (!id) throw new Error(`no session id in ${setCookie}`);
  return id;
}

describe("accounts and sessions", () => {
  it("the first account on a fresh instance becomes admin, even when two sign up at once", async () => {
    const results = await Promise.all([
      createAccount({ email: uniqueEmail(), password }),
      createAccount({ email: uniqueEmail(), password }),
    ]);
    expect(results.map((user) => user.role).sort()).toEqual(["admin", "user"]);
    const later = await createAccount({ email: uniqueEmail(), password });
    expect(later.role).toBe("user");
  });

  it("every login gets a new session id (no fixation) and the cookie holds only that id", async () => {
    const email = uniqueEmail();
    await signUpWithPassword({ email, password }, origin);
    const first = await signInWithPassword(email, password, false, origin);
    const second = await signInWithPassword(email, password, true, origin);
    if (!first.ok || !second.ok) throw new Error("login failed");
    const [firstId, secondId] = [await sessionIdFrom(first.setCookie), await sessionIdFrom(second.setCookie)];
    expect(firstId).not.toBe(secondId);
    expect(firstId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.setCookie).toMatch(/HttpOnly/i);
    expect(first.setCookie).toMatch(/SameSite=Lax/i);
    expect(first.setCookie).not.toMatch(/Max-Age/i);
    expect(second.setCookie).toMatch(/Max-Age=2592000/);
  });

  it("wrong password and unknown email fail alike, and the audit log keeps the real reason", async () => {
    const email = uniqueEmail();
    await signUpWithPassword({ email, password }, origin);
    expect(await signInWithPassword(email, "not the password at all", false, origin)).toEqual({ ok: false });
    expect(await signInWithPassword(uniqueEmail(), password, false, origin)).toEqual({ ok: false });
    const failures = await prisma.auditEvent.findMany({
      where: { action: "login", outcome: "failure" },
      orderBy: { createdAt: "asc" },
    });
    expect(failures.map((event) => (event.details as { reason: string }).reason).slice(-2)).toEqual([
      "wrong_password",
      "unknown_email",
    ]);
    expect(failures.at(-1)!.ip).toBe(origin.ip);
    const metrics = await metricsRegistry.metrics();
    expect(metrics).toMatch(/ares_logins_total\{method="password",result="failure"\} [2-9]/);
    expect(metrics).toMatch(/ares_audit_events_total\{action="login",outcome="failure"\} [2-9]/);
  });

  it("a revoked session is refused on its very next request", async () => {
    const user = await createAccount({ email: uniqueEmail(), password });
    const id = await createSession({ userId: user.id, persistent: false, method: "password", ...origin });
    expect((await resolveSession(id)).user?.id).toBe(user.id);
    expect(await revokeSession(user.id, sessionRowId(id))).toBe(true);
    // Whose session it was travels with the refusal (a message it left unsent stays theirs).
    // And when it ended: a chat message is only kept for a session that ended minutes ago.
    const before = Date.now();
    const refused = await resolveSession(id);
    expect(refused).toEqual({
      user: null,
      session: null,
      ended: "revoked",
      endedUserId: user.id,
      // Which session: what a replay of its cookie writes is counted under it (rate-limit.server.ts).
      endedSessionId: sessionRowId(id),
      endedAt: expect.any(Date) as Date,
    });
    const endedAt = refused.user === null ? refused.endedAt : undefined;
    expect(Math.abs(before - (endedAt?.getTime() ?? 0))).toBeLessThan(60_000);
  });

  it("an expired session and a disabled account's session are refused", async () => {
    const user = await createAccount({ email: uniqueEmail(), password });
    const id = await createSession({ userId: user.id, persistent: true, method: "password", ...origin });
    const in31Days = new Date(Date.now() + 31 * 24 * 60 * 60 * 1000);
    expect(await resolveSession(id, in31Days)).toMatchObject({ ended: "expired", endedUserId: user.id });
    await prisma.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await resolveSession(id)).toMatchObject({ ended: "disabled", endedUserId: user.id });
    expect(await resolveSession("no-such-session")).toEqual({ user: null, session: null, ended: "unknown" });
  });

  it("a session lookup costs one query, plus one write at most once a minute", async () => {
    const user = await createAccount({ email: uniqueEmail(), password });
    const id = await createSession({ userId: user.id, persistent: false, method: "password", ...origin });
    const fresh = await countQueries(async () => {
      await resolveSession(id);
      await resolveSession(id);
    });
    expect(fresh.statements).toHaveLength(2);
    expect(fresh.statements[0]).toMatch(/JOIN|join/);
    const minuteLater = await countQueries(() => resolveSession(id, new Date(Date.now() + 61_000)));
    expect(minuteLater.statements).toHaveLength(2);
    expect(minuteLater.statements[1]).toMatch(/^UPDATE/i);
  });

  it("a request can record the session's use after its answer: the lookup then waits for no write", async () => {
    const user = await createAccount({ email: uniqueEmail(), password });
    const id = await createSession({ userId: user.id, persistent: false, method: "password", ...origin });
    const row = sessionRowId(id);
    const lastWeek = new Date(Date.now() - 7 * 24 * 60 * 60_000);
    await prisma.session.update({
      where: { id: row },
      data: { lastSeenAt: lastWeek, expiresAt: new Date(Date.now() + 60_000) },
    });
    let recordUse: (() => Promise<void>) | undefined;
    const lookup = await countQueries(() => resolveSession(id, new Date(), (write) => (recordUse = write)));
    expect(lookup.result.user?.id).toBe(user.id);
    expect(lookup.statements).toHaveLength(1);
    expect((await prisma.session.findUniqueOrThrow({ where: { id: row } })).lastSeenAt).toEqual(lastWeek);

    // Handed back when the answer is done: the use is recorded, and a browser session's expiry slides a day on.
    await recordUse!();
    const after = await prisma.session.findUniqueOrThrow({ where: { id: row } });
    expect(after.lastSeenAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(after.expiresAt.getTime()).toBeGreaterThan(Date.now() + 23 * 60 * 60_000);

    // A request that signed its own session out: the session stays as it ended.
    await prisma.session.update({ where: { id: row }, data: { lastSeenAt: lastWeek } });
    await resolveSession(id, new Date(), (write) => (recordUse = write));
    expect(await revokeSession(user.id, row)).toBe(true);
    await recordUse!();
    const ended = await prisma.session.findUniqueOrThrow({ where: { id: row } });
    expect(ended.lastSeenAt).toEqual(lastWeek);
    expect(ended.expiresAt).toEqual(after.expiresAt);
  });

  it("lists my live sessions and signs out everywhere else", async () => {
    const user = await createAccount({ email: uniqueEmail(), password });
    const here = await createSession({ userId: user.id, persistent: false, method: "password", ...origin });
    await createSession({
      userId: user.id,
      persistent: true,
      method: "password",
      ip: "198.51.100.2",
      userAgent: "curl/8",
    });
    expect(await listActiveSessions(user.id)).toHaveLength(2);
    expect(await revokeOtherSessions(user.id, sessionRowId(here))).toBe(1);
    const left = await listActiveSessions(user.id);
    expect(left.map((session) => session.id)).toEqual([sessionRowId(here)]);
  });

  it("signing out revokes the session, clears the cookie and is audited", async () => {
    const email = uniqueEmail();
    expect(await signUpWithPassword({ email, password }, origin)).toEqual({ created: true });
    const signedIn = await signInWithPassword(email, password, false, origin);
    if (!signedIn.ok) throw new Error("sign-in failed");
    const id = await sessionIdFrom(signedIn.setCookie);
    const auth = await resolveSession(id);
    if (!auth.user) throw new Error("not signed in");
    const cleared = await signOut(auth.user, auth.session, origin);
    expect(cleared).toMatch(/__ares_session=;/);
    expect((await resolveSession(id)).ended).toBe("revoked");
    const actions = await prisma.auditEvent.findMany({
      where: { actorId: auth.user.id },
      orderBy: { createdAt: "asc" },
    });
    expect(actions.map((event) => event.action)).toEqual(["signup", "login", "logout"]);
  });

  it("finding 7: stores only a SHA-256 digest of the cookie's secret, and revocations audit the row id", async () => {
    const user = await createAccount({ email: uniqueEmail(), password });
    const secret = await createSession({ userId: user.id, persistent: false, method: "password", ...origin });
    expect(await prisma.session.findUnique({ where: { id: secret } })).toBeNull();
    const row = await prisma.session.findUniqueOrThrow({ where: { id: sessionRowId(secret) } });
    expect(row.id).toMatch(/^[0-9a-f]{64}$/);
    // The row id is not a credential: presented as a cookie value it opens nothing.
    expect((await resolveSession(row.id)).ended).toBe("unknown");
    expect((await resolveSession(secret)).session?.id).toBe(row.id);
    const stored = JSON.stringify(await prisma.session.findMany({ where: { userId: user.id } }));
    expect(stored).not.toContain(secret);
  });

  it("purges sessions that ended more than a week ago", async () => {
    const user = await createAccount({ email: uniqueEmail(), password });
    const old = await createSession({ userId: user.id, persistent: false, method: "password", ...origin });
    const current = await createSession({ userId: user.id, persistent: false, method: "password", ...origin });
    await prisma.session.update({
      where: { id: sessionRowId(old) },
      data: { revokedAt: new Date(Date.now() - 8 * 24 * 60 * 60 * 1000) },
    });
    expect(await purgeEndedSessions()).toBeGreaterThanOrEqual(1);
    expect(await prisma.session.findUnique({ where: { id: sessionRowId(old) } })).toBeNull();
    expect(await prisma.session.findUnique({ where: { id: sessionRowId(current) } })).not.toBeNull();
  });
});
