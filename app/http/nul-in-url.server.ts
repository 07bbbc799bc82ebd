import type { RequestHandler } from "express";
import { sendProblem } from "~/http/problem.server";
import { labelRoute } from "./metrics.server";

/**
 * An address with a NUL character (`%00`) names nothing ARES has and cannot be used in a database
 * query (PostgreSQL text cannot hold U+0000): refused here as the client's mistake, never a 500.
 */
export const refuseNulInUrl: RequestHandler = (req, res, next) => {
  if (!req.originalUrl.includes("%00") && !req.originalUrl.includes("\u0000")) return next();
  labelRoute(res, "nul_rejected");
  if (req.path.startsWith("/api/")) {
    sendProblem(res, 400, "invalid_url", "Bad Request", "The address contains a NUL character (%00).");
    return;
  }
  res.status(400).type("text/plain").send("The address contains a NUL character (%00).\n");
};
