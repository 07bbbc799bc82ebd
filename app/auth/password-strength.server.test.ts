import type * as zxcvbnCore from "@zxcvbn-ts/core";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isWeakPassword } from "./password-strength.server";

afterEach(() => vi.restoreAllMocks());

describe("isWeakPassword", () => {
  it("builds its matcher on first use, not when the module is imported (every process imported it at start)", async () => {
    vi.resetModules();
    const built = vi.fn();
    vi.doMock("@zxcvbn-ts/core", async (importOriginal) => {
      const actual = await importOriginal<typeof zxcvbnCore>();
      class Counted extends actual.ZxcvbnFactory {
        constructor(...args: ConstructorParameters<typeof actual.ZxcvbnFactory>) {
          built();
          super(...args);
        }
      }
      return { ...actual, ZxcvbnFactory: Counted };
    });
    try {
      const fresh = await import("./password-strength.server");
      expect(built).not.toHaveBeenCalled();
      expect(fresh.isWeakPassword("aaaaaaaaaaaa")).toBe(true);
      expect(fresh.isWeakPassword("correct horse battery staple")).toBe(false);
      expect(built).toHaveBeenCalledTimes(1);
    } finally {
      vi.doUnmock("@zxcvbn-ts/core");
      vi.resetModules();
    }
  });

  it("refuses repeats, common passwords and one's own email; takes a passphrase", () => {
    expect(isWeakPassword("aaaaaaaaaaaa")).toBe(true);
    expect(isWeakPassword("password1234")).toBe(true);
    expect(isWeakPassword("gracehopper1", ["grace.hopper@example.test", "Grace"])).toBe(true);
    expect(isWeakPassword("correct horse battery staple", ["someone@example.test"])).toBe(false);
  });

  it("scores a 1,000-character password and personal words in bounded work: the first 64 characters of each", () => {
    const check = vi.spyOn(ZxcvbnFactory.prototype, "check");
    const long = "Tr0ub4dor&3-".repeat(84);
    const email = `${"grace".repeat(200)}@${"navy".repeat(200)}.mil`;
    isWeakPassword(long, [email, "Hopper".repeat(200)]);
    expect(check).toHaveBeenCalledTimes(1);
    const [password, inputs] = check.mock.calls[0]!;
    expect(password).toBe(long.slice(0, 64));
    expect(inputs!.length).toBeGreaterThan(0);
    for (const word of inputs!) expect(String(word).length).toBeLessThanOrEqual(64);
    // The email's local part and its domain's parts are words of their own.
    expect(inputs).toEqual(expect.arrayContaining(["grace".repeat(200).slice(0, 64), "navy".repeat(16), "mil"]));
  });

  it("a password that is weak in its first 64 characters stays weak whatever follows", () => {
    expect(isWeakPassword("a".repeat(64) + "Xq7!vB#2mZ".repeat(20))).toBe(true);
  });
});
