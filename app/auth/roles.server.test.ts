import { describe, expect, it } from "vitest";
import { roleFromNames } from "./roles.server";

describe("roleFromNames", () => {
  it("finding 7: only an exactly configured role name makes an admin", () => {
    expect(roleFromNames(["admin"], ["admin"])).toBe("admin");
    expect(roleFromNames(["user", "ares-admin"], ["admin", "ares-admin"])).toBe("admin");
    for (const names of [["billing-admin"], ["not-admin"], ["Admin"], ["admins"], [" admin"], []]) {
      expect(roleFromNames(names, ["admin"]), names.join(",")).toBe("user");
    }
  });
});
