import { isRouteErrorResponse } from "@remix-run/react";
import type { AgnosticRouteObject } from "@remix-run/router";
// Types only: the SDK itself is downloaded on demand, below.
import type * as SentryReact from "@sentry/react";
import { templateOf } from "~/http/route-template";
import {
  DATA_COLLECTION,
  ERROR_REPORTING_META,
  scrubBreadcrumb,
  scrubEvent,
  type BrowserErrorReporting,
  type Scrubbing,
} from "./error-reporting.shared";

/**
 * Browser error reporting: on only when the page carries a browser DSN (SENTRY_BROWSER_DSN, handed
 * over by the root loader in a <meta> tag). Without one the SDK is never downloaded; without
 * JavaScript none of this runs and the page is the same.
 */

type Sdk = typeof SentryReact;

// Resolves to undefined when reporting is off or the SDK's chunk could not be loaded (offline).
let sdk: Promise<Sdk | undefined> | undefined;

function settingsFromPage(): BrowserErrorReporting | undefined {
  const content = document.querySelector<HTMLMetaElement>(`meta[name="${ERROR_REPORTING_META}"]`)?.content;
  if (!content) return undefined;
  const parsed = JSON.parse(content) as Partial<BrowserErrorReporting>;
  return parsed.dsn && parsed.release && parsed.environment
    ? { dsn: parsed.dsn, release: parsed.release, environment: parsed.environment }
    : undefined;
}

declare global {
  interface Window {
    /** Remix's router (set while hydrating): its route tree turns a path into its template. */
    __remixRouter?: { routes: AgnosticRouteObject[] };
  }
}

// Addresses of this app become route templates, others their origin, as on the server.
function browserScrubbing(): Scrubbing {
  return {
    routeOf: (pathname) => {
      const routes = window.__remixRouter?.routes;
      return routes ? templateOf(routes, pathname) : undefined;
    },
    ownOrigin: window.location.origin,
  };
}

/** Called by entry.client.tsx before hydration. */
export function startBrowserErrorReporting(): void {
  if (sdk) return;
  const settings = settingsFromPage();
  if (!settings) return;
  sdk = import("@sentry/react")
    .then((Sentry) => {
      const scrubbing = browserScrubbing();
      Sentry.init({
        ...settings,
        dataCollection: DATA_COLLECTION,
        // Release-health sessions would send an envelope on every page load; only errors are reported.
        integrations: (defaults) => defaults.filter((integration) => integration.name !== "BrowserSession"),
        // No sentry-trace or baggage header on the app's own requests (or any other).
        tracePropagationTargets: [],
        beforeSend: (event) => scrubEvent(event, scrubbing),
        beforeBreadcrumb: (breadcrumb) => scrubBreadcrumb(breadcrumb, scrubbing),
      });
      // Visible state for tests and curious operators (devtools): this page reports its errors.
      document.documentElement.dataset.errorReporting = "on";
      return Sentry;
    })
    .catch(() => undefined);
}

/**
 * An error boundary rendered for `error`. Answers from the server (a 404, the outage 503, or a 500
 * whose details Remix hides as "Unexpected Server Error") were reported by the server, with the request
 * id; what is left failed here, in the browser.
 */
export function reportBoundaryError(error: unknown): void {
  if (!sdk || isRouteErrorResponse(error)) return;
  if (error instanceof Error && error.message === "Unexpected Server Error") return;
  void sdk.then((Sentry) => Sentry?.captureException(error, { tags: { source: "error_boundary" } }));
}
