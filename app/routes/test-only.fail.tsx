import type { ActionFunctionArgs } from "@remix-run/node";
import { ErrorPage } from "~/components/error-page";

/**
 * Exists only in the test build (scripts/build.ts --test; the production build leaves test-only.* out)
 * for the error-reporting test: an action that reads what was posted and then fails unexpectedly, to
 * prove the failure is reported once and what was posted never is.
 */
export async function action({ request }: ActionFunctionArgs) {
  await request.formData();
  throw new Error("Deliberate action failure for the error-reporting test");
}

export default function FailingForm() {
  return (
    <form method="post">
      <button type="submit">Fail</button>
    </form>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
