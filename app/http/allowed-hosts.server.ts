import type { RequestHandler } from "express";
import { labelRoute } from "./metrics.server";
import { routePath } from "./route-path.server";

// Orchestrators and Prometheus reach these by container name or IP, never by the public host name.
const ANY_HOST = /^\/(api\/v1\/health(\/.*)?|metrics)$/;

/**
 * Refuses requests whose Host is not one of ALLOWED_HOSTS (DNS-rebinding and host-header attacks).
 * `req.hostname` honours X-Forwarded-Host only when `trust proxy` trusts the sender.
 */
export function allowedHostsMiddleware(allowedHosts: string[]): RequestHandler {
  const allowed = new Set(allowedHosts);
  return (req, res, next) => {
    if (allowed.size === 0 || ANY_HOST.test(routePath(req).path) || allowed.has(req.hostname.toLowerCase()))
      return next();
    labelRoute(res, "host_rejected");
    res.status(400).type("text/plain").send("Unknown host\n");
  };
}
