/**
 * The only addresses an anonymous visitor may reach. Everything else requires a signed-in user — by
 * default, at the HTTP layer (documents and API) and in every loader and action (requireUser).
 * tests/integration/route-protection.test.ts requests every route in the build anonymously.
 */
const PUBLIC_PATHS = new Set([
  "/",
  "/login",
  "/signup",
  "/logout",
  // The theme cookie: the sign-in page has the switch too.
  "/theme",
  "/metrics",
  "/api/v1/openapi.json",
  "/api/v1/docs",
  // Remix's lazy route discovery: needed to navigate from the login page.
  "/__manifest",
  "/favicon.svg",
  "/robots.txt",
  // Telegram's servers call it; the route checks the webhook secret itself.
  "/api/v1/telegram/webhook",
]);

// /api/v1/internal/* carries no session: each route requires the INTERNAL_API_KEY bearer itself.
// /calendar/feed/<token>.ics is polled by other calendar apps: the token is the credential (404 otherwise).
// /reset-password/<token>: a link an admin made for someone who cannot sign in; the token is the credential
// (moved into a cookie for /reset-password/new, the form, on the first request).
const PUBLIC_PREFIXES = [
  "/auth/",
  "/api/v1/health",
  "/api/v1/internal/",
  "/test-only/",
  "/calendar/feed/",
  "/reset-password/",
];

/** `path` is a route path as app/http/route-path.server.ts gives it: decoded, lower case, no `.data`. */
export function isPublicPath(path: string): boolean {
  return PUBLIC_PATHS.has(path) || PUBLIC_PREFIXES.some((prefix) => path.startsWith(prefix));
}

/**
 * Paths that must not cost a session lookup (liveness must never touch the database). The full health
 * report is not among them: an admin's session opens it.
 */
export function skipsSessionLookup(pathname: string): boolean {
  return (
    pathname.startsWith("/api/v1/health/") ||
    pathname === "/metrics" ||
    pathname === "/favicon.svg" ||
    pathname === "/api/v1/telegram/webhook"
  );
}
