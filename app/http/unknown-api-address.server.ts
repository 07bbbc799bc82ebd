import type { RequestHandler } from "express";
import type { ServerBuild } from "@remix-run/node";
import { sendClientError } from "./client-error.server";
import { isApiPath, routePath } from "./route-path.server";
import { isUnmatched, requestRouteTemplate } from "./route-template.server";

/**
 * An /api address no route claims is a 404 problem for every method, signed in or not. It went on to the
 * session gate, which answered 401 "sign in first" (as if signing in would find something there), a 405 for
 * PUT or DELETE, or a redirect to the sign-in page under the public /api/v1/health and /api/v1/internal.
 * The API's addresses are public (the OpenAPI document lists them), so a 404 reveals nothing; answering it
 * before the session lookup also spares that query. Pages keep their sign-in-first 404 (the splat route).
 */
export function answerUnknownApiAddresses(currentBuild: () => ServerBuild | undefined): RequestHandler {
  return (req, res, next) => {
    const build = currentBuild();
    // A development build that has not loaded (it does not compile): Remix's handler shows why.
    if (!build || !isApiPath(routePath(req).path) || !isUnmatched(requestRouteTemplate(req, res, build))) {
      return next();
    }
    sendClientError(req, res, {
      status: 404,
      code: "not_found",
      title: "Not found",
      message: "There is nothing at this address. The API's addresses are listed at /api/v1/openapi.json.",
    });
  };
}
