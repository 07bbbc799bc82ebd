/**
 * "My account" on real PostgreSQL: profile validation, password change (signs out the other sessions),
 * the session list and revocation, the data export (mine only) and deleting the account.
 */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { deleteMyAccount } from "~/accounts/deletion.server";
import { exportMyData } from "~/accounts/export.server";
import { listMySessions, revokeMyOtherSessions, revokeMySession } from "~/accounts/my-sessions.server";
import { getProfile, updateProfile } from "~/accounts/profile.server";
import { profileSchema } from "~/accounts/schemas";
import { changeMyPassword } from "~/accounts/security.server";
import { changeUserRole } from "~/admin/users.server";
import { regenerateFeedToken } from "~/calendar/feed.server";
import { eventRange } from "~/calendar/occurrences";
import { authenticateWithPassword, hasPassword } from "~/auth/accounts.server";
import { deviceCookieHeader, knownDeviceId } from "~/auth/device-cookie.server";
import { signInWithPassword, startSession } from "~/auth/sign-in.server";
import { prisma } from "~/db/db.server";
import { readSessionId } from "~/sessions/cookie.server";
import { resolveSession, rotateSession, sessionRowId } from "~/sessions/sessions.server";
import { auditRows, makeSession, makeUser, origin } from "../support/accounts";
import { untilBlockedBy, whileRevocationHoldsAccount } from "../support/postgres";

const password = "correct horse battery staple";
const newPassword = "a brand new passphrase";

/** The security page's password change, sent from `current`'s session (to `newPassword` unless given). */
function changePassword(
  user: Parameters<typeof changeMyPassword>[0],
  current: string,
  currentPassword: string | undefined,
  next = newPassword,
) {
  return changeMyPassword(user, sessionRowId(current), { currentPassword, newPassword: next }, origin);
}

/** The cookie a password change set whose name starts so (the session's or the device's), if it succeeded. */
function cookieSet(result: Awaited<ReturnType<typeof changeMyPassword>>, name: string): string | undefined {
  return result.ok ? result.setCookies.find((cookie) => cookie.startsWith(name)) : undefined;
}

describe("profile", () => {
  it("accepts a known time zone and a name, and saves them", async () => {
    const user = await makeUser();
    const parsed = profileSchema.parse({ name: "  Ada  ", timeZone: "Europe/Paris" });
    await updateProfile(user.id, parsed);
    expect(await getProfile(user.id)).toEqual({ email: user.email, name: "Ada", timeZone: "Europe/Paris" });
    await updateProfile(user.id, profileSchema.parse({ timeZone: "UTC" }));
    expect(await getProfile(user.id)).toMatchObject({ name: null, timeZone: "UTC" });
  });

  it("records when the time zone changed and the zone left behind; saving the same zone keeps them", async () => {
    const user = await makeUser({ timeZone: "America/New_York" });
    const moved = new Date("2027-06-15T10:00:00Z");
    await updateProfile(user.id, profileSchema.parse({ timeZone: "Europe/Berlin" }), moved);
    const zoneFields = { timeZone: true, previousTimeZone: true, timeZoneChangedAt: true } as const;
    const afterMove = { timeZone: "Europe/Berlin", previousTimeZone: "America/New_York", timeZoneChangedAt: moved };
    expect(await prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: zoneFields })).toEqual(afterMove);
    await updateProfile(user.id, profileSchema.parse({ name: "Ada", timeZone: "Europe/Berlin" }), new Date());
    expect(await prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: zoneFields })).toEqual(afterMove);
  });

  it("refuses an unknown time zone and an over-long name with a clear message", () => {
    const zone = profileSchema.safeParse({ timeZone: "Mars/Olympus_Mons" });
    expect(zone.success).toBe(false);
    expect(zone.error?.issues[0]?.message).toContain("Choose a time zone from the list");
    const name = profileSchema.safeParse({ name: "x".repeat(101), timeZone: "UTC" });
    expect(name.error?.issues[0]?.message).toBe("Use at most 100 characters.");
    expect(profileSchema.safeParse({}).error?.issues[0]?.message).toBe("Choose your time zone.");
  });
});

