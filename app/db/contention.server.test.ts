import pg from "pg";
import { describe, expect, it } from "vitest";
import { Prisma } from "~/generated/prisma/client";
import { isContentionOrOutage, isWriteConflict } from "./contention.server";

function databaseError(code: string, message: string): pg.DatabaseError {
  return Object.assign(new pg.DatabaseError(message, message.length, "error"), { code });
}

describe("a statement given up for contention or an outage", () => {
  it("is recognised: statement timeout, lock not available, deadlock, serialization failure, database gone", () => {
    for (const error of [
      databaseError("57014", "canceling statement due to statement timeout"),
      databaseError("55P03", "canceling statement due to lock timeout"),
      databaseError("40P01", "deadlock detected"),
      databaseError("40001", "could not serialize access due to concurrent update"),
      databaseError("57P01", "terminating connection due to administrator command"),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
      Object.assign(new Error(""), { name: "DriverAdapterError", cause: { originalCode: "40P01" } }),
    ]) {
      expect(isContentionOrOutage(error)).toBe(true);
    }
  });

  it("is not confused with a bug in the statement or the schema", () => {
    for (const error of [
      databaseError("42703", 'column "nope" does not exist'),
      databaseError("42P01", 'relation "Nope" does not exist'),
      databaseError("23505", "duplicate key value violates unique constraint"),
      databaseError("22P02", "invalid input syntax for type integer"),
      new TypeError("x is undefined"),
    ]) {
      expect(isContentionOrOutage(error)).toBe(false);
    }
  });
});

describe("a transaction that lost to another one", () => {
  it("is recognised: a deadlock (as Prisma's adapter reports it), a serialization failure, P2034", () => {
    for (const error of [
      Object.assign(new Error("deadlock detected"), { name: "DriverAdapterError", cause: { originalCode: "40P01" } }),
      databaseError("40001", "could not serialize access due to concurrent update"),
      new Prisma.PrismaClientKnownRequestError("Transaction failed due to a write conflict or a deadlock", {
        code: "P2034",
        clientVersion: "test",
      }),
    ]) {
      expect(isWriteConflict(error)).toBe(true);
    }
  });

  it("is not a timeout, an outage or a bug: those are not simply run again", () => {
    for (const error of [
      databaseError("57014", "canceling statement due to statement timeout"),
      databaseError("23505", "duplicate key value violates unique constraint"),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
      new TypeError("x is undefined"),
    ]) {
      expect(isWriteConflict(error)).toBe(false);
    }
  });
});
