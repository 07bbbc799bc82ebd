import type {
  ErrorRequestHandler,
  NextFunction,
  Request as ExpressRequest,
  Response as ExpressResponse,
} from "express";
import type { ActionFunctionArgs, LoaderFunctionArgs, ServerBuild } from "@remix-run/node";
import { config } from "~/config/env.server";
import { describeError, isDatabaseUnavailable } from "~/db/availability.server";
import { reportFailure } from "~/observability/error-reporting.server";
import { logger } from "~/observability/logger.server";
import type { RequestAuth } from "~/sessions/types";
import { countDependencyUnavailable } from "~/observability/metrics.server";
import { TooLarge, discardRestOfBody, guardedBody, readLimited } from "./body-guard.server";
import { decodeForm } from "./form-charset.server";
import { carriesComposerText, isPageFormPost } from "./page-forms.server";
import { problem, sendProblem } from "./problem.server";
import { isApiPath, routePath } from "./route-path.server";
import { typedFieldsOf } from "./unsaved-form.server";

/**
 * A database outage is a state, not a crash: while PostgreSQL is unreachable every request that needs
 * it answers 503 with Retry-After — the app's own page for people, problem+json for /api — and logs one
 * JSON line. Nothing is cached about the outage: the next request tries again, so ARES recovers the
 * moment the pool can connect.
 */
export const RETRY_AFTER_SECONDS = 5;
const UNAVAILABLE_TITLE = "ARES is temporarily unavailable";
const UNAVAILABLE_DETAIL = `ARES cannot reach its database right now. Nothing you saved is lost; please try again in a few seconds.`;

type Where = { requestId: unknown; method: string; path: string };

function logUnavailable(where: Where, error: unknown): void {
  countDependencyUnavailable("database");
  logger.warn(
    {
      requestId: where.requestId,
      method: where.method,
      path: where.path,
      code: "database_unavailable",
      error: describeError(error),
    },
    "database unavailable",
  );
}

// Remix matches routes case-insensitively: `/API/v1/…` is the API too.
const isApi = (path: string) => isApiPath(path.toLowerCase());

/** The thrown 503 that Remix renders with the root error boundary (pages) or returns as is (/api). */
function unavailableResponse(path: string): Response {
  if (isApi(path)) {
    return problem(503, "database_unavailable", UNAVAILABLE_TITLE, {
      detail: UNAVAILABLE_DETAIL,
      headers: { "Retry-After": String(RETRY_AFTER_SECONDS) },
    });
  }
  return new Response(UNAVAILABLE_DETAIL, {
    status: 503,
    statusText: "Service Unavailable",
    headers: { "Retry-After": String(RETRY_AFTER_SECONDS), "Content-Type": "text/plain; charset=utf-8" },
  });
}

/**
 * A request from the Remix client (a client-side navigation, revalidation or fetcher): `*.data` under
 * single fetch. It can only read Remix's own format, not an HTML page. (`?_data=` is dropped before
 * Remix sees it: a page request, answered with the page.)
 */
function isRemixDataRequest(req: ExpressRequest): boolean {
  return routePath(req).data;
}

/**
 * For the middleware that runs before Remix and needs the database (the session lookup): a database
 * outage there is answered by the final error handler — except for Remix data requests, which go on to
 * Remix marked as such, so that their loaders or action answer the 503 in Remix's format and the
 * client shows the error boundary's "temporarily unavailable" (an HTML page there cannot be decoded).
 */
export function handOutageToRemix(error: unknown, req: ExpressRequest, res: ExpressResponse, next: NextFunction): void {
  if (!isDatabaseUnavailable(error) || !isRemixDataRequest(req)) return next(error);
  logUnavailable({ requestId: res.locals.requestId, method: req.method, path: req.path }, error);
  res.locals.databaseUnavailable = true;
  next();
}

type DataFunction = (args: LoaderFunctionArgs | ActionFunctionArgs) => Promise<unknown>;

