/**
 * User administration on real PostgreSQL: keyset pagination, search, session counts, role changes and
 * disabling, with the last active admin protected and every change audited.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { deleteMyAccount } from "~/accounts/deletion.server";
import { changeUserRole, listUsers, setUserDisabled, viewUser } from "~/admin/users.server";
import { authenticateWithPassword } from "~/auth/accounts.server";
import { deviceCookieHeader, knownDeviceId } from "~/auth/device-cookie.server";
import { startSession } from "~/auth/sign-in.server";
import { prisma } from "~/db/db.server";
import { resolveSession, sessionRowId } from "~/sessions/sessions.server";
import { auditRows, makeSession, makeUser, origin } from "../support/accounts";

beforeEach(async () => {
  await prisma.auditEvent.deleteMany();
  await prisma.user.deleteMany();
});

describe("listing users", () => {
  it("returns every account exactly once across pages, even when many share a createdAt", async () => {
    const sameInstant = new Date("2026-01-01T00:00:00Z");
    await prisma.user.createMany({
      data: Array.from({ length: 23 }, (_, i) => ({
        email: `tie-${String(i).padStart(2, "0")}@example.test`,
        // Three distinct instants, many rows on each: the id must break the ties.
        createdAt: new Date(sameInstant.getTime() + (i % 3) * 1000),
      })),
    });
    const seen: string[] = [];
    let cursor = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof listUsers>> = await listUsers({ cursor, limit: 5 });
      seen.push(...page.users.map((user) => user.email));
      cursor = page.next;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
    // Newest first.
    const created = await prisma.user.findMany({ select: { email: true, createdAt: true } });
    const byEmail = new Map(created.map((user) => [user.email, user.createdAt.getTime()]));
    const times = seen.map((email) => byEmail.get(email)!);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("searches email and name, case-insensitively", async () => {
    await makeUser({ email: "ada@example.test", name: "Ada Lovelace" });
    await makeUser({ email: "grace@example.test", name: "Grace Hopper" });
    await makeUser({ email: "alan@turing.test", name: "Alan" });
    expect((await listUsers({ search: "LOVELACE" })).users.map((u) => u.email)).toEqual(["ada@example.test"]);
    expect((await listUsers({ search: "example" })).users).toHaveLength(2);
    expect((await listUsers({ search: "nobody" })).users).toEqual([]);
  });

  it("counts only live sessions per user", async () => {
    const person = await makeUser();
    const other = await makeUser();
    await makeSession(person.id);
    await makeSession(person.id);
    const revoked = await makeSession(person.id);
    await prisma.session.update({ where: { id: sessionRowId(revoked) }, data: { revokedAt: new Date() } });
    const expired = await makeSession(person.id);
    await prisma.session.update({
      where: { id: sessionRowId(expired) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const { users } = await listUsers({});
    expect(users.find((u) => u.id === person.id)?.activeSessions).toBe(2);
    expect(users.find((u) => u.id === other.id)?.activeSessions).toBe(0);
  });
});

describe("changing roles", () => {
  it("promotes and demotes, recording who changed what", async () => {
    const admin = await makeUser({ role: "admin" });
    const person = await makeUser();
    expect(await changeUserRole(admin, person.id, "admin", origin)).toEqual({ ok: true, changed: true });
    expect(await changeUserRole(admin, person.id, "admin", origin)).toEqual({ ok: true, changed: false });
    expect(await changeUserRole(admin, person.id, "user", origin)).toEqual({ ok: true, changed: true });
    const rows = await auditRows("user.role_change");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      actorId: admin.id,
      actorEmail: admin.email,
      targetType: "user",
      targetId: person.id,
      outcome: "success",
      ip: origin.ip,
      details: { from: "user", to: "admin" },
    });
  });

  it("refuses to demote the last active admin, even by themselves", async () => {
    const admin = await makeUser({ role: "admin" });
    expect(await changeUserRole(admin, admin.id, "user", origin)).toEqual({ ok: false, reason: "last_admin" });
    expect((await prisma.user.findUniqueOrThrow({ where: { id: admin.id } })).role).toBe("admin");
    expect(await auditRows("user.role_change")).toMatchObject([
      { outcome: "failure", details: { reason: "last_admin" } },
    ]);
  });

  it("a disabled admin does not count as the other admin", async () => {
    const admin = await makeUser({ role: "admin" });
    const dormant = await makeUser({ role: "admin" });
    await prisma.user.update({ where: { id: dormant.id }, data: { disabledAt: new Date() } });
    expect(await changeUserRole(admin, admin.id, "user", origin)).toEqual({ ok: false, reason: "last_admin" });
    // Demoting the disabled one takes no active admin away.
    expect(await changeUserRole(admin, dormant.id, "user", origin)).toEqual({ ok: true, changed: true });
  });

  it("two admins demoting each other at once leave one admin", async () => {
    const first = await makeUser({ role: "admin" });
    const second = await makeUser({ role: "admin" });
    const results = await Promise.all([
      changeUserRole(first, second.id, "user", origin),
      changeUserRole(second, first.id, "user", origin),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(await prisma.user.count({ where: { role: "admin" } })).toBe(1);
  });

  it("answers not_found for an unknown account", async () => {
    const admin = await makeUser({ role: "admin" });
    expect(await changeUserRole(admin, "nope", "admin", origin)).toEqual({ ok: false, reason: "not_found" });
  });
});

describe("disabling accounts", () => {
  it("disabling ends every session and known-device cookie of the account at once; enabling lets it sign in again", async () => {
    const admin = await makeUser({ role: "admin" });
    const person = await makeUser();
    const sessions = [await makeSession(person.id), await makeSession(person.id)];
    const device = deviceCookieHeader(person.email, 0).split(";")[0]!;
    expect(await knownDeviceId(device, person.email)).toBeDefined();
    expect(await setUserDisabled(admin, person.id, true, origin)).toEqual({ ok: true, changed: true });
    for (const id of sessions) expect((await resolveSession(id)).user).toBeNull();
    expect(await prisma.session.count({ where: { userId: person.id, revokedAt: null } })).toBe(0);
    expect((await listUsers({})).users.find((u) => u.id === person.id)).toMatchObject({ activeSessions: 0 });

    expect(await setUserDisabled(admin, person.id, false, origin)).toEqual({ ok: true, changed: true });
    expect((await prisma.user.findUniqueOrThrow({ where: { id: person.id } })).disabledAt).toBeNull();
    // Old sessions stay ended: re-enabling does not resurrect a stolen cookie.
    for (const id of sessions) expect((await resolveSession(id)).user).toBeNull();
    // Nor a device cookie from before: it no longer exempts its holder from the address's sign-in limit.
    expect(await knownDeviceId(device, person.email)).toBeUndefined();

    expect(await auditRows("user.disable")).toMatchObject([
      { targetId: person.id, outcome: "success", details: { sessionsRevoked: 2 } },
    ]);
    expect(await auditRows("user.enable")).toMatchObject([{ targetId: person.id, outcome: "success" }]);
  });

  it("a sign-in that checked the password before the account was disabled writes no session after it, even once re-enabled", async () => {
    const admin = await makeUser({ role: "admin" });
    const password = "correct horse battery staple";
    const person = await makeUser({ password });
    const checked = await authenticateWithPassword(person.email, password);
    if (!checked.ok) throw new Error("expected the password to check out");
    await setUserDisabled(admin, person.id, true, origin);
    await setUserDisabled(admin, person.id, false, origin);
    expect(await startSession(checked.user, "password", false, origin, checked.generation)).toBeNull();
    expect(await prisma.session.count({ where: { userId: person.id } })).toBe(0);
    expect(await knownDeviceId(deviceCookieHeader(person.email, checked.generation).split(";")[0], person.email)).toBe(
      undefined,
    );
  });

  it("an admin cannot disable themselves, nor the last active admin", async () => {
    const admin = await makeUser({ role: "admin" });
    expect(await setUserDisabled(admin, admin.id, true, origin)).toEqual({ ok: false, reason: "self_disable" });
    const other = await makeUser({ role: "admin" });
    // `other` acting on the only other active admin is fine while two exist…
    await prisma.user.update({ where: { id: other.id }, data: { disabledAt: new Date() } });
    // …but once `admin` is the only active one, a (re-enabled later) colleague cannot disable them.
    const colleague = { ...other };
    expect(await setUserDisabled(colleague, admin.id, true, origin)).toEqual({ ok: false, reason: "last_admin" });
    expect((await prisma.user.findUniqueOrThrow({ where: { id: admin.id } })).disabledAt).toBeNull();
    expect((await auditRows("user.disable")).map((row) => row.outcome)).toEqual(["failure", "failure"]);
  });
});

describe("deleting an account", () => {
  it("the last admin cannot delete their account", async () => {
    const admin = await makeUser({ role: "admin" });
    expect(await deleteMyAccount(admin, admin.email, origin)).toEqual({ ok: false, reason: "last_admin" });
    expect(await prisma.user.count({ where: { id: admin.id } })).toBe(1);
    const second = await makeUser({ role: "admin" });
    expect(await deleteMyAccount(admin, admin.email, origin)).toEqual({ ok: true });
    expect(await prisma.user.count({ where: { id: second.id } })).toBe(1);
  });
});

describe("viewing one user", () => {
  it("shows the account, its sessions and its trail, and records the view", async () => {
    const admin = await makeUser({ role: "admin", timeZone: "Europe/Paris" });
    const person = await makeUser({ name: "Ada" });
    await makeSession(
      person.id,
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile/15E148 Safari/604.1",
    );
    await changeUserRole(admin, person.id, "admin", origin);
    const details = await viewUser(admin, person.id, origin);
    expect(details?.user).toMatchObject({ email: person.email, name: "Ada", role: "admin" });
    expect(details?.sessions).toMatchObject([{ device: "Apple iPhone", os: "iOS 17.0" }]);
    expect(details?.events.map((event) => event.action)).toEqual(["user.role_change"]);
    expect(await auditRows("user.view")).toMatchObject([{ actorId: admin.id, targetId: person.id }]);
    expect(await viewUser(admin, "missing", origin)).toBeNull();
  });
});
