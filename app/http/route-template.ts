import { matchRoutes, type AgnosticRouteObject } from "@remix-run/router";

/**
 * The route TEMPLATE a path matches (`/chat/:conversationId`, `/calendar/feed/:token.ics`), never the
 * path itself, or undefined when only the catch-all 404 route (or nothing) claims it. Shared by the
 * server (metrics labels, error reports) and the browser (error reports), each with its own route tree.
 */
export function templateOf(routes: AgnosticRouteObject[], pathname: string): string | undefined {
  // Single-fetch data requests (`/chat/1.data`, `/_root.data`) belong to the page they load.
  const page = pathname === "/_root.data" ? "/" : pathname.replace(/\.data$/, "");
  const matches = matchRoutes(routes, page);
  if (!matches) return undefined;
  const template = matches
    .map((match) => match.route.path)
    .filter((segment): segment is string => Boolean(segment))
    .join("/");
  // The splat route `$.tsx` exists only to render the 404 page.
  return template === "*" ? undefined : `/${template}`;
}