function guarded(run: DataFunction): DataFunction {
  return async (args) => {
    // Already found unreachable before Remix (and logged once there): no loader tries it again.
    if (args.context.databaseUnavailable) throw unavailableResponse(new URL(args.request.url).pathname);
    try {
      return await run(args);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const path = new URL(args.request.url).pathname;
      logUnavailable({ requestId: args.context.requestId, method: args.request.method, path }, error);
      throw unavailableResponse(path);
    }
  };
}

const guardedBuilds = new WeakMap<ServerBuild, ServerBuild>();

/**
 * The same build with every loader and action answering a database outage with a 503 (Retry-After
 * included, for Remix data requests too).
 */
export function withOutageAnswers(build: ServerBuild): ServerBuild {
  const existing = guardedBuilds.get(build);
  if (existing) return existing;
  const routes = Object.fromEntries(
    Object.entries(build.routes).map(([id, route]) => {
      const module = { ...route.module };
      if (module.loader) module.loader = guarded(module.loader as DataFunction) as typeof module.loader;
      if (module.action) module.action = guarded(module.action as DataFunction) as typeof module.action;
      return [id, { ...route, module }];
    }),
  ) as ServerBuild["routes"];
  const module = build.entry.module;
  const handleDataRequest: typeof module.handleDataRequest = async (response, args) => {
    const answered = module.handleDataRequest ? await module.handleDataRequest(response, args) : response;
    // Single fetch (`*.data`) encodes a loader's thrown 503 in its own format without the Response's
    // headers: the answer gets its Retry-After back here.
    if (answered.status === 503 && !answered.headers.has("Retry-After"))
      answered.headers.set("Retry-After", String(RETRY_AFTER_SECONDS));
    return answered;
  };
  const wrapped = { ...build, routes, entry: { ...build.entry, module: { ...module, handleDataRequest } } };
  guardedBuilds.set(build, wrapped);
  return wrapped;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

type SentForm = { action: string; route: string; fields: Array<[string, string]> };

/**
 * The fields of a page form posted (no JS) while the database was unreachable, to be offered back on the
 * outage page: that answer is made before the page's own action runs, so without this what was typed
 * (a long message) was gone, and its "Try again" link only reloaded the empty page. Only the page forms
 * whose pages keep a refused post's text (page-forms.server.ts), only urlencoded bodies within the body
 * limit, never a form with a password in it (it is not written into a page), and only when something
 * was typed: a deletion or the theme switch has nothing to give back, and "Try again" says enough.
 */
async function sentForm(req: ExpressRequest, res: ExpressResponse): Promise<SentForm | undefined> {
  const { path: route, data } = routePath(req);
  if (data || !(isPageFormPost(req) || carriesComposerText(req))) return undefined;
  // Read already (the outage came after the body guard), or still unread (it came at the session lookup).
  const guarded = guardedBody(res);
  const contentType = guarded?.contentType ?? req.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) return undefined;
  let bytes = guarded?.bytes;
  if (!bytes) {
    if (req.readableEnded) return undefined;
    const read = await readLimited(req, config().bodyLimitBytes);
    // Over the limit, reading stopped: the rest is let through (or the connection cut), or the client,
    // still sending, never gets to read this answer.
    if (read instanceof TooLarge) discardRestOfBody(req, res);
    if (!Buffer.isBuffer(read)) return undefined;
    bytes = read;
  }
  const fields = decodeForm(bytes, contentType);
  if (!fields || fields.some(([name]) => /password/i.test(name))) return undefined;
  const typed = typedFieldsOf(route);
  if (!fields.some(([name, value]) => typed.has(name) && value.trim() !== "")) return undefined;
  return { action: req.originalUrl, route, fields };
}

/**
 * The form as sent: each typed field visible and labelled (to read, change or copy), the rest as it was.
 * A newline opens each box: HTML drops the first one there, which would be the text's own.
 */
