import type { RequestHandler } from "express";
import { sendClientError } from "./client-error.server";

/**
 * An address with a NUL character (`%00`) names nothing ARES has and cannot be used in a database
 * query (PostgreSQL text cannot hold U+0000): refused here as the client's mistake, never a 500.
 */
export const refuseNulInUrl: RequestHandler = (req, res, next) => {
  if (!req.originalUrl.includes("%00") && !req.originalUrl.includes("\u0000")) return next();
  sendClientError(req, res, {
    status: 400,
    code: "invalid_url",
    title: "Bad request",
    message: "The address contains a NUL character (%00).",
  });
};
