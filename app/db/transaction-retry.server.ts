import { Prisma } from "~/generated/prisma/client";

/** SQLSTATEs of a transaction PostgreSQL ended so that another could go on: a serialization failure, a deadlock. */
const RETRYABLE_SQLSTATES = new Set(["40001", "40P01"]);

/**
 * PostgreSQL rolled the transaction back to break a deadlock or a serialization conflict; running it
 * again is the remedy PostgreSQL documents. Prisma reports these as P2034 (a write conflict) or, from
 * a raw statement, as P2010 with the SQLSTATE in the driver adapter's error.
 */
export function isRetryableTransactionFailure(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === "P2034") return true;
  const adapterError: unknown = error.meta?.driverAdapterError;
  const cause: unknown = adapterError && typeof adapterError === "object" ? Reflect.get(adapterError, "cause") : null;
  const sqlState: unknown = cause && typeof cause === "object" ? Reflect.get(cause, "originalCode") : null;
  return typeof sqlState === "string" && RETRYABLE_SQLSTATES.has(sqlState);
}
