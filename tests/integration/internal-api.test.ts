/** Service-to-service calls: Authorization: Bearer <INTERNAL_API_KEY>, refused without it, audited. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { startServer, type ServerProcess, ensureBuild } from "../support/server-process";

const KEY = "internal-key-for-tests-0123456789abcdef";
let server: ServerProcess;

beforeAll(async () => {
  await ensureBuild();
  server = await startServer({
    DATABASE_URL: process.env.DATABASE_URL,
    NODE_ENV: "test",
    ARES_SKIP_MIGRATIONS: "true",
    INTERNAL_API_KEY: KEY,
  });
}, 180_000);
afterAll(() => server?.stop());

const purge = (authorization?: string) =>
  fetch(`${server.url}/api/v1/internal/sessions/purge`, {
    method: "POST",
    headers: authorization ? { authorization } : {},
  });

describe("the internal API", () => {
  it("refuses a missing or wrong key with 401 problem+json", async () => {
    for (const response of [await purge(), await purge(`Bearer ${KEY}x`), await purge(`Basic ${KEY}`)]) {
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      expect(((await response.json()) as { code: string }).code).toBe("unauthorized");
    }
  });

  it("refuses a missing or wrong key with 401 before looking at the body: its type, encoding and size tell a stranger nothing", async () => {
    const bodies: Array<{ headers: Record<string, string>; body: string }> = [
      { headers: { "content-type": "text/plain" }, body: "hello" },
      { headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: "{}" },
      { headers: { "content-type": "application/json; charset=latin1" }, body: "{}" },
      // Over the 1 MiB default body limit (413 for a caller with the key).
      { headers: { "content-type": "application/json" }, body: JSON.stringify({ pad: "x".repeat(1_200_000) }) },
    ];
    for (const { headers, body } of bodies)
      for (const authorization of [undefined, `Bearer ${KEY}x`]) {
        const response = await fetch(`${server.url}/api/v1/internal/sessions/purge`, {
          method: "POST",
          headers: { ...headers, ...(authorization ? { authorization } : {}) },
          body,
        });
        expect(response.status, `${JSON.stringify(headers)} ${authorization ?? "no key"}`).toBe(401);
        expect(response.headers.get("www-authenticate")).toBe('Bearer realm="ares-internal"');
        expect(await response.json()).toMatchObject({ code: "unauthorized" });
      }
    // With the key, the body's type is what is wrong, and the caller is told so.
    const typed = await fetch(`${server.url}/api/v1/internal/sessions/purge`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "text/plain" },
      body: "hello",
    });
    expect(typed.status).toBe(415);
  });

  it("accepts the right key, does the work and records it in the audit log", async () => {
    const response = await purge(`Bearer ${KEY}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ purged: expect.any(Number) });
    const events = await prisma.auditEvent.findMany({ where: { action: "internal.sessions_purge" } });
    expect(events).toHaveLength(1);
    expect(events[0]!.outcome).toBe("success");
  });
});
