import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { startBrowserErrorReporting } from "~/observability/error-reporting.client";

// Before hydration, so errors while hydrating are caught; downloads the SDK only when a DSN is set.
startBrowserErrorReporting();

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <RemixBrowser />
    </StrictMode>,
  );
});
