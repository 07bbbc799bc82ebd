import { isDatabaseUnavailable } from "./availability.server";

/**
 * SQLSTATEs of a statement PostgreSQL gave up on because of others, not because it is wrong: cancelled
 * by the statement timeout (57014, a row lock waited on too long), lock not available (55P03, the lock
 * timeout), a deadlock (40P01), a serialization failure (40001).
 */
const CONTENTION_SQLSTATES = new Set(["57014", "55P03", "40P01", "40001"]);

type Coded = { code?: unknown; originalCode?: unknown; cause?: unknown };

/**
 * Whether a statement failed for want of the database (contention or an outage) rather than a bug: a
 * caller that can do without its write says so instead of a 500. Any other SQL error (an undefined
 * column, a constraint violated) is a bug and must not be taken for this.
 */
export function isContentionOrOutage(error: unknown): boolean {
  return isDatabaseUnavailable(error) || hasCode(error, CONTENTION_SQLSTATES);
}

/** A deadlock (40P01) or a serialization failure (40001, Prisma's P2034): the transaction is safe to run again. */
const WRITE_CONFLICT_CODES = new Set(["40P01", "40001", "P2034"]);

/**
 * Whether a transaction lost to another one (a deadlock or a write conflict) and may simply be run again.
 * Prisma reports a deadlock through its driver adapter as an unmapped error carrying the SQLSTATE, and
 * a serialization failure as P2034.
 */
export function isWriteConflict(error: unknown): boolean {
  return hasCode(error, WRITE_CONFLICT_CODES);
}

/** node-postgres puts the SQLSTATE in `code`; Prisma's driver adapter in `cause.originalCode`. */
function hasCode(error: unknown, codes: ReadonlySet<string>): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const { code, originalCode, cause } = current as Coded;
    if (typeof code === "string" && codes.has(code)) return true;
    if (typeof originalCode === "string" && codes.has(originalCode)) return true;
    current = cause;
  }
  return false;
}
