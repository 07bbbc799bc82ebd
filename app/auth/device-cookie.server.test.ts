import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { prisma } from "~/db/db.server";
import { revokeSignIns } from "./revocation.server";

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
    const cookie = cookieOf(before.deviceCookieHeader(email, 0));
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

  it("of a generation the account has revoked count as none; one of the current generation counts", async () => {
    const email = "grace@example.test";
    const { id: userId } = await account(email);
    const cookies = await withSecrets("the-secret-of-this-instance-0123456789abcdef");
    const old = cookieOf(cookies.deviceCookieHeader(email, 0));
    expect(await cookies.knownDeviceId(old, email)).toBeDefined();
    const { generation } = await prisma.$transaction((tx) => revokeSignIns(tx, userId));
    expect(await cookies.knownDeviceId(old, email)).toBeUndefined();
    // Issued after the revocation for what was read before it (a sign-in under way): none either.
    expect(
      await cookies.knownDeviceId(
        cookieOf(cookies.deviceCookieHeader(email, 0, { issuedAt: Date.now() + 1000 })),
        email,
      ),
    ).toBeUndefined();
    const fresh = cookieOf(cookies.deviceCookieHeader(email, generation));
    expect(await cookies.knownDeviceId(fresh, email)).toBeDefined();
    // The revocation is in the database: a process started afterwards (a fresh module) sees it too.
    const elsewhere = await withSecrets("the-secret-of-this-instance-0123456789abcdef");
    expect(await elsewhere.knownDeviceId(old, email)).toBeUndefined();
    expect(await elsewhere.knownDeviceId(fresh, email)).toBeDefined();
  });

  it("cannot have their generation changed: the signature covers it", async () => {
    const email = "linus@example.test";
    const { id: userId } = await account(email);
    const cookies = await withSecrets("the-secret-of-this-instance-0123456789abcdef");
    const old = cookieOf(cookies.deviceCookieHeader(email, 0));
    await prisma.$transaction((tx) => revokeSignIns(tx, userId));
    const [name, value] = old.split("=") as [string, string];
    const [id, issued, , signature] = value.split(".");
    expect(await cookies.knownDeviceId(`${name}=${id}.${issued}.1.${signature}`, email)).toBeUndefined();
  });

  it("of the first format (no generation) count as before until the account's first revocation", async () => {
    const secret = "the-secret-of-this-instance-0123456789abcdef";
    const email = "barbara@example.test";
    const { id: userId } = await account(email);
    const cookies = await withSecrets(secret);
    // What the previous release issued: id.issued.HMAC("device:id.issued.email"), under the same name.
    const name = cookieOf(cookies.deviceCookieHeader(email, 0)).split("=")[0]!;
    const firstFormat = (issuedAt: number) => {
      const issued = issuedAt.toString(36);
      const signature = createHmac("sha256", secret).update(`device:dev1.${issued}.${email}`).digest("base64url");
      return `${name}=dev1.${issued}.${signature}`;
    };
    const recent = firstFormat(Date.now() - 60_000);
    expect(await cookies.knownDeviceId(recent, email)).toBe("dev1");
    // Revoked under the previous release (devicesValidFrom): still none.
    await prisma.user.update({ where: { id: userId }, data: { devicesValidFrom: new Date(Date.now() - 30_000) } });
    expect(await cookies.knownDeviceId(recent, email)).toBeUndefined();
    const later = firstFormat(Date.now() - 10_000);
    expect(await cookies.knownDeviceId(later, email)).toBe("dev1");
    // The first revocation since: every cookie of the first format ends.
    await prisma.$transaction((tx) => revokeSignIns(tx, userId));
    expect(await cookies.knownDeviceId(later, email)).toBeUndefined();
  });

  it("of an account that no longer exists count as none", async () => {
    const email = "gone@example.test";
    const { id: userId } = await account(email);
    const cookies = await withSecrets("the-secret-of-this-instance-0123456789abcdef");
    const cookie = cookieOf(cookies.deviceCookieHeader(email, 0));
    await prisma.user.delete({ where: { id: userId } });
    expect(await cookies.knownDeviceId(cookie, email)).toBeUndefined();
  });
});
