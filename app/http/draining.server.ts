import type { NextFunction, Request, Response } from "express";
import { sendProblem } from "./problem.server";
import { isApiPath, routePath } from "./route-path.server";

/**
 * After SIGTERM the process drains: the load balancer must stop sending traffic (readiness 503 at
 * once), kept-alive connections are closed after their current response, and nothing new that would
 * outlive the grace period (a reply generation) is started here: the client retries elsewhere.
 */
let draining = false;

const RETRY_AFTER_SECONDS = "5";
const READINESS_PATH = "/api/v1/health/ready";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function startDraining(): void {
  draining = true;
}

export function drainingMiddleware(req: Request, res: Response, next: NextFunction): void {
  if (!draining) return next();
  res.setHeader("Connection", "close");
  if (routePath(req).path === READINESS_PATH) {
    res.status(503).setHeader("Cache-Control", "no-store").json({ status: "not_ready", reason: "shutting_down" });
    return;
  }
  if (SAFE_METHODS.has(req.method)) return next();
  // A write may start a reply that the grace period cannot wait for; nothing is stored, so a retry is safe.
  res.setHeader("Retry-After", RETRY_AFTER_SECONDS);
  if (isApiPath(routePath(req).path)) {
    sendProblem(res, 503, "shutting_down", "ARES is restarting", "Send the request again in a few seconds.");
    return;
  }
  res
    .status(503)
    .type("text/plain; charset=utf-8")
    .send("ARES is restarting. Go back and send the form again in a few seconds; nothing was saved.");
}
