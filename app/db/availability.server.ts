/**
 * Tells "the database is unreachable right now" apart from every other database error. An outage is a
 * state ARES answers with 503 and recovers from by itself (the pool opens new connections when the
 * server is back); anything else is a bug and stays a 500.
 */

// Prisma: can't reach (P1001), timed out (P1002, P1008), connection closed (P1017), pool timeout (P2024).
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
// Node sockets, and PostgreSQL's SQLSTATEs for a server going away or refusing connections for now.
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
const SQLSTATE_UNAVAILABLE = /^(08...|57P0[1-3]|53300)$/;
// What the driver adapter and node-postgres say when there is no code to go by.
const UNAVAILABLE_TEXT =
  /can't reach database server|terminating connection|connection terminated|server closed the connection|the database system is (starting up|shutting down|in recovery mode)|timeout exceeded when trying to connect|connection refused|ECONNREFUSED|ECONNRESET|Client has encountered a connection error|DatabaseNotReachable|ConnectionClosed|SocketTimeout/i;

type ErrorLike = {
  message?: unknown;
  code?: unknown;
  originalCode?: unknown;
  originalMessage?: unknown;
  kind?: unknown;
  cause?: unknown;
  meta?: unknown;
};

function* chain(error: unknown): Generator<ErrorLike> {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === "object"; depth++) {
    yield current as ErrorLike;
    current = (current as ErrorLike).cause;
  }
}

export function isDatabaseUnavailable(error: unknown): boolean {
  for (const link of chain(error)) {
    const code = typeof link.code === "string" ? link.code : undefined;
    const originalCode = typeof link.originalCode === "string" ? link.originalCode : undefined;
    if (code && (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || SQLSTATE_UNAVAILABLE.test(code))) return true;
    if (originalCode && SQLSTATE_UNAVAILABLE.test(originalCode)) return true;
    const text = [link.message, link.originalMessage, link.kind, JSON.stringify(link.meta ?? null)].filter(
      (part) => typeof part === "string",
    );
    if (text.some((part) => UNAVAILABLE_TEXT.test(part as string))) return true;
  }
  return false;
}

/**
 * A foreign-key violation (SQLSTATE 23503): Prisma's P2003, or the driver's code through a raw query
 * (P2010's meta) or the adapter's error, anywhere in the cause chain.
 */
export function isForeignKeyViolation(error: unknown): boolean {
  for (const link of chain(error)) {
    if (link.code === "P2003" || link.code === "23503" || link.originalCode === "23503") return true;
    const meta = link.meta;
    if (meta && typeof meta === "object" && (meta as { code?: unknown }).code === "23503") return true;
  }
  return false;
}

/**
 * One line naming what went wrong, for logs and health reports: Prisma's messages start with a
 * multi-line "Invalid `prisma.x()` invocation" preamble and the adapter's errors have an empty message.
 */
export function describeError(error: unknown): string {
  for (const link of chain(error)) {
    const message = [link.message, link.originalMessage].find((part) => typeof part === "string" && part) ?? "";
    // Prisma puts the reason on the last line, after the call site and a code frame.
    const last = String(message)
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .at(-1);
    if (last) return last.slice(0, 300);
    for (const field of [link.originalCode, link.code, link.kind]) {
      if (typeof field === "string" && field) return field;
    }
  }
  return error instanceof Error ? error.name : String(error);
}
