import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { ServerBuild } from "@remix-run/node";
import { metricsRegistry, observeHttpRequest } from "~/observability/metrics.server";
import { bearerTokenMatches } from "./bearer.server";
import { requestRouteTemplate } from "./route-template.server";

/** Set by middleware that answers a request itself, so the duration is labelled by what served it. */
export function labelRoute(res: Response, route: string): void {
  res.locals.metricsRoute = route;
}

/**
 * Times every request and records it under its route template once the response is sent.
 * `currentBuild` returns the Remix build serving requests (in development it changes with each edit).
 */
export function httpMetricsMiddleware(currentBuild: () => ServerBuild | undefined): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const labelled = res.locals.metricsRoute as string | undefined;
      // Requests Remix served were matched for its load context already; the rest are matched here.
      const route = labelled ?? requestRouteTemplate(req, res, currentBuild());
      observeHttpRequest({ method: req.method, route, status: res.statusCode }, seconds);
    });
    next();
  };
}

/** Prometheus text exposition; with METRICS_TOKEN set, only for `Authorization: Bearer <token>`. */
export function metricsEndpoint(token: string | undefined): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    labelRoute(res, "/metrics");
    if (token && !bearerTokenMatches(req.get("authorization"), token)) {
      res.status(401).set("WWW-Authenticate", 'Bearer realm="metrics"').type("text/plain").send("Unauthorized\n");
      return;
    }
    metricsRegistry
      .metrics()
      .then((body) => {
        res.set("Content-Type", metricsRegistry.contentType).set("Cache-Control", "no-store").send(body);
      })
      .catch(next);
  };
}
