import { ErrorPage } from "~/components/error-page";

/**
 * Exists only for the end-to-end suite (ARES_TEST_ROUTES=1) to prove that an unexpected server error
 * renders the friendly error page, with and without JavaScript. Everyone else gets a 404.
 */
export function loader() {
  if (process.env.ARES_TEST_ROUTES !== "1") throw new Response("Not found", { status: 404 });
  throw new Error("Deliberate failure for the error-boundary test");
}

export default function NeverRendered() {
  return null;
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
