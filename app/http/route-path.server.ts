import type { Request } from "express";

/**
 * The page or endpoint a request reaches, as Remix will route it. Express's `req.path` is the raw
 * address; Remix normalises it (WHATWG URL: dot segments, `%2e`), decodes percent-escapes, strips
 * `.data` (single fetch) and matches case-insensitively with an optional trailing slash. Every decision
 * Express makes by path (public routes, session requirement, body format, rate-limit tier) uses this
 * one value, so `/LOGIN.data`, `/login/` or `/%6Cogin` are the login page everywhere.
 */
export type RoutePath = {
  /** Decoded, ASCII lower case, without `.data` or a trailing slash: `/login`, `/api/v1/health`, `/`. */
  path: string;
  /** A Remix single-fetch request (`<page>.data`), answered in Remix's own format. */
  data: boolean;
  /** False for addresses that only normalisation turns into a route (refused by refuseNonCanonicalPaths). */
  canonical: boolean;
};

// Dot segments (plain or percent-encoded), empty segments, backslashes and encoded slashes or
// backslashes: no link ARES makes has them, and only URL normalisation gives them a meaning.
const NON_CANONICAL = /\/\/|\\|%2e|%2f|%5c|(?:^|\/)\.{1,2}(?:\/|$)/i;

const known = new WeakMap<Request, RoutePath>();

/** Percent-decoded per segment as Remix's router does; an undecodable address is kept as sent. */
function decodeSegments(pathname: string): string {
  try {
    return pathname.split("/").map(decodeURIComponent).join("/");
  } catch (error) {
    if (error instanceof URIError) return pathname;
    throw error;
  }
}

// Remix's route patterns are ASCII and matched with the `i` flag (no `u`): only A-Z fold.
const asciiLowerCase = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());

function compute(req: Request): RoutePath {
  const target = req.originalUrl;
  const query = target.indexOf("?");
  const raw = query === -1 ? target : target.slice(0, query);
  let canonical = raw.startsWith("/") && !NON_CANONICAL.test(raw);
  let pathname = raw;
  if (canonical) {
    // The path of the URL the Remix handler builds from originalUrl (remix-handler.server.ts).
    pathname = new URL(`http://route.invalid${raw}`).pathname;
    canonical = decodeSegments(pathname) === decodeSegments(raw);
  }
  const data = pathname.endsWith(".data");
  let path = data ? pathname.slice(0, -".data".length) : pathname;
  if (data && path === "/_root") path = "/";
  path = asciiLowerCase(decodeSegments(path));
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  return { path: path || "/", data, canonical };
}

export function routePath(req: Request): RoutePath {
  let route = known.get(req);
  if (!route) known.set(req, (route = compute(req)));
  return route;
}

export const isApiPath = (path: string) => path.startsWith("/api/");
