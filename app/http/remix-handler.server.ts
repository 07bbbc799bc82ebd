import type { Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from "express";
import {
  createReadableStreamFromReadable,
  createRequestHandler,
  writeReadableStreamToWritable,
  type AppLoadContext,
  type ServerBuild,
} from "@remix-run/node";
import { publicOrigin } from "./allowed-hosts.server";
import { guardedBody } from "./body-guard.server";
import {
  ACTION_NOT_FOUND_MESSAGE,
  ACTION_NOT_FOUND_TITLE,
  NOT_ALLOWED_TITLE,
  NOT_FOUND_MESSAGE,
  NOT_FOUND_TITLE,
  SHOWN_REASON_MAX_LENGTH,
} from "./refusal-text";
import { sendClientError } from "./client-error.server";
import { isApiPath, routePath } from "./route-path.server";

/**
 * @remix-run/express's handler, except that an action's body is the one the body guard read and
 * cleaned (the raw stream is spent by then).
 */
function fetchRequest(req: ExpressRequest, res: ExpressResponse): Request {
  // Scheme, host and port as the browser used them (refuseInvalidHost has answered a Host that names none).
  const origin = publicOrigin(req);
  if (!origin) throw new Error("publicOrigin: refuseInvalidHost did not run before the Remix handler");
  const url = new URL(`${origin.origin}${req.originalUrl}`);
  // Single fetch's client never sends `?_data=`; Remix would still answer it as a legacy data request
  // (`?_data=` alone: an empty 200 with no content type), so the page is rendered as if it were absent.
  if (url.searchParams.has("_data")) url.searchParams.delete("_data");
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    const body = guardedBody(res);
    if (body) {
      headers.set("content-type", body.contentType);
      headers.set("content-length", String(body.bytes.length));
      headers.delete("transfer-encoding");
      init.body = new Uint8Array(body.bytes);
    } else {
      init.body = createReadableStreamFromReadable(req);
      init.duplex = "half";
    }
  }
  return new Request(url.href, init);
}

const CLIENT_ERRORS: Record<number, [code: string, title: string]> = {
  400: ["bad_request", "Bad request"],
  // As a page's own 403 is titled (error-page.tsx); API clients go by `code`.
  403: ["forbidden", NOT_ALLOWED_TITLE],
  404: ["not_found", "Not found"],
  405: ["method_not_allowed", "Method not allowed"],
  409: ["conflict", "Conflict"],
  410: ["gone", "Gone"],
};

async function sendResponse(req: ExpressRequest, res: ExpressResponse, response: Response): Promise<void> {
  // A resource route's refusal (`throw new Response("Not found", { status: 404 })`, or Remix's JSON
  // "Unexpected Server Error" for a POST to one without an action) becomes the app's error page or
  // problem+json, as every other client error is. A page's refusal is already its HTML error boundary, and
  // single fetch's `.data` answers (text/x-script) carry their error to the client's own boundary.
  const type = response.headers.get("content-type") ?? "";
  // Under /api every refusal is problem+json, an unknown address too (Remix's 404 there is the HTML page).
  const api = isApiPath(routePath(req).path);
  const expected = api ? /^application\/problem\+json/i : /^(text\/html|application\/problem\+json|text\/x-script)/i;
  if (response.status >= 400 && response.status < 500 && !expected.test(type)) {
    // Read to the end, not cancelled: cancelling a page's render stream makes React report a render failure.
    const text = (await response.text()).trim();
    const said = /^text\/plain/i.test(type) ? text : "";
    const title = CLIENT_ERRORS[response.status]?.[1] ?? "Request refused";
    const allow = response.headers.get("allow") ?? (response.status === 405 ? "GET, HEAD" : undefined);
    // A page's 404 (an export of a conversation deleted meanwhile) reads as every other page's: its own
    // "Not found" (or none) is no sentence. A reason of the route's own is kept, and so is a POST's: it
    // answers what was sent, not an address. API clients keep the problem's "Not found".
    const reading = req.method === "GET" || req.method === "HEAD";
    const pageNotFound = response.status === 404 && !api && reading && (said === "" || said === "Not found");
    sendClientError(req, res, {
      status: response.status,
      code: CLIENT_ERRORS[response.status]?.[0] ?? "client_error",
      // A card's decision on a change that is not there is titled as the page with JS titles it.
      title: pageNotFound ? NOT_FOUND_TITLE : said === ACTION_NOT_FOUND_MESSAGE ? ACTION_NOT_FOUND_TITLE : title,
      message: pageNotFound ? NOT_FOUND_MESSAGE : said && said.length <= SHOWN_REASON_MAX_LENGTH ? said : title,
      headers: allow ? { Allow: allow } : undefined,
    });
    return;
  }
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers.entries()) res.append(name, value);
  // Remix answers 405 for a POST to a page without an action; RFC 9110 wants the methods it does take.
  if (response.status === 405 && !response.headers.has("allow")) res.setHeader("Allow", "GET, HEAD");
  if (/text\/event-stream/i.test(response.headers.get("content-type") ?? "")) {
    res.flushHeaders();
    // Each event goes out as it comes (compression leaves event streams alone).
    if (response.body) await writeReadableStreamToWritable(response.body, res);
    else res.end();
    return;
  }
  if (response.body) await writeCoalesced(response.body, res);
  else res.end();
}

/**
 * Writes a body with one write and one flush per turn of the event loop for whatever arrived in it.
 * Remix's writeReadableStreamToWritable writes and flushes every chunk, and React renders a page in
 * 2 KB chunks: each was then compressed and flushed on its own (a thread-pool job and a socket write
 * apiece), which made a page's compression cost grow with its size far faster than compressing it
 * does. A streamed page still goes out as it is rendered: a chunk waits at most until the next turn.
 */
async function writeCoalesced(body: ReadableStream<Uint8Array>, res: ExpressResponse): Promise<void> {
  const reader = body.getReader();
  let pending: Uint8Array[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const take = () => {
    const chunk = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = [];
    return chunk;
  };
  const flush = () => {
    scheduled = undefined;
    if (!pending.length) return;
    res.write(take());
    // compression's (mounted ahead of this handler): sends what it holds so far.
    if ("flush" in res && typeof res.flush === "function") res.flush();
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      pending.push(value);
      scheduled ??= setImmediate(flush);
    }
    clearImmediate(scheduled);
    if (pending.length) res.end(take());
    else res.end();
  } catch (error) {
    clearImmediate(scheduled);
    res.destroy(error as Error);
    throw error;
  }
}

export function remixRequestHandler(options: {
  build: ServerBuild | (() => Promise<ServerBuild>);
  mode: "development" | "production";
  getLoadContext: (req: ExpressRequest, res: ExpressResponse) => AppLoadContext;
}): RequestHandler {
  const handle = createRequestHandler(options.build, options.mode);
  return (req, res, next) => {
    handle(fetchRequest(req, res), options.getLoadContext(req, res))
      .then((response) => sendResponse(req, res, response))
      .catch(next);
  };
}
