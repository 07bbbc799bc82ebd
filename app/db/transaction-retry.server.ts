import { Prisma } from "~/generated/prisma/client";

/** SQLSTATEs of a transaction PostgreSQL ended so that another could go on: a serialization failure, a deadlock. */
const RETRYABLE_SQLSTATES = new Set(["40001", "40P01"]);

/**
 * PostgreSQL rolled the transaction back to break a deadlock or a serialization conflict; running it
 * again is the remedy PostgreSQL documents. With the driver adapter (engineType "client") these arrive
 * in three forms: P2034 (a write conflict); from a raw statement, P2010 with the SQLSTATE in the
 * adapter's error (`meta.driverAdapterError`); from an ordinary statement (create, deleteMany…), the
 * adapter's error itself, named "DriverAdapterError", with no Prisma code.
 */
export function isRetryableTransactionFailure(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    return error.code === "P2034" || RETRYABLE_SQLSTATES.has(sqlStateOf(error.meta?.driverAdapterError));
  }
  return error instanceof Error && error.name === "DriverAdapterError" && RETRYABLE_SQLSTATES.has(sqlStateOf(error));
}

/** The SQLSTATE in the adapter's error (@prisma/driver-adapter-utils' DriverAdapterError): `cause.originalCode`. */
function sqlStateOf(adapterError: unknown): string {
  if (typeof adapterError !== "object" || adapterError === null || !("cause" in adapterError)) return "";
  const { cause } = adapterError;
  if (typeof cause !== "object" || cause === null || !("originalCode" in cause)) return "";
  return typeof cause.originalCode === "string" ? cause.originalCode : "";
}
