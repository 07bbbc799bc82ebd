import { remember } from "@epic-web/remember";
// Types only: the SDK itself is imported on demand, below.
import type * as SentryNode from "@sentry/node";
import { config, type ErrorReportingConfig } from "~/config/env.server";
import { logger } from "./logger.server";
import { DATA_COLLECTION, scrubBreadcrumb, scrubEvent, type BrowserErrorReporting } from "./error-reporting.shared";
import { currentRequestId } from "./request-scope.server";

/**
 * The one adapter for error reporting (Sentry, or GlitchTip, which speaks the same protocol). Off
 * unless SENTRY_DSN is set: then the SDK is not even loaded, and nothing leaves the process.
 *
 * Callers report a failure once, where it is handled last (Remix's handleError, Express's final error
 * handler, the job runner, a reply's generation, the unhandled-rejection handler), with the request id,
 * route template and opaque user id they know. Expected states are theirs to leave out: 4xx answers, a
 * database outage (a 503 that heals itself), a model provider being down.
 */

type Sdk = typeof SentryNode;

/** Where a failure happened; every field is an id or a template, never text a person wrote. */
export type FailureContext = {
  source: "request" | "render" | "express" | "job" | "generation" | "unhandled_rejection";
  requestId?: string;
  /** The route TEMPLATE (`/chat/:conversationId`), never the address. */
  route?: string;
  method?: string;
  /** The account's opaque id (never an email or a name). */
  userId?: string;
  tags?: Record<string, string | number>;
};

const state = remember("ares-error-reporting", () => ({ sdk: undefined as Sdk | undefined }));

/** Integrations left out of the SDK's defaults, and why. */
const LEFT_OUT = new Set([
  // process-failures.server.ts reports these itself, with the request id, and keeps the process up.
  "OnUnhandledRejection",
  // Console output is not ours to send (it may echo anything); the app logs through pino.
  "Console",
  // Local variables hold prompts and message text (and reading them runs the inspector).
  "LocalVariables",
  "LocalVariablesAsync",
  // Release-health sessions: one envelope per request, none of it an error.
  "ProcessSession",
  // It drops a report identical to the one before: two requests hitting the same bug are two failures,
  // and each failure here is reported from one place only, so there is no double to drop.
  "Dedupe",
]);

/**
 * Loads and starts the SDK when a server DSN is configured; resolves at once otherwise. Called once
 * by server.ts before anything else can fail.
 */
export async function startErrorReporting(settings: ErrorReportingConfig = config().errorReporting): Promise<boolean> {
  if (!settings.serverDsn) return false;
  if (state.sdk) return true;
  const sdk = await import("@sentry/node");
  sdk.init({
    dsn: settings.serverDsn,
    release: settings.release,
    environment: settings.environment,
    dataCollection: DATA_COLLECTION,
    // Undefined, not 0: any number (even 0) adds the SDK's tracing integrations.
    tracesSampleRate: settings.tracesSampleRate > 0 ? settings.tracesSampleRate : undefined,
    integrations: (defaults) => defaults.filter((integration) => !LEFT_OUT.has(integration.name)),
    beforeSend: scrubEvent,
    beforeBreadcrumb: scrubBreadcrumb,
  });
  state.sdk = sdk;
  logger.info({ environment: settings.environment, release: settings.release }, "error reporting is on");
  return true;
}

/** What /admin/system shows: whether each side reports errors. */
export function errorReportingStatus(): { server: boolean; browser: boolean } {
  return { server: state.sdk !== undefined, browser: Boolean(config().errorReporting.browserDsn) };
}

/** What the page hands the browser (entry.client.tsx) when SENTRY_BROWSER_DSN is set; null otherwise. */
export function browserErrorReporting(): BrowserErrorReporting | null {
  const { browserDsn, environment, release } = config().errorReporting;
  return browserDsn ? { dsn: browserDsn, environment, release } : null;
}

/** Reports an unexpected failure once; does nothing while reporting is off. */
export function reportFailure(error: unknown, where: FailureContext): void {
  const sdk = state.sdk;
  if (!sdk) return;
  const requestId = where.requestId ?? currentRequestId();
  const tags: Record<string, string | number> = { source: where.source, ...where.tags };
  if (requestId) tags.request_id = requestId;
  if (where.route) tags.route = where.route;
  if (where.method) tags.method = where.method;
  // A copy of the current scope, so nothing set here outlives this one report.
  sdk.captureException(error, (scope) => {
    scope.setTags(tags);
    if (where.userId) scope.setUser({ id: where.userId });
    // Issues read by route as well as by stack: the same bug on two pages shows where it bites.
    if (where.route) scope.setTransactionName(where.route);
    return scope;
  });
}

/** Sends what is still queued, within `timeoutMs`; called on shutdown. */
export async function flushErrorReports(timeoutMs: number): Promise<void> {
  await state.sdk?.close(timeoutMs);
}
