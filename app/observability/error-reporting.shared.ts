import type { Breadcrumb, ErrorEvent } from "@sentry/react";

/**
 * Shared by the server and browser sides of error reporting: what a report may carry. ARES holds
 * people's conversations, prompts, memories and calendars, so reports keep an allow-list, not a
 * block-list: the error's type, a short first line of its message, the stack, the route TEMPLATE, ids —
 * never cookies, headers, bodies, addresses (paths and queries), local variables or free text from
 * breadcrumbs.
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
/** Reported in place of a path no route claims. */
export const UNMATCHED_ROUTE = "unmatched";

/** The route template (`/calendar/feed/:token.ics`) a path of this app reaches, or undefined. */
export type RouteOf = (pathname: string) => string | undefined;

/**
 * What scrubbing needs to know about where it runs. A concrete address is never reported: paths of
 * ARES carry credentials (`/calendar/feed/<token>.ics`) and other services' paths may too (the
 * Telegram Bot API's `/bot<token>/…`). An address of this app becomes its route template; any other
 * address, its origin.
 */
export type Scrubbing = {
  routeOf: RouteOf;
  /** This app's origin, where addresses can be absolute (the browser); none on the server. */
  ownOrigin?: string;
};

function parsed(address: string): URL | undefined {
  try {
    return new URL(address, "http://relative.invalid");
  } catch (error) {
    if (error instanceof TypeError) return undefined;
    throw error;
  }
}

/** The route template of an address known to be this app's (absolute or a path), whatever its origin. */
export function routeOfAddress(address: string, routeOf: RouteOf): string {
  const pathname = parsed(address)?.pathname;
  return (pathname ? routeOf(pathname) : undefined) ?? UNMATCHED_ROUTE;
}

/** An address as a report may carry it: this app's route template, or another service's origin. */
export function reportableAddress(address: string, { routeOf, ownOrigin }: Scrubbing): string | undefined {
  const url = parsed(address);
  if (!url) return undefined;
  const ours = url.origin === "http://relative.invalid" || url.origin === ownOrigin;
  return ours ? (routeOf(url.pathname) ?? UNMATCHED_ROUTE) : url.origin;
}

/**
 * Free text that may name addresses (a transaction or span name such as `GET /calendar/feed/<token>.ics`
 * or `POST https://api.telegram.org/bot<token>/getMe`), with each one as reportableAddress makes it.
 */
export function withTemplates(text: string, scrubbing: Scrubbing): string {
  return text.replace(
    /https?:\/\/[^\s"'<>]+|(?<=^|\s)\/[^\s"'<>]*/g,
    (address) => reportableAddress(address, scrubbing) ?? UNMATCHED_ROUTE,
  );
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

export function scrubBreadcrumb(breadcrumb: Breadcrumb, scrubbing: Scrubbing): Breadcrumb | null {
  if (!breadcrumb.category || !BREADCRUMB_CATEGORIES.has(breadcrumb.category)) return null;
  const source = breadcrumb.data ?? {};
  const data: Record<string, unknown> = {};
  if (typeof source.method === "string") data.method = source.method;
  if (typeof source.status_code === "number") data.status_code = source.status_code;
  for (const key of ["url", "from", "to"] as const) {
    const address = typeof source[key] === "string" ? reportableAddress(source[key], scrubbing) : undefined;
    if (address) data[key] = address;
  }
  return {
    type: breadcrumb.type,
    category: breadcrumb.category,
    level: breadcrumb.level,
    timestamp: breadcrumb.timestamp,
    data,
  };
}

export function scrubEvent(event: ErrorEvent, scrubbing: Scrubbing): ErrorEvent {
  const request = event.request;
  // The template the reporter tagged (reportFailure knows it best); else the one the address matches.
  const tagged = typeof event.tags?.route === "string" ? event.tags.route : undefined;
  // The request an event belongs to is always one of this app's, whatever origin it was addressed to.
  const route = tagged ?? (request?.url ? routeOfAddress(request.url, scrubbing.routeOf) : undefined);
  event.request = request ? { ...(route ? { url: route } : {}), method: request.method } : undefined;
  event.transaction = tagged ?? (event.transaction ? withTemplates(event.transaction, scrubbing) : undefined);
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
    ?.map((breadcrumb) => scrubBreadcrumb(breadcrumb, scrubbing))
    .filter((breadcrumb): breadcrumb is Breadcrumb => breadcrumb !== null);
  // Framework contexts may copy request state (e.g. a `response` or `state` context); keep the runtime's,
  // and of the trace only its ids (with tracing on, its `data` holds the span's addresses).
  if (event.contexts) {
    const { os, runtime, app, device, culture, trace, cloud_resource } = event.contexts;
    const ids = trace && {
      trace_id: trace.trace_id,
      span_id: trace.span_id,
      ...(trace.parent_span_id ? { parent_span_id: trace.parent_span_id } : {}),
    };
    event.contexts = Object.fromEntries(
      Object.entries({ os, runtime, app, device, culture, trace: ids, cloud_resource }).filter(([, value]) => value),
    );
  }
  return event;
}
