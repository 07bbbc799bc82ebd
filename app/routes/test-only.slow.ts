import type { LoaderFunctionArgs } from "@remix-run/node";

/**
 * Exists only in the test build (scripts/build.ts --test; the production build leaves test-only.* out)
 * for the shutdown test: a reply streamed in chunks over `?ms=` milliseconds, like a model's answer,
 * to prove SIGTERM lets it finish. `?pad=` lengthens each chunk to that many bytes, enough for the
 * reply to be compressed (compression leaves a reply whose first chunk is under 1 kB alone).
 */
export function loader({ request }: LoaderFunctionArgs) {
  const total = Math.min(Number(new URL(request.url).searchParams.get("ms")) || 1_000, 10_000);
  const pad = Math.min(Number(new URL(request.url).searchParams.get("pad")) || 0, 100_000);
  const chunks = 5;
  const encoder = new TextEncoder();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent > 0) await new Promise((resolve) => setTimeout(resolve, total / chunks));
      sent += 1;
      controller.enqueue(encoder.encode(`chunk ${sent}\n`.padStart(pad, ".")));
      if (sent === chunks) {
        controller.enqueue(encoder.encode("done\n"));
        controller.close();
      }
    },
  });
  return new Response(body, { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}
