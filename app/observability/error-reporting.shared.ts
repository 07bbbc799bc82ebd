import type { Breadcrumb, ErrorEvent } from "@sentry/react";

/**
 * Shared by the server and browser sides of error reporting: what a report may carry. ARES holds
 * people's conversations, prompts, memories and calendars, so reports keep an allow-list, not a
 * block-list: the error's type, a short first line of its message, the stack, the route, ids — never
 * cookies, headers, bodies, query strings, local variables or free text from breadcrumbs.
 */

/** What the server hands the browser, in `<meta name={ERROR_REPORTING_META}>`, when a browser DSN is set. */
export type BrowserErrorReporting = { dsn: string; environment: string; release: string };
export const ERROR_REPORTING_META = "ares-error-reporting";

/**
 * The SDK's own collection switches (Sentry 11's successor to `sendDefaultPii: false`), all off: no user
 * fields it guesses, no cookies, headers, bodies, query strings, database or queue arguments, AI inputs
 * or outputs, local variables. scrubEvent then enforces the same on whatever is left.
 */
export const DATA_COLLECTION = {
  userInfo: false,
  cookies: false,
  httpHeaders: false,
  httpBodies: [],
  urlQueryParams: false,
  graphQL: { document: false, variables: false },
  genAI: { inputs: false, outputs: false },
  mcp: { inputs: false, outputs: false },
  databaseQueryData: false,
  queues: false,
  stackFrameVariables: false,
};

const MAX_MESSAGE_LENGTH = 200;
const BREADCRUMB_CATEGORIES = new Set(["navigation", "http", "fetch", "xhr"]);
const BREADCRUMB_DATA_KEYS = ["method", "status_code", "url", "from", "to"] as const;

/** An address without its query string or fragment (search terms, tokens). */
export function withoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/**
 * One line of an error message, shortened. Errors may quote what they were given on later lines:
 * Prisma's "Invalid `prisma.x.create()` invocation" is followed by the code and the arguments (a
 * message's text, a prompt) and ends with the line that names the problem — which is the one kept.
 * Any other message keeps its first line.
 */
export function safeMessage(message: string | undefined): string | undefined {
  if (message === undefined) return undefined;
  const lines = message
    .split("\n")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  const prismaInvocation = lines.some((line) => /^Invalid `.+` invocation/.test(line));
  return ((prismaInvocation ? lines.at(-1) : lines[0]) ?? "").slice(0, MAX_MESSAGE_LENGTH);
}

export function scrubBreadcrumb(breadcrumb: Breadcrumb): Breadcrumb | null {
  if (!breadcrumb.category || !BREADCRUMB_CATEGORIES.has(breadcrumb.category)) return null;
  const data: Record<string, unknown> = {};
  for (const key of BREADCRUMB_DATA_KEYS) {
    const value = breadcrumb.data?.[key];
    if (typeof value === "number") data[key] = value;
    else if (typeof value === "string") data[key] = key === "method" ? value : withoutQuery(value);
  }
  return {
    type: breadcrumb.type,
    category: breadcrumb.category,
    level: breadcrumb.level,
    timestamp: breadcrumb.timestamp,
    data,
  };
}

export function scrubEvent(event: ErrorEvent): ErrorEvent {
  const request = event.request;
  event.request = request
    ? { url: request.url ? withoutQuery(request.url) : undefined, method: request.method }
    : undefined;
  event.user = event.user?.id === undefined ? undefined : { id: event.user.id };
  delete event.extra;
  event.message = safeMessage(event.message);
  if (event.logentry) event.logentry = { message: safeMessage(event.logentry.message) };
  for (const exception of event.exception?.values ?? []) {
    exception.value = safeMessage(exception.value);
    for (const frame of exception.stacktrace?.frames ?? []) delete frame.vars;
  }
  for (const thread of event.threads?.values ?? []) {
    for (const frame of thread.stacktrace?.frames ?? []) delete frame.vars;
  }
  event.breadcrumbs = event.breadcrumbs
    ?.map(scrubBreadcrumb)
    .filter((breadcrumb): breadcrumb is Breadcrumb => breadcrumb !== null);
  // Framework contexts may copy request state (e.g. a `response` or `state` context); keep the runtime's.
  if (event.contexts) {
    const { os, runtime, app, device, culture, trace, cloud_resource } = event.contexts;
    event.contexts = Object.fromEntries(
      Object.entries({ os, runtime, app, device, culture, trace, cloud_resource }).filter(([, value]) => value),
    );
  }
  return event;
}
