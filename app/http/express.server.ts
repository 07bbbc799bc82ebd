import compression from "compression";
import express, { type Express, type Response } from "express";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import type { ServerBuild } from "@remix-run/node";
import { createRequestHandler } from "@remix-run/express";
import type { ViteDevServer } from "vite";
import { type Config } from "~/config/env.server";
import { logger } from "~/observability/logger.server";
import { loadContext, requestIdMiddleware } from "./request-context.server";

type HttpAppOptions = {
  config: Config;
  /** Production/local: the built server bundle. Development: Vite serves and rebuilds it. */
  build: ServerBuild | (() => Promise<ServerBuild>);
  clientDir?: string;
  vite?: ViteDevServer;
};

const QUIET_PATHS = /^\/(api\/v1\/health|metrics|assets\/|favicon)/;

export function createHttpApp(options: HttpAppOptions): Express {
  const { config } = options;
  const app = express();
  app.disable("x-powered-by");

  app.use(requestIdMiddleware);
  app.use(
    pinoHttp({
      logger,
      genReqId: (_req, res) => String((res as Response).locals.requestId),
      autoLogging: { ignore: (req) => QUIET_PATHS.test(req.url ?? "") },
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "warn" : "info",
    }),
  );

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
          connectSrc: development ? ["'self'", "ws:"] : ["'self'"],
          upgradeInsecureRequests: null,
        },
      },
      // Chromium sends `Origin: null` on no-JS form posts under `no-referrer`, which Remix's CSRF check refuses.
      referrerPolicy: { policy: "strict-origin-when-cross-origin" },
      strictTransportSecurity: config.mode === "production" ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use(compression());

  if (options.vite) {
    app.use(options.vite.middlewares);
  } else if (options.clientDir) {
    app.use("/assets", express.static(`${options.clientDir}/assets`, { immutable: true, maxAge: "1y", index: false }));
    app.use(express.static(options.clientDir, { maxAge: "1h", index: false }));
  }

  app.all(
    "*",
    createRequestHandler({
      build: options.build,
      mode: config.mode === "development" ? "development" : "production",
      getLoadContext: (_req, res) => loadContext(res),
    }),
  );
  return app;
}
