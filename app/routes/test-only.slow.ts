import type { LoaderFunctionArgs } from "@remix-run/node";

/**
 * Exists only for the shutdown test (ARES_TEST_ROUTES=1): a reply streamed in chunks over `?ms=`
 * milliseconds, like a model's answer, to prove SIGTERM lets it finish. Everyone else gets a 404.
 */
export function loader({ request }: LoaderFunctionArgs) {
  if (process.env.ARES_TEST_ROUTES !== "1") throw new Response("Not found", { status: 404 });
  const total = Math.min(Number(new URL(request.url).searchParams.get("ms")) || 1_000, 10_000);
  const chunks = 5;
  const encoder = new TextEncoder();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent > 0) await new Promise((resolve) => setTimeout(resolve, total / chunks));
      sent += 1;
      controller.enqueue(encoder.encode(`chunk ${sent}\n`));
      if (sent === chunks) {
        controller.enqueue(encoder.encode("done\n"));
        controller.close();
      }
    },
  });
  return new Response(body, { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}
