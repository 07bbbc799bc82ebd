import { useState } from "react";
import { ErrorPage } from "~/components/error-page";

/**
 * Exists only in the test build (scripts/build.ts --test; the production build leaves test-only.* out)
 * for the browser error-reporting test: one button breaks rendering (the error boundary shows), the
 * other throws in a click handler (nothing catches it but the browser's global handler).
 */
export default function ClientErrors() {
  const [broken, setBroken] = useState(false);
  if (broken) throw new Error("Deliberate render failure in the browser");
  return (
    <section>
      <button type="button" onClick={() => setBroken(true)}>
        Break rendering
      </button>
      <button
        type="button"
        onClick={() => {
          throw new Error("Deliberate click-handler failure in the browser");
        }}
      >
        Throw in a handler
      </button>
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
