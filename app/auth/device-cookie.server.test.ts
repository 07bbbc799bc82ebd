import { afterEach, describe, expect, it, vi } from "vitest";
import { prisma } from "~/db/db.server";

const originalSecret = process.env.SESSION_SECRET;

/** The module as a process with these session secrets sees it (the configuration is read once per process). */
async function withSecrets(secrets: string) {
  vi.resetModules();
  process.env.SESSION_SECRET = secrets;
  return import("./device-cookie.server");
}

afterEach(() => {
  process.env.SESSION_SECRET = originalSecret;
  vi.resetModules();
});

const account = (email: string) => prisma.user.create({ data: { email }, select: { id: true } });
const cookieOf = (header: string) => header.split(";")[0]!;

describe("known-device cookies", () => {
  it("stay known when the session secret is rotated (a new one put first), and end when the old one is dropped", async () => {
    const email = "ada@example.test";
    await account(email);
    const before = await withSecrets("the-old-secret-of-this-instance-0123456789");
    const cookie = cookieOf(before.deviceCookieHeader(email));
    const id = await before.knownDeviceId(cookie, email);
    expect(id).toBeDefined();
    const rotated = await withSecrets(
      "a-new-secret-of-this-instance-9876543210,the-old-secret-of-this-instance-0123456789",
    );
    expect(await rotated.knownDeviceId(cookie, email)).toBe(id);
    expect(await rotated.knownDeviceId(cookie, "someone.else@example.test")).toBeUndefined();
    const dropped = await withSecrets("a-new-secret-of-this-instance-9876543210");
    expect(await dropped.knownDeviceId(cookie, email)).toBeUndefined();
  });

  it("issued before the account revoked its devices, count as none; one issued at that moment or after counts", async () => {
    const email = "grace@example.test";
    const { id: userId } = await account(email);
    const cookies = await withSecrets("the-secret-of-this-instance-0123456789abcdef");
    const old = cookieOf(cookies.deviceCookieHeader(email, Date.now() - 60_000));
    expect(await cookies.knownDeviceId(old, email)).toBeDefined();
    const at = new Date();
    await cookies.forgetKnownDevices(userId, at);
    expect(await cookies.knownDeviceId(old, email)).toBeUndefined();
    const fresh = cookieOf(cookies.deviceCookieHeader(email, at.getTime()));
    expect(await cookies.knownDeviceId(fresh, email)).toBeDefined();
    // The revocation is in the database: a process started afterwards (a fresh module) sees it too.
    const elsewhere = await withSecrets("the-secret-of-this-instance-0123456789abcdef");
    expect(await elsewhere.knownDeviceId(old, email)).toBeUndefined();
    expect(await elsewhere.knownDeviceId(fresh, email)).toBeDefined();
  });

  it("of an account that no longer exists count as none", async () => {
    const email = "gone@example.test";
    const { id: userId } = await account(email);
    const cookies = await withSecrets("the-secret-of-this-instance-0123456789abcdef");
    const cookie = cookieOf(cookies.deviceCookieHeader(email));
    await prisma.user.delete({ where: { id: userId } });
    expect(await cookies.knownDeviceId(cookie, email)).toBeUndefined();
  });
});
