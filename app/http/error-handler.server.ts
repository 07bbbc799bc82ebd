import type { ErrorRequestHandler } from "express";
import { logger } from "~/observability/logger.server";
import { sendClientError } from "./client-error.server";

/** Express's `status`/`statusCode` on an error it raised itself (e.g. 400 for an undecodable address). */
function clientStatusOf(error: unknown): number | undefined {
  if (!error || typeof error !== "object") return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const code = typeof status === "number" ? status : statusCode;
  return typeof code === "number" && code >= 400 && code < 500 ? code : undefined;
}

/**
 * Errors Express raised for a bad request (e.g. an undecodable address) are answered with the app's
 * error page (or problem+json under /api), never Express's default page, which shows the stack and file
 * paths outside production. Anything else goes on to the outage-aware handler (outage.server.ts).
 */
export const finalErrorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) return next(error);
  const requestId = res.locals.requestId as string | undefined;
  const status = clientStatusOf(error);
  if (status) {
    logger.warn({ requestId, status, path: req.path, reason: (error as Error).message }, "request refused");
    sendClientError(req, res, {
      status,
      code: status === 400 ? "bad_request" : "client_error",
      title: "Bad request",
      message:
        error instanceof URIError
          ? "This address could not be read: it contains an invalid percent-encoding."
          : "The request could not be understood.",
    });
    return;
  }
  next(error);
};
