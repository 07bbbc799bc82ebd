import { describe, expect, it } from "vitest";
import { describeError, isDatabaseUnavailable, isForeignKeyViolation } from "./availability.server";

// Shapes seen from Prisma 6.19 + @prisma/adapter-pg + pg with PostgreSQL stopped (pg_ctl stop -m fast).
function prismaError(code: string, message: string) {
  return Object.assign(new Error(message), { name: "PrismaClientKnownRequestError", code, meta: {} });
}
const unreachable = prismaError(
  "P1001",
  "\nInvalid `prisma.user.findFirst()` invocation in\n/app/x.ts:13:25\n\n  10 await x;\n→ 13 try {\nCan't reach database server at 127.0.0.1:5432",
);
const rawUnreachable = prismaError(
  "P2010",
  "\nInvalid `prisma.$queryRaw()` invocation:\n\n\nRaw query failed. Code: `N/A`. Message: `Can't reach database server at 127.0.0.1:5432`",
);
const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
const adminShutdown = Object.assign(new Error(""), {
  name: "DriverAdapterError",
  cause: {
    kind: "postgres",
    originalCode: "57P01",
    originalMessage: "terminating connection due to administrator command",
  },
});

describe("a database outage", () => {
  it("is recognised from Prisma, the driver adapter and node-postgres", () => {
    for (const error of [
      unreachable,
      rawUnreachable,
      refused,
      adminShutdown,
      new Error("Connection terminated unexpectedly"),
    ]) {
      expect(isDatabaseUnavailable(error)).toBe(true);
    }
  });

  it("is not confused with a bug or a constraint violation", () => {
    expect(isDatabaseUnavailable(prismaError("P2002", "Unique constraint failed on the fields: (`email`)"))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(new TypeError("cannot read properties of undefined"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  it("is described in one line that says why", () => {
    expect(describeError(unreachable)).toBe("Can't reach database server at 127.0.0.1:5432");
    expect(describeError(rawUnreachable)).toContain("Can't reach database server");
    expect(describeError(adminShutdown)).toBe("terminating connection due to administrator command");
    expect(describeError(new Error("6 pending: a, b"))).toBe("6 pending: a, b");
  });
});

describe("a foreign-key violation", () => {
  it("is recognised from Prisma, a raw query, the driver adapter and node-postgres, and nothing else is", () => {
    const raw = Object.assign(prismaError("P2010", "Raw query failed. Code: `23503`."), { meta: { code: "23503" } });
    const adapter = Object.assign(new Error(""), { cause: { kind: "postgres", originalCode: "23503" } });
    const driver = Object.assign(new Error("insert violates foreign key constraint"), { code: "23503" });
    for (const error of [prismaError("P2003", "Foreign key constraint violated"), raw, adapter, driver]) {
      expect(isForeignKeyViolation(error)).toBe(true);
    }
    for (const error of [
      prismaError("P2002", "Unique constraint failed"),
      prismaError("P2025", "not found"),
      refused,
    ]) {
      expect(isForeignKeyViolation(error)).toBe(false);
    }
    expect(isForeignKeyViolation(new Error("value too long for type character varying(10)"))).toBe(false);
  });
});