function sentFormHtml({ action, route, fields }: SentForm): string {
  const typed = typedFieldsOf(route);
  const inputs = fields.map(([name, value], index) => {
    const field = typed.get(name);
    const attributes = `id="sent-${index}" name="${escapeHtml(name)}" dir="auto"`;
    if (!field) return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
    const box = field.multiLine
      ? `<textarea ${attributes} rows="6">\n${escapeHtml(value)}</textarea>`
      : `<input ${attributes} value="${escapeHtml(value)}">`;
    return `<p><label for="sent-${index}">${escapeHtml(field.label)}</label><br>${box}</p>`;
  });
  return `<p>What you sent has not been saved yet. It is below: send it again once ARES is back.</p>
<form method="post" action="${escapeHtml(action)}">${inputs.join("")}<p><button type="submit">Send again</button></p></form>`;
}

// Every piece is a constant of this module except the request id, which requestIdMiddleware only
// accepts as [A-Za-z0-9._:-], and the sent form, escaped where it is written.
function page(status: number, title: string, message: string, requestId: unknown, form?: SentForm): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ARES</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}code{font-size:.9em}textarea,input{box-sizing:border-box;font:inherit;width:100%}</style>
</head><body><p>${status}</p><h1>${title}</h1><p>${message}</p>
${form ? sentFormHtml(form) : ""}<p>Request id: <code>${String(requestId ?? "")}</code></p>
<p><a href="">${form ? "Reload the page" : "Try again"}</a></p></body></html>`;
}

/**
 * Express's last resort, for errors raised before Remix answers (the session lookup) or while it
 * streams: one JSON log line and a proper answer, never Express's bare "Internal Server Error" page
 * with a stack on stderr.
 */
// Express recognises an error handler by its four parameters, so `_next` stays.
export const answerUnhandledError: ErrorRequestHandler = (
  error: unknown,
  req: ExpressRequest,
  res: ExpressResponse,
  _next,
) => {
  const where = { requestId: res.locals.requestId, method: req.method, path: req.path };
  const unavailable = isDatabaseUnavailable(error);
  if (unavailable) logUnavailable(where, error);
  else {
    logger.error({ ...where, err: error }, "unhandled error");
    // A database outage is an expected state (503, heals itself) and is not reported, nor is a stream
    // that broke because the client went away mid-answer; anything else is a fault.
    const clientGone = res.headersSent && (res.destroyed || req.socket.destroyed);
    if (!clientGone)
      reportFailure(error, {
        source: "express",
        requestId: where.requestId as string | undefined,
        method: req.method,
        route: (res.locals.route as string | undefined) ?? "unmatched",
        userId: (res.locals.auth as RequestAuth | undefined)?.user?.id,
      });
  }
  if (res.headersSent) {
    // Part of the answer is out: the client can only learn of the failure from a cut connection.
    res.destroy();
    return;
  }
  if (unavailable) res.set("Retry-After", String(RETRY_AFTER_SECONDS));
  res.set("Cache-Control", "no-store");
  if (isApiPath(routePath(req).path)) {
    if (unavailable) sendProblem(res, 503, "database_unavailable", UNAVAILABLE_TITLE, UNAVAILABLE_DETAIL);
    else sendProblem(res, 500, "internal_error", "Internal server error", `Request id ${String(where.requestId)}.`);
    return;
  }
  if (!unavailable) {
    res
      .status(500)
      .type("html")
      .send(
        page(
          500,
          "Something went wrong",
          "ARES hit an unexpected problem while handling this page. It has been logged; please try again.",
          where.requestId,
        ),
      );
    return;
  }
  // The sent form is read first (the body may still be unread); a client gone meanwhile gets nothing.
  void sentForm(req, res)
    .catch(() => undefined)
    .then((form) => {
      if (res.headersSent || req.socket.destroyed) return;
      res
        .status(503)
        .type("html")
        .send(page(503, UNAVAILABLE_TITLE, UNAVAILABLE_DETAIL, where.requestId, form));
    });
};
