import type { Request, Response } from "express";
import { errorPageHtml } from "./error-html.server";
import { labelRoute } from "./metrics.server";
import { sendProblem } from "./problem.server";
import { sendRemixDataRefusal } from "./remix-data-refusal.server";
import { isApiPath, routePath } from "./route-path.server";

/**
 * A 4xx answered by Express itself: problem+json for /api, the app's error page for everything else.
 * The client's mistake, so it is logged by the access log at warn, never as an unhandled error.
 */
export function sendClientError(
  req: Request,
  res: Response,
  failure: { status: number; code: string; title: string; message: string; headers?: Record<string, string> },
): void {
  labelRoute(res, failure.code);
  for (const [name, value] of Object.entries(failure.headers ?? {})) res.setHeader(name, value);
  res.setHeader("Cache-Control", "no-store");
  if (isApiPath(routePath(req).path)) {
    sendProblem(res, failure.status, failure.code, failure.title, failure.message);
    return;
  }
  if (routePath(req).data) {
    sendRemixDataRefusal(req, res, failure);
    return;
  }
  res
    .status(failure.status)
    .type("html")
    .send(errorPageHtml(failure.status, failure.title, failure.message, res.locals.requestId));
}
