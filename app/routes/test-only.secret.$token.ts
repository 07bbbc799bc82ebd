import type { LoaderFunctionArgs } from "@remix-run/node";

/**
 * Exists only in the test build (scripts/build.ts --test; the production build leaves test-only.* out)
 * for the error-reporting test: an address that holds a credential, as /calendar/feed/<token>.ics does,
 * whose loader fails — or, with `?reject`, leaves a rejection nobody handles — to prove reports name the
 * route template and never the address.
 */
export function loader({ request }: LoaderFunctionArgs) {
  if (new URL(request.url).searchParams.has("reject")) {
    // Deliberately unhandled: the process-wide handler reports it.
    void Promise.reject(new Error("Deliberate unhandled rejection for the error-reporting test"));
    return Response.json({ rejected: true });
  }
  throw new Error("Deliberate loader failure for the error-reporting test");
}
