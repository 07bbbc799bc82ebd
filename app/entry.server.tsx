import { PassThrough } from "node:stream";
import type { ActionFunctionArgs, AppLoadContext, EntryContext, LoaderFunctionArgs } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { RETRY_AFTER_SECONDS } from "~/http/outage.server";
import { reportFailure } from "~/observability/error-reporting.server";
import { logger } from "~/observability/logger.server";
import { NonceProvider } from "~/components/nonce";

const ABORT_DELAY_MS = 5_000;
// Remix flags a `?_data=` request (the data protocol before single fetch) through handleError and then
// answers it anyway: an old client or a scanner sent it, which is no fault of ours.
const LEGACY_DATA_REQUEST = "Warning: Single fetch-enabled apps should not be making ?_data requests";
export const streamTimeout = ABORT_DELAY_MS;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // Bots and no-JS clients get the whole document at once; browsers get it streamed.
  const waitForAll = isbot(request.headers.get("user-agent") ?? "");
  const nonce = loadContext.cspNonce;
  // A thrown 503 (the database is unreachable) renders the error page; its Retry-After is not carried
  // over by Remix's headers merging, so it is set here.
  if (responseStatusCode === 503 && !responseHeaders.has("Retry-After")) {
    responseHeaders.set("Retry-After", String(RETRY_AFTER_SECONDS));
  }
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const body = new PassThrough();
    const abortTimer = setTimeout(() => abort(), ABORT_DELAY_MS + 1_000);
    // A finished document lets go of its render at once rather than ABORT_DELAY_MS later: under load,
    // hundreds of finished renders a second would otherwise wait out their timers in the old generation.
    body.once("close", () => clearTimeout(abortTimer));
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY_MS} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        [waitForAll ? "onAllReady" : "onShellReady"]() {
          shellRendered = true;
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );
          pipe(body);
        },
        onShellError(error: unknown) {
          clearTimeout(abortTimer);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors before the shell are reported by Remix's handleError; after it, they are ours to log.
          if (!shellRendered) return;
          logger.error({ err: error, requestId: loadContext.requestId }, "render failed");
          reportFailure(error, {
            source: "render",
            requestId: loadContext.requestId,
            route: loadContext.route,
            method: request.method,
            userId: loadContext.auth.user?.id,
          });
        },
      },
    );
  });
}

export function handleError(error: unknown, { request, context }: LoaderFunctionArgs | ActionFunctionArgs): void {
  // Remix reports aborted requests (the client went away) too; they are not server faults.
  if (request.signal.aborted) return;
  if (error instanceof Error && error.message.startsWith(LEGACY_DATA_REQUEST)) {
    logger.warn({ requestId: context.requestId, method: request.method, route: context.route }, "?_data request");
    return;
  }
  // Remix's own 4xx (no action for a POST, no route) are the client's mistake, not a fault of ours.
  if (isRouteErrorResponse(error) && error.status < 500) {
    logger.warn({ requestId: context.requestId, status: error.status, method: request.method }, "request refused");
    return;
  }
  logger.error(
    { err: error, requestId: context.requestId, url: request.url, method: request.method },
    "unhandled error",
  );
  // A thrown Response is an answer the code chose (e.g. the outage 503), not a fault to report.
  if (isRouteErrorResponse(error) || error instanceof Response) return;
  reportFailure(error, {
    source: "request",
    requestId: context.requestId,
    route: context.route,
    method: request.method,
    userId: context.auth.user?.id,
  });
}

// The process entry (server.ts) takes the app's server-side pieces from this bundle: one module graph.
export { serverRuntime } from "~/http/runtime.server";
