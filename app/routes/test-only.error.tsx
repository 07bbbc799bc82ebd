import { ErrorPage } from "~/components/error-page";

/**
 * Exists only in the test build (scripts/build.ts --test; the production build leaves test-only.* out)
 * for the end-to-end suite, to prove that an unexpected server error renders the friendly error page,
 * with and without JavaScript.
 */
export function loader() {
  throw new Error("Deliberate failure for the error-boundary test");
}

export default function NeverRendered() {
  return null;
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
