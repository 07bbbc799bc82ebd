import { afterEach, describe, expect, it, vi } from "vitest";

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

describe("known-device cookies", () => {
  it("stay known when the session secret is rotated (a new one put first), and end when the old one is dropped", async () => {
    const email = "ada@example.test";
    const before = await withSecrets("the-old-secret-of-this-instance-0123456789");
    const cookie = before.deviceCookieHeader(email).split(";")[0]!;
    expect(before.knownDeviceId(cookie, email)).toBeDefined();
    const rotated = await withSecrets(
      "a-new-secret-of-this-instance-9876543210,the-old-secret-of-this-instance-0123456789",
    );
    expect(rotated.knownDeviceId(cookie, email)).toBe(before.knownDeviceId(cookie, email));
    expect(rotated.knownDeviceId(cookie, "someone.else@example.test")).toBeUndefined();
    const dropped = await withSecrets("a-new-secret-of-this-instance-9876543210");
    expect(dropped.knownDeviceId(cookie, email)).toBeUndefined();
  });
});
