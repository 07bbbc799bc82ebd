import type { RequestHandler } from "express";
import { sendClientError } from "./client-error.server";
import { routePath } from "./route-path.server";

/**
 * `/./`, `/../`, `%2e`, `%2f`, `//` and backslashes are refused before anything else looks at the
 * address, so Express and Remix can never disagree about which route a request is for.
 */
export const refuseNonCanonicalPaths: RequestHandler = (req, res, next) => {
  if (routePath(req).canonical) return next();
  sendClientError(req, res, {
    status: 400,
    code: "non_canonical_url",
    title: "Bad request",
    message:
      "This address is not in its plain form: it has `.` or `..` segments, `//`, a backslash or an encoded `.`, `/` or `\\`.",
  });
};
