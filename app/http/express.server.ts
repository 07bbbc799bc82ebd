import { readdirSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import compression from "compression";
import express, { type Express, type Response } from "express";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import type { ViteDevServer } from "vite";
import { MAX_IMPORT_REQUEST_BYTES } from "~/calendar/ical.server";
import { type Config } from "~/config/env.server";
import { reportRoutesBy } from "~/observability/error-reporting.server";
import { logger, requestWithoutSecrets, responseWithoutSecrets } from "~/observability/logger.server";
import {
  answerSignedOutKeep,
  keepUnsentMessage,
  requireSessionByDefault,
  resolveSessionMiddleware,
} from "~/http/session-middleware.server";
import { allowedHostsMiddleware, refuseInvalidHost } from "./allowed-hosts.server";
import { drainingMiddleware } from "./draining.server";
import { answerUnknownAddressMethods, bodyGuard, refuseUnsupportedMethods } from "./body-guard.server";
import { finalErrorHandler } from "./error-handler.server";
import { httpMetricsMiddleware, labelRoute, metricsEndpoint } from "./metrics.server";
import { refuseApiDataAddresses, refuseNonCanonicalPaths } from "./non-canonical-url.server";
import { answerUnknownApiAddresses } from "./unknown-api-address.server";
import { type BuildSource, currentBuildOf } from "./current-build.server";
import { refuseNulInUrl } from "./nul-in-url.server";
import { allowedMethods, isUnmatched, requestRouteTemplate, routeTemplate } from "./route-template.server";
import { answerUnhandledError, withOutageAnswers } from "./outage.server";
import { remixRequestHandler } from "./remix-handler.server";
import { routePath } from "./route-path.server";
import { rateLimitMiddleware } from "./rate-limit.server";
import { loadContext, requestIdMiddleware } from "./request-context.server";
import { refuseCrossSiteWrites } from "./same-origin.server";
import { refuseUncredentialedCalls } from "./credentials-first.server";

type HttpAppOptions = {
  config: Config;
  build: BuildSource;
  clientDir?: string;
  vite?: ViteDevServer;
};

/** `/favicon.svg`, `/robots.txt`…: every file of the client build outside /assets, as served addresses. */
function publicFilesIn(clientDir: string): Set<string> {
  const files = readdirSync(clientDir, { recursive: true, withFileTypes: true });
  return new Set(
    files
      .filter((entry) => entry.isFile())
      .map((entry) => `/${path.relative(clientDir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/")}`)
      .filter((address) => !address.startsWith("/assets/")),
  );
}

/** serve-static decodes the address before it looks for the file; so does this check. */
function decodedPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch (error) {
    if (error instanceof URIError) return pathname;
    throw error;
  }
}

const QUIET_PATHS = /^\/(api\/v1\/health|metrics|assets\/|favicon)/;

