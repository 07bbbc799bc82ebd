import type { Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from "express";
import {
  createReadableStreamFromReadable,
  createRequestHandler,
  writeReadableStreamToWritable,
  type AppLoadContext,
  type ServerBuild,
} from "@remix-run/node";
import { guardedBody } from "./body-guard.server";

/**
 * @remix-run/express's handler, except that an action's body is the one the body guard read and
 * cleaned (the raw stream is spent by then).
 */
function fetchRequest(req: ExpressRequest, res: ExpressResponse): Request {
  // req.hostname honours `trust proxy`; the port comes from X-Forwarded-Host or Host, as Remix's adapter does.
  const port = [req.get("x-forwarded-host"), req.get("host")]
    .map((host) => Number.parseInt(host?.split(":")[1] ?? "", 10))
    .find(Number.isSafeInteger);
  const url = new URL(`${req.protocol}://${req.hostname}${port ? `:${port}` : ""}${req.originalUrl}`);
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

async function sendResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers.entries()) res.append(name, value);
  // Remix answers 405 for a POST to a page without an action; RFC 9110 wants the methods it does take.
  if (response.status === 405 && !response.headers.has("allow")) res.setHeader("Allow", "GET, HEAD");
  if (/text\/event-stream/i.test(response.headers.get("content-type") ?? "")) res.flushHeaders();
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}

export function remixRequestHandler(options: {
  build: ServerBuild | (() => Promise<ServerBuild>);
  mode: "development" | "production";
  getLoadContext: (req: ExpressRequest, res: ExpressResponse) => AppLoadContext;
}): RequestHandler {
  const handle = createRequestHandler(options.build, options.mode);
  return (req, res, next) => {
    handle(fetchRequest(req, res), options.getLoadContext(req, res))
      .then((response) => sendResponse(res, response))
      .catch(next);
  };
}
