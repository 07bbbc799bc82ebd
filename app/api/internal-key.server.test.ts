import { describe, expect, it } from "vitest";
import { requireInternalKey } from "./internal-key.server";

const KEY = "internal-key-for-the-unit-test-0123456789";
const call = (authorization?: string) =>
  new Request("http://ares.test/api/v1/internal", { headers: authorization ? { Authorization: authorization } : {} });

async function refusal(run: () => void): Promise<{ status: number; type: string | null; body: unknown }> {
  try {
    run();
  } catch (thrown) {
    const response = thrown as Response;
    return { status: response.status, type: response.headers.get("content-type"), body: await response.json() };
  }
  throw new Error("the call was let through");
}

describe("requireInternalKey", () => {
  it("refuses a call without a key with a 401 problem+json", async () => {
    const result = await refusal(() => requireInternalKey(call(), KEY));
    expect(result).toMatchObject({
      status: 401,
      type: "application/problem+json; charset=utf-8",
      body: { code: "unauthorized" },
    });
  });

  it("refuses a wrong key, a prefix of the key and a non-bearer scheme", async () => {
    for (const header of [`Bearer ${KEY}x`, `Bearer ${KEY.slice(0, -1)}`, `Basic ${KEY}`, "Bearer"]) {
      expect((await refusal(() => requireInternalKey(call(header), KEY))).status).toBe(401);
    }
  });

  it("lets the right key through", () => {
    expect(() => requireInternalKey(call(`Bearer ${KEY}`), KEY)).not.toThrow();
  });

  it("refuses every call when no key is configured, rather than accepting any", async () => {
    expect((await refusal(() => requireInternalKey(call("Bearer "), undefined))).status).toBe(401);
  });
});