describe("changing the password", () => {
  it("finding 7: needs the current password, signs out every other session and rotates this one's id", async () => {
    const user = await makeUser({ password });
    const current = await makeSession(user.id);
    const others = [await makeSession(user.id), await makeSession(user.id)];

    const wrong = await changePassword(user, current, "not my password");
    expect(wrong).toEqual({ ok: false, reason: "wrong_password" });
    expect((await resolveSession(others[0]!)).user).not.toBeNull();

    const changed = await changePassword(user, current, password);
    expect(changed).toMatchObject({ ok: true, signedOut: 2 });
    // Finding 7: this session carries on under a new id; the old id opens nothing.
    const sessionCookie = cookieSet(changed, "__ares_session");
    if (!sessionCookie) throw new Error("expected a new session cookie");
    const rotated = await readSessionId(sessionCookie.split(";")[0]);
    expect(rotated).toBeTruthy();
    expect(rotated).not.toBe(current);
    expect((await resolveSession(rotated!)).user?.id).toBe(user.id);
    expect((await resolveSession(current)).ended).toBe("revoked");
    for (const id of others) expect((await resolveSession(id)).ended).toBe("revoked");
    expect((await authenticateWithPassword(user.email, newPassword)).ok).toBe(true);
    expect((await authenticateWithPassword(user.email, password)).ok).toBe(false);
    expect((await auditRows("password.change")).map((row) => [row.outcome, row.details])).toEqual([
      ["failure", { reason: "wrong_password" }],
      ["success", { otherSessionsSignedOut: 2 }],
    ]);
  });

  it("a sign-in that checked the old password before the change and answers after it gets no session and no device cookie", async () => {
    const user = await makeUser({ password });
    const current = await makeSession(user.id);
    // The sign-in's steps, interleaved with the change: the old password checks out…
    const checked = await authenticateWithPassword(user.email, password);
    if (!checked.ok) throw new Error("expected the old password to check out");
    // …then the change commits (ending every other session)…
    const changed = await changePassword(user, current, password);
    expect(changed).toMatchObject({ ok: true, signedOut: 0 });
    // …then the sign-in writes its session and issues its device cookie, for what it read with the password.
    expect(await startSession(checked.user, "password", true, origin, checked.generation)).toBeNull();
    expect(await prisma.session.count({ where: { userId: user.id, revokedAt: null } })).toBe(1);
    const signedInMeanwhile = deviceCookieHeader(user.email, checked.generation).split(";")[0]!;
    expect(await knownDeviceId(signedInMeanwhile, user.email)).toBeUndefined();
    // The whole sign-in checks again against the account as it is now: the old password fails as any wrong one.
    expect(await signInWithPassword(user.email, password, true, origin)).toEqual({ ok: false });
    // The browser that made the change keeps its standing.
    const fresh = cookieSet(changed, "__ares_device_");
    expect(await knownDeviceId(fresh!.split(";")[0], user.email)).toBeDefined();
  });

  it("a sign-in writing its session while a revocation is committing waits for it, then writes nothing", async () => {
    const user = await makeUser({ password });
    const checked = await authenticateWithPassword(user.email, password);
    if (!checked.ok) throw new Error("expected the password to check out");
    // A revocation has incremented the generation and not yet ended the sessions (not committed).
    await whileRevocationHoldsAccount(user.id, async (revoking) => {
      const writing = startSession(checked.user, "password", false, origin, checked.generation);
      // Without the lock the session would be written now, after the revocation's look at the sessions.
      await untilBlockedBy(revoking);
      await revoking.query("COMMIT");
      expect(await writing).toBeNull();
    });
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(0);
  });

  it("the new session id a password change gives this browser does not outlive a revocation committing meanwhile", async () => {
    const user = await makeUser({ password });
    const current = await makeSession(user.id);
    // Another device's "sign out everywhere else" (this session too), not yet committed.
    await whileRevocationHoldsAccount(user.id, async (revoking) => {
      await revoking.query(`UPDATE "Session" SET "revokedAt" = now() WHERE "userId" = $1 AND "revokedAt" IS NULL`, [
        user.id,
      ]);
      const rotating = rotateSession(sessionRowId(current));
      await untilBlockedBy(revoking);
      await revoking.query("COMMIT");
      expect(await rotating).toBeNull();
    });
    expect(await prisma.session.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
  });

  it("a sign-in whose session was written just before the change is signed out by it, its device cookie too", async () => {
    const user = await makeUser({ password });
    const current = await makeSession(user.id);
    const signedIn = await signInWithPassword(user.email, password, true, origin);
    if (!signedIn.ok) throw new Error("expected the sign-in to succeed");
    const sessionSecret = await readSessionId(signedIn.setCookie.split(";")[0]);
    expect((await resolveSession(sessionSecret!)).user?.id).toBe(user.id);
    expect(await knownDeviceId(signedIn.deviceCookie.split(";")[0], user.email)).toBeDefined();
    await changePassword(user, current, password);
    expect((await resolveSession(sessionSecret!)).ended).toBe("revoked");
    expect(await knownDeviceId(signedIn.deviceCookie.split(";")[0], user.email)).toBeUndefined();
  });

  it("an account without a password (Auth0 only) sets one without a current password", async () => {
    const user = await makeUser();
    const current = await makeSession(user.id);
    expect(await hasPassword(user.id)).toBe(false);
    const result = await changePassword(user, current, undefined, "my first local password");
    expect(result.ok).toBe(true);
    expect(await hasPassword(user.id)).toBe(true);
  });
});

describe("my sessions", () => {
  it("lists device, browser and times in my zone, marking this device", async () => {
    const user = await makeUser({ timeZone: "Asia/Tokyo" });
    const current = await makeSession(
      user.id,
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
    );
    await makeSession(
      user.id,
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    );
    await prisma.session.updateMany({
      where: { userId: user.id },
      data: { createdAt: new Date("2026-01-01T00:00:00Z") },
    });
    const sessions = await listMySessions(user, sessionRowId(current));
    expect(sessions).toHaveLength(2);
    const mine = sessions.find((session) => session.current)!;
    expect(mine).toMatchObject({ id: sessionRowId(current), browser: "Chrome 140", os: "Linux", device: "Desktop" });
    expect(mine.created).toBe("1 Jan 2026, 09:00");
    expect(sessions.find((session) => !session.current)).toMatchObject({ browser: "Mobile Safari 17" });
  });

  it("revokes another session of mine, but not the current one nor someone else's", async () => {
    const user = await makeUser();
    const stranger = await makeUser();
    const current = await makeSession(user.id);
    const other = await makeSession(user.id);
    const theirs = await makeSession(stranger.id);
    const [currentId, otherId, theirsId] = [current, other, theirs].map(sessionRowId);
    expect(await revokeMySession(user, currentId!, currentId!, origin)).toEqual({ ok: false, reason: "current" });
    expect(await revokeMySession(user, currentId!, theirsId!, origin)).toEqual({ ok: false, reason: "not_found" });
    expect((await resolveSession(theirs)).user?.id).toBe(stranger.id);
    expect(await revokeMySession(user, currentId!, otherId!, origin)).toEqual({ ok: true });
    expect((await resolveSession(other)).ended).toBe("revoked");
    expect(await revokeMySession(user, currentId!, otherId!, origin)).toEqual({ ok: false, reason: "not_found" });
    // The audit trail names the session's row, never the secret its cookie carried.
    const revocations = await auditRows("session.revoke");
    expect(revocations).toMatchObject([
      { actorId: user.id, targetType: "session", targetId: otherId, outcome: "success" },
    ]);
    expect(JSON.stringify(revocations)).not.toContain(other);
  });

  it("signs out everywhere else", async () => {
    const user = await makeUser();
    const current = await makeSession(user.id);
    await makeSession(user.id);
    await makeSession(user.id);
    // Expired but not purged yet: already over, so not counted as signed out now.
    const expired = await makeSession(user.id);
    await prisma.session.update({
      where: { id: sessionRowId(expired) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await revokeMyOtherSessions(user, sessionRowId(current), origin)).count).toBe(2);
    const left = await listMySessions(user, sessionRowId(current));
    expect(left.map((session) => session.id)).toEqual([sessionRowId(current)]);
    expect(await auditRows("session.revoke_others")).toMatchObject([
      { actorId: user.id, outcome: "success", details: { count: 2 } },
    ]);
  });
});

describe("signing out everywhere else", () => {
  it("gives this browser a fresh device cookie with the same device id, so its failure budget is not reset", async () => {
    const user = await makeUser({ password });
    const current = await makeSession(user.id);
    const presented = deviceCookieHeader(user.email, 0).split(";")[0]!;
    const deviceId = await knownDeviceId(presented, user.email);
    const first = await revokeMyOtherSessions(user, sessionRowId(current), origin, presented);
    const fresh = first.deviceCookie!.split(";")[0]!;
    expect(await knownDeviceId(presented, user.email)).toBeUndefined();
    expect(await knownDeviceId(fresh, user.email)).toBe(deviceId);
    const again = await revokeMyOtherSessions(user, sessionRowId(current), origin, fresh);
    expect(await knownDeviceId(again.deviceCookie!.split(";")[0], user.email)).toBe(deviceId);
  });

  it("ends the other sessions and the device cookies together: never the sessions alone", async () => {
    const user = await makeUser({ password });
    const current = await makeSession(user.id);
    const other = await makeSession(user.id);
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    try {
      // Another request holds the account row: the revocation waits on it half-way through.
      await holder.query("BEGIN");
      await holder.query(`SELECT id FROM "User" WHERE id = $1 FOR UPDATE`, [user.id]);
      const signingOut = revokeMyOtherSessions(user, sessionRowId(current), origin);
      await untilBlockedBy(holder);
      // Meanwhile the other session still stands, as the device cookies still do.
      expect((await resolveSession(other)).user?.id).toBe(user.id);
      await holder.query("COMMIT");
      expect((await signingOut).count).toBe(1);
    } finally {
      await holder.end();
    }
    expect((await resolveSession(other)).ended).toBe("revoked");
    expect((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).credentialGeneration).toBe(1);
  });

  it("a sign-in whose session write waited for a revocation that left the password as it was signs in, under the new generation", async () => {
    const user = await makeUser({ password });
    // "Sign out everywhere else" elsewhere, half-way: the generation incremented, not yet committed.
    const signedIn = await whileRevocationHoldsAccount(user.id, async (revoking) => {
      // The sign-in checks the password (reading the old generation), then waits to write its session…
      const signingIn = signInWithPassword(user.email, password, false, origin);
      await untilBlockedBy(revoking);
      await revoking.query("COMMIT");
      // …finds the generation changed, checks the password again, and writes its session for the new one.
      return signingIn;
    });
    if (!signedIn.ok) throw new Error("expected the sign-in to succeed");
    expect(await knownDeviceId(signedIn.deviceCookie.split(";")[0], user.email)).toBeDefined();
    const secret = await readSessionId(signedIn.setCookie.split(";")[0]);
    expect((await resolveSession(secret!)).user?.id).toBe(user.id);
  });

  it("a sign-in that checked the password before it and writes its session after it checks again, and gets the new generation", async () => {
    const user = await makeUser({ password });
    const current = await makeSession(user.id);
    const checked = await authenticateWithPassword(user.email, password);
    if (!checked.ok) throw new Error("expected the password to check out");
    await revokeMyOtherSessions(user, sessionRowId(current), origin);
    expect(await startSession(checked.user, "password", false, origin, checked.generation)).toBeNull();
    expect(await knownDeviceId(deviceCookieHeader(user.email, checked.generation).split(";")[0], user.email)).toBe(
      undefined,
    );
    // The password itself did not change: signing in now works, under the new generation.
    const again = await signInWithPassword(user.email, password, false, origin);
    if (!again.ok) throw new Error("expected the sign-in to succeed");
    expect(await knownDeviceId(again.deviceCookie.split(";")[0], user.email)).toBeDefined();
  });
});

describe("downloading my data", () => {
  it("contains my conversations with their messages, my chat settings and usage, and no one else's", async () => {
    const me = await makeUser({ name: "Chatty" });
    const other = await makeUser({ name: "Quiet" });
    const mine = await prisma.conversation.create({ data: { userId: me.id, title: "My plans" } });
    const theirs = await prisma.conversation.create({ data: { userId: other.id, title: "Their secrets" } });
    const at = (offset: number) => new Date(Date.UTC(2026, 10, 1, 12, 0, offset));
    await prisma.message.createMany({
      data: [
        { conversationId: mine.id, userId: me.id, role: "user", content: "first question", createdAt: at(0) },
        { conversationId: mine.id, userId: me.id, role: "assistant", content: "first answer", createdAt: at(1) },
        { conversationId: theirs.id, userId: other.id, role: "user", content: "not for you", createdAt: at(2) },
      ],
    });
    await prisma.chatSettings.create({ data: { userId: me.id, systemPrompt: "Be terse." } });
    await prisma.usageDaily.create({
      data: { userId: me.id, day: at(0), provider: "openrouter", model: "m", requests: 1, promptTokens: 5 },
    });

    const exported = (await exportMyData(me, origin)) as unknown as Record<string, unknown>;
    expect(exported.conversations).toMatchObject([
      {
        title: "My plans",
        messages: [
          { role: "user", content: "first question" },
          { role: "assistant", content: "first answer" },
        ],
      },
    ]);
    expect(exported.chatSettings).toMatchObject({ systemPrompt: "Be terse." });
    expect(exported.usage).toMatchObject([{ provider: "openrouter", requests: 1, promptTokens: 5 }]);
    const text = JSON.stringify(exported);
    for (const foreign of ["Their secrets", "not for you", other.id]) expect(text).not.toContain(foreign);
  });

  it("contains my calendar (events, subscriptions, feed link) and my Telegram chats, and no one else's", async () => {
    const me = await makeUser({ name: "Planner" });
    const other = await makeUser({ name: "Busy" });
    const event = (userId: string, title: string) => {
      const times = {
        allDay: false,
        startLocal: "2026-12-01T09:00",
        endLocal: "2026-12-01T09:30",
        timeZone: "UTC",
        rrule: null,
      };
      return { ...times, userId, uid: `${title}@test`, title, ...eventRange(times) };
    };
    await prisma.event.createMany({
      data: [{ ...event(me.id, "Dentist"), importedVersion: "as-imported" }, event(other.id, "Their meeting")],
    });
    await prisma.calendarSubscription.create({
      data: { userId: me.id, name: "Holidays", url: "https://example.com/holidays.ics" },
    });
    await prisma.calendarSubscription.create({
      data: { userId: other.id, name: "Their team", url: "https://example.com/team.ics" },
    });
    // A private feed's user:password is a credential for someone else's server: the export shows it as •••.
    await prisma.calendarSubscription.create({
      data: {
        userId: me.id,
        name: "Private",
        url: "https://alice:s3cr3t@example.com/private.ics",
        createdAt: new Date(Date.now() + 1000),
      },
    });
    // So is a token in the query or a random path segment (a secret link, as Google's): the export leaves ARES.
    await prisma.calendarSubscription.create({
      data: {
        userId: me.id,
        name: "Secret link",
        url: "https://calendar.example.com/ical/private-0123456789abcdef0123456789abcdef/basic.ics?key=t0k3nValue",
        createdAt: new Date(Date.now() + 2000),
      },
    });
    const token = await regenerateFeedToken(me.id);
    await prisma.telegramLink.create({ data: { chatId: 9_007_199_254_740_993n, userId: me.id, username: "planner" } });
    await prisma.telegramLink.create({ data: { chatId: 42n, userId: other.id, username: "busybee" } });

    const exported = (await exportMyData(me, origin)) as unknown as Record<string, unknown>;
    expect(exported.calendarEvents).toMatchObject([
      { title: "Dentist", startLocal: "2026-12-01T09:00", importedVersion: "as-imported" },
    ]);
    expect(exported.calendarSubscriptions).toMatchObject([
      { name: "Holidays", url: "https://example.com/holidays.ics" },
      { name: "Private", url: "https://•••@example.com/private.ics" },
      { name: "Secret link", url: "https://calendar.example.com/ical/•••/basic.ics?key=•••" },
    ]);
    // Only when the link was made: the stored hash is what a feed link is checked against.
    expect(exported.calendarFeed).toEqual({ createdAt: expect.any(Date) });
    expect(exported.telegramChats).toMatchObject([{ chatId: "9007199254740993", username: "planner" }]);
    // What the browser downloads is this object as JSON: it must serialise (64-bit chat ids included).
    const text = JSON.stringify(exported);
    for (const foreign of [
      "Their meeting",
      "Their team",
      "busybee",
      token,
      "s3cr3t",
      "alice",
      "t0k3n",
      "0123456789abcdef",
    ])
      expect(text).not.toContain(foreign);
    const { tokenHash } = await prisma.calendarFeed.findUniqueOrThrow({ where: { userId: me.id } });
    const calendar = JSON.stringify(Object.entries(exported).filter(([key]) => key.startsWith("calendar")));
    expect(calendar).toContain("Holidays");
    expect(calendar).not.toContain('"tokenHash"');
    expect(text).not.toContain(tokenHash);
  });

  it("contains my profile, sessions and trail, and nothing of anyone else", async () => {
    const admin = await makeUser({ role: "admin", name: "Admin Person" });
    const me = await makeUser({ name: "Me Myself", password });
    const other = await makeUser({ name: "Someone Else" });
    const mySession = await makeSession(me.id, "MyBrowser/1.0");
    await makeSession(other.id, "TheirBrowser/2.0");
    await revokeMyOtherSessions(me, sessionRowId(mySession), origin);
    await changeUserRole(admin, me.id, "admin", origin);
    // What I did as an admin names the other account only by a redacted target.
    await changeUserRole({ ...me, role: "admin" }, other.id, "admin", origin);

    const exported = await exportMyData(me, origin);
    const text = JSON.stringify(exported);
    expect(exported).toMatchObject({
      format: "ares-export/1",
      profile: { id: me.id, email: me.email, name: "Me Myself" },
      sessions: [{ userAgent: "MyBrowser/1.0", ip: "203.0.113.7" }],
    });
    expect(text).not.toContain(mySession);
    expect(text).not.toContain("hash");
    for (const foreign of [other.id, other.email, "Someone Else", "TheirBrowser", admin.id, admin.email]) {
      expect(text).not.toContain(foreign);
    }
    const actions = (exported as unknown as { auditEvents: Array<{ action: string }> }).auditEvents.map(
      (e) => e.action,
    );
    expect(actions).toEqual(["user.role_change", "session.revoke_others"]);
    const exports = (await auditRows("data.export")).filter((row) => row.actorId === me.id);
    expect(exports).toMatchObject([{ actorId: me.id, outcome: "success" }]);
  });
});

describe("deleting my account", () => {
  it("needs my email typed exactly, then removes me, my sessions and password, keeping the audit trail", async () => {
    await makeUser({ role: "admin" });
    const me = await makeUser({ password });
    const session = await makeSession(me.id);
    expect(await deleteMyAccount(me, "someone@else.test", origin)).toEqual({ ok: false, reason: "email_mismatch" });
    expect(await prisma.user.count({ where: { id: me.id } })).toBe(1);

    expect(await deleteMyAccount(me, ` ${me.email.toUpperCase()} `, origin)).toEqual({ ok: true });
    expect(await prisma.user.count({ where: { id: me.id } })).toBe(0);
    expect(await prisma.session.count({ where: { userId: me.id } })).toBe(0);
    expect(await prisma.password.count({ where: { userId: me.id } })).toBe(0);
    expect((await resolveSession(session)).user).toBeNull();
    expect(await auditRows("account.delete")).toMatchObject([
      { actorId: null, actorEmail: me.email, targetType: "user", targetId: me.id, outcome: "success" },
    ]);
  });
});
