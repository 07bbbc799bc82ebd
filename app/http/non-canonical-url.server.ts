import type { RequestHandler } from "express";
import { sendClientError } from "./client-error.server";
import { isApiPath, routePath } from "./route-path.server";

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

/**
 * `/api/v1/….data` is Remix's single-fetch spelling of an API address: it answered Remix's internal
 * format (text/x-script), and a 401 without the API's `unauthenticated` code. The API is JSON only; no
 * client of it asks for `.data`.
 */
export const refuseApiDataAddresses: RequestHandler = (req, res, next) => {
  const route = routePath(req);
  if (!route.data || !isApiPath(route.path)) return next();
  sendClientError(req, res, {
    status: 404,
    code: "not_found",
    title: "Not found",
    message: "API addresses have no `.data` form: request the address without it.",
  });
};