/**
 * The middleware order matters; each step says why it sits where it does.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const { config } = options;
  const app = express();
  app.disable("x-powered-by");
  // req.ip, req.hostname and req.protocol believe X-Forwarded-* only from proxies trusted here.
  app.set("trust proxy", config.trustProxy);

  // The metrics middleware labels requests by route template, so it needs the build that serves them.
  const source = options.build;
  const builds = currentBuildOf(source);
  // Every loader and action answers a database outage with a 503 (outage.server.ts).
  const build =
    typeof source === "function" ? async () => withOutageAnswers(await builds.load()) : withOutageAnswers(source);
  // Error reports and traces name a request by its route template, never by its address.
  reportRoutesBy((pathname) => {
    const currentBuild = builds.current();
    return currentBuild ? routeTemplate(currentBuild, pathname) : undefined;
  });

  // 1. Request id first, so every later log line and error page can carry it.
  app.use(requestIdMiddleware);
  // 1a. Security headers next, so that every answer has them, the refusals below included.
  const development = Boolean(options.vite);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          // Vite's dev client injects inline modules; production allows only nonce'd scripts.
          scriptSrc: development
            ? ["'self'", "'unsafe-inline'", "'unsafe-eval'"]
            : ["'self'", (_req, res) => `'nonce-${String((res as Response).locals.cspNonce)}'`],
          // Browser error reports go to the browser DSN's origin, and only there; none without one.
          connectSrc: [
            "'self'",
            ...(development ? ["ws:"] : []),
            ...(config.errorReporting.browserDsn ? [new URL(config.errorReporting.browserDsn).origin] : []),
          ],
          // form-action also covers a form's redirects: no-JS sign-in and sign-out forms are sent on to Auth0.
          formAction: config.auth0 ? ["'self'", `https://${config.auth0.domain}`] : ["'self'"],
          upgradeInsecureRequests: null,
        },
      },
      // Chromium sends `Origin: null` on no-JS form posts under `no-referrer`, which Remix's CSRF check refuses.
      referrerPolicy: { policy: "strict-origin-when-cross-origin" },
      strictTransportSecurity: config.mode === "production" ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
    }),
  );
  // 1b. Timing and the access log next, so that the refusals below (unknown host, NUL, 405…) are counted
  // and logged like any answer: an operator sees a flood of them (health probes, scrapes and assets are
  // not logged).
  app.use(httpMetricsMiddleware(builds.current));
  app.use(
    pinoHttp({
      logger,
      genReqId: (_req, res) => String((res as Response).locals.requestId),
      serializers: { req: requestWithoutSecrets, res: responseWithoutSecrets },
      autoLogging: { ignore: (req) => QUIET_PATHS.test(req.url ?? "") },
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "warn" : "info",
    }),
  );
  // 1c. While shutting down: readiness 503, Connection: close, and no new writes (see draining.server.ts).
  app.use(drainingMiddleware);
  // 2. Host headers that name no address, or an unknown one, are refused before any work is done for them.
  app.use(refuseInvalidHost);
  app.use(allowedHostsMiddleware(config.allowedHosts));
  // 2b. An address with %00 cannot reach a database query (PostgreSQL text has no U+0000).
  app.use(refuseNulInUrl);
  // 2c. PUT, PATCH, DELETE, TRACE…, and POST where no action takes it: 405 with the address's Allow
  // before any work. An address no route claims waits for 2e (/api) or for the session (a page:
  // answerUnknownAddressMethods); while no build has loaded (development, one that does not compile)
  // every address takes GET, HEAD and POST.
  // Addresses Express itself serves (scrapes, public files, built assets) take only reads: a POST there was
  // sent on to sign-in, which sent it back again (a loop that used up the sign-in budget).
  const publicFiles = options.clientDir && !options.vite ? publicFilesIn(options.clientDir) : new Set<string>();
  const servedByExpress = (path: string) =>
    path === "/metrics" ||
    (publicFiles.size > 0 && (path.startsWith("/assets/") || publicFiles.has(decodedPath(path))));
  // Development: the route checks below decide by the build as Vite has it now (current-build.server.ts).
  app.use(builds.refresh);
  app.use(
    refuseUnsupportedMethods((req, res) => {
      const currentBuild = builds.current();
      if (servedByExpress(req.path)) return ["GET", "HEAD"];
      if (currentBuild === undefined) return ["GET", "HEAD", "POST"];
      if (isUnmatched(requestRouteTemplate(req, res, currentBuild))) return undefined;
      const url = req.originalUrl;
      const query = url.indexOf("?");
      return allowedMethods(currentBuild, req.path, query === -1 ? "" : url.slice(query)) ?? ["GET", "HEAD", "POST"];
    }),
  );
  // 2d. Every later step decides by routePath() (the route Remix will match); an address that only URL
  // normalisation turns into a route (`/./`, `%2e%2e`, `//`) is refused, so the two cannot disagree.
  app.use(refuseNonCanonicalPaths);
  app.use(refuseApiDataAddresses);
  // 2e. An /api address no route claims: 404 problem+json for every method, before the session gate (401).
  app.use(answerUnknownApiAddresses(builds.current));

  // Server-Sent Events must reach the browser token by token: compression would buffer them.
  app.use(
    compression({
      // gzip's fastest level: pages are compressed as they are rendered, and level 6 (the default)
      // cost three times the CPU of level 1 for ~10 % fewer bytes on the calendar's pages (a 49 KB
      // week: 0.39 vs 0.11 ms, 6.1 vs 6.8 KB). Brotli (HTTPS) keeps the library's quality 4.
      level: zlib.constants.Z_BEST_SPEED,
      filter: (req, res) =>
        !String(res.getHeader("Content-Type") ?? "").startsWith("text/event-stream") && compression.filter(req, res),
    }),
  );

  // Prometheus scrapes: answered by Express itself, never rate-limited, bearer-guarded when configured.
  app.get("/metrics", metricsEndpoint(config.metricsToken));

  if (options.vite) {
    app.use(options.vite.middlewares);
  } else if (options.clientDir) {
    // Fingerprinted build output never changes under a name; other public files may.
    app.use(
      "/assets",
      (_req, res, next) => (labelRoute(res, "/assets/*"), next()),
      express.static(`${options.clientDir}/assets`, { immutable: true, maxAge: "1y", index: false }),
    );
    // The other public files (favicon, robots.txt) are listed once at start: a page request then never
    // reaches the file system (serve-static's stat of a missing file was 3 % of a page's CPU).
    const servePublic = express.static(options.clientDir, {
      maxAge: "1h",
      index: false,
      setHeaders: (res) => labelRoute(res as unknown as Response, "static"),
    });
    app.use((req, res, next) => (publicFiles.has(decodedPath(req.path)) ? servePublic(req, res, next) : next()));
  }

  // Who is asking: after static files (no query for an asset), before rate limits and Remix.
  app.use(refuseCrossSiteWrites);
  app.use(resolveSessionMiddleware);
  // PUT, DELETE… to an unknown address: 404 when signed in, as GET (before the sign-in redirect).
  app.use(answerUnknownAddressMethods);
  app.use(requireSessionByDefault);

  // One body reader for every action: media type, size limit, NUL and lone surrogates. Before the rate
  // limits, which key sign-in attempts by the email in the body as well as by address. The calendar
  // page's import takes files up to its own, larger limit and says so itself when one is too large.
  // Except that the webhook and the internal API refuse a caller without their header credential first
  // (counted by the same limits: the write tier by address needs no body).
  const rateLimit = rateLimitMiddleware(config);
  app.use(refuseUncredentialedCalls(rateLimit));
  const calendarLimit = Math.max(config.bodyLimitBytes, MAX_IMPORT_REQUEST_BYTES);
  app.use(bodyGuard((req) => (routePath(req).path === "/calendar" ? calendarLimit : config.bodyLimitBytes)));
  // A chat message posted after the session ended is shown back (and kept for after signing in).
  app.use(keepUnsentMessage);
  // Rate limits after the session is known (keyed by user, else by IP) and before any Remix work.
  app.use(rateLimit);
  // Keeping that message writes its person's row: after the limit, which counts it as their write.
  app.use(answerSignedOutKeep);

  app.all(
    "*",
    remixRequestHandler({
      build,
      mode: config.mode === "development" ? "development" : "production",
      // Matched once here; the duration metric and a last-resort error report reuse it (res.locals.route).
      getLoadContext: (req, res) => loadContext(req, res, requestRouteTemplate(req, res, builds.current())),
    }),
  );
  // Never Express's default error page (it shows stacks and paths): client errors get the app's
  // error page or problem+json, everything else the outage-aware 503/500 answer.
  app.use(finalErrorHandler);
  app.use(answerUnhandledError);
  return app;
}
