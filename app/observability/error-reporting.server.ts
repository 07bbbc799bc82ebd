import { remember } from "@epic-web/remember";
// Types only: the SDK itself is imported on demand, below.
import type * as SentryNode from "@sentry/node";
import { config, type ErrorReportingConfig } from "~/config/env.server";
import { isDatabaseUnavailable } from "~/db/availability.server";
import { LlmStreamInterruptedError, LlmUnavailableError } from "~/llm/errors";
import { logger } from "./logger.server";
import {
  DATA_COLLECTION,
  reportableAddress,
  scrubBreadcrumb,
  routeOfAddress,
  scrubEvent,
  withTemplates,
  type BrowserErrorReporting,
  type RouteOf,
  type Scrubbing,
} from "./error-reporting.shared";
import { currentRequestId } from "./request-scope.server";

/**
 * The one adapter for error reporting (Sentry, or GlitchTip, which speaks the same protocol). Off
 * unless SENTRY_DSN is set: then the SDK is not even loaded, and nothing leaves the process.
 *
 * Callers report a failure once, where it is handled last (Remix's handleError, Express's final error
 * handler, the job runner, a reply's generation, the unhandled-rejection handler), with the request id,
 * route template and opaque user id they know. Expected states are not faults: 4xx answers are the
 * callers' to leave out; a database outage (a 503 that heals itself) and a model provider being down
 * (the reply or job says so, and retries) are left out here, whoever reports them.
 */

type Sdk = typeof SentryNode;
type StreamedSpan = Parameters<NonNullable<SentryNode.NodeOptions["beforeSendSpan"]>>[0];

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

const state = remember("ares-error-reporting", () => ({
  sdk: undefined as Sdk | undefined,
  // Until the HTTP app says how paths map to routes, no path is reported at all.
  routeOf: (() => undefined) as RouteOf,
}));
const scrubbing: Scrubbing = { routeOf: (pathname) => state.routeOf(pathname) };

/** How reports turn one of this app's paths into its route template; set by the HTTP app, which has the routes. */
export function reportRoutesBy(routeOf: RouteOf): void {
  state.routeOf = routeOf;
}

/** Integrations left out of the SDK's defaults, and why. */
const LEFT_OUT = new Set([
  // process-failures.server.ts reports these itself, with the request id, and keeps the process up.
  "OnUnhandledRejection",
  // Console output is not ours to send (it may echo anything); the app logs through pino.
  "Console",
  // Local variables hold prompts and message text (and reading them runs the inspector).
  "LocalVariables",
  "LocalVariablesAsync",
  // Release-health sessions: one envelope per process (and, from Http, per minute of requests), none of
  // it an error. Http's own request sessions are switched off below.
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
    // Spans go out one by one through beforeSendSpan (Sentry 11's default, pinned here because
    // beforeSendTransaction would apply only to the other lifecycle).
    traceLifecycle: "stream",
    // No sentry-trace, baggage or traceparent on calls to Telegram, the model providers or Auth0: their
    // traces are not ours, and baggage would tell them our release and trace ids.
    tracePropagationTargets: [],
    integrations: (defaults) =>
      defaults
        .filter((integration) => !LEFT_OUT.has(integration.name))
        .map((integration) => {
          // Outgoing calls leave no breadcrumbs (their addresses may hold credentials: the Bot API's
          // `/bot<token>/`), and incoming requests are not counted as release-health sessions.
          if (integration.name === "Http")
            return sdk.httpIntegration({ breadcrumbs: false, sessions: false, tracePropagation: false });
          if (integration.name === "NodeFetch") return sdk.nativeNodeFetchIntegration({ breadcrumbs: false });
          return integration;
        }),
    beforeSend: (event) => scrubEvent(event, scrubbing),
    beforeBreadcrumb: (breadcrumb) => scrubBreadcrumb(breadcrumb, scrubbing),
    beforeSendSpan: scrubSpan,
  });
  state.sdk = sdk;
  logger.info({ environment: settings.environment, release: settings.release }, "error reporting is on");
  return true;
}

/** Span attributes a trace may keep: kinds, methods, statuses, ids, the SDK's own; never an address or a query. */
const SPAN_ATTRIBUTES = [
  "sentry.op",
  "sentry.origin",
  "sentry.kind",
  "sentry.source",
  "sentry.segment.name.source",
  "sentry.segment.id",
  "sentry.sample_rate",
  "sentry.trace_lifecycle",
  "sentry.status.message",
  "sentry.release",
  "sentry.environment",
  "sentry.sdk.name",
  "sentry.sdk.version",
  "sentry.sdk.integrations",
  "http.request.method",
  "http.response.status_code",
  "db.system.name",
  "db.operation.name",
  "db.query.summary",
];

// Attributes arrive either as plain values or as `{ value, type }`.
function attributeValue(value: unknown): unknown {
  return value !== null && typeof value === "object" && "value" in value ? value.value : value;
}

/**
 * The same rule for traces as for errors: an incoming request's span is named and labelled by its route
 * template, an outgoing call's by the origin it went to, and every other attribute that is not on the
 * allow-list (addresses, user agents, peer addresses, query text) is dropped.
 */
function scrubSpan(span: StreamedSpan): StreamedSpan {
  const given = span.attributes as Record<string, unknown>;
  const text = (key: string) => {
    const value = attributeValue(given[key]);
    return typeof value === "string" ? value : undefined;
  };
  const attributes: Record<string, unknown> = {};
  for (const key of SPAN_ATTRIBUTES) if (key in given) attributes[key] = given[key];
  const method = text("http.request.method") ?? text("http.method");
  const op = text("sentry.op");
  let name = withTemplates(span.name, scrubbing);
  if (op === "http.server") {
    const route = routeOfAddress(text("url.path") ?? text("http.target") ?? text("url.full") ?? "", scrubbing.routeOf);
    attributes["http.route"] = route;
    name = method ? `${method} ${route}` : route;
  } else if (op === "http.client") {
    const origin = reportableAddress(text("url.full") ?? "", scrubbing);
    name = [method, origin].filter(Boolean).join(" ") || "http.client";
  }
  const segmentName = text("sentry.segment.name");
  if (segmentName) attributes["sentry.segment.name"] = withTemplates(segmentName, scrubbing);
  return { ...span, name, attributes: attributes as StreamedSpan["attributes"], links: undefined };
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

/** The database is unreachable or no model provider answered: states that heal, not bugs to chase. */
function isExpectedOutage(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (current instanceof LlmUnavailableError || current instanceof LlmStreamInterruptedError) return true;
    current = current.cause;
  }
  return isDatabaseUnavailable(error);
}

/** Reports an unexpected failure once; does nothing while reporting is off or for an expected outage. */
export function reportFailure(error: unknown, where: FailureContext): void {
  const sdk = state.sdk;
  if (!sdk || isExpectedOutage(error)) return;
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
