import type { Request, Response } from "express";
import { encode } from "turbo-stream";
import { logger } from "~/observability/logger.server";
import { routePath } from "./route-path.server";

/**
 * A refusal made before Remix (rate limit, body size, encoding, method) for a request from the Remix
 * client (`<page>.data`). The client decodes only Remix's own format: an HTML page there surfaced as a
 * false "500 Something went wrong". So the refusal is written in that format (turbo-stream, as Remix's
 * single fetch encodes it):
 * - an action (POST) gets the refusal as a thrown error response: the page's error boundary says what
 *   happened with its real status and message;
 * - a loader (GET/HEAD) gets a document reload of the same page, whose answer is the refusal's own page,
 *   as without JavaScript.
 */
export type DataRefusal = { status: number; title: string; message: string; headers?: Record<string, string> };

// Remix's plugin tags (server-runtime single-fetch.js `encodeViaTurboStream`), decoded by its client.
class ErrorResponseValue {
  constructor(readonly refusal: DataRefusal) {}
}
class ReloadValue {
  constructor(readonly url: string) {}
}

/** The page a `.data` address stands for: without `.data` and without single fetch's `_routes`. */
function pageUrl(req: Request): string {
  const url = new URL(req.originalUrl, "http://page.invalid");
  let path = url.pathname.replace(/\.data$/, "");
  // A non-canonical address (`/.//evil.example.data`) could name another site once normalised.
  if (path === "/_root" || !routePath(req).canonical || path.startsWith("//") || path.startsWith("/\\")) path = "/";
  url.searchParams.delete("_routes");
  return path + url.search;
}

async function encoded(value: unknown): Promise<Buffer> {
  const stream = encode(value, {
    plugins: [
      (item: unknown) => {
        if (item instanceof ErrorResponseValue)
          return ["ErrorResponse", item.refusal.message, item.refusal.status, item.refusal.title];
        if (item instanceof ReloadValue)
          return [
            "SingleFetchRedirect",
            { redirect: item.url, status: 302, revalidate: false, reload: true, replace: true },
          ];
        return undefined;
      },
    ],
  });
  return Buffer.from(await new globalThis.Response(stream).arrayBuffer());
}

export function sendRemixDataRefusal(req: Request, res: Response, refusal: DataRefusal): void {
  answer(req, res, refusal).catch((error: unknown) => {
    logger.error({ err: error, requestId: res.locals.requestId }, "answering a refused data request failed");
    if (!res.headersSent) res.status(refusal.status).end();
  });
}

async function answer(req: Request, res: Response, refusal: DataRefusal): Promise<void> {
  for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
  // Every method but GET and HEAD reaches an action (PUT… are refused with 405 before it).
  const isAction = req.method !== "GET" && req.method !== "HEAD";
  // An action's refusal is `{ error }`; a loader's reload is the whole answer (Remix's redirect shape).
  const body = await encoded(isAction ? { error: new ErrorResponseValue(refusal) } : new ReloadValue(pageUrl(req)));
  res
    .status(isAction ? refusal.status : 202)
    .setHeader("Cache-Control", "no-store")
    .setHeader("X-Remix-Response", "yes")
    .type("text/x-script")
    .send(body);
}
