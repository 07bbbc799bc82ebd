import type { AgnosticRouteObject } from "@remix-run/router";
import type { ServerBuild } from "@remix-run/node";
import { templateOf } from "./route-template";

/** Metric label for addresses no route (other than the catch-all 404 route) claims. */
const UNMATCHED = "unmatched";

type RouteTree = { build: ServerBuild; routes: AgnosticRouteObject[] };

// The manifest is flat (parentId links); matchRoutes wants the nested tree Remix builds from it.
function treeOf(build: ServerBuild): AgnosticRouteObject[] {
  const children = new Map<string | undefined, AgnosticRouteObject[]>();
  const nodes = new Map<string, AgnosticRouteObject & { children?: AgnosticRouteObject[] }>();
  for (const route of Object.values(build.routes)) {
    const node = route.index
      ? { id: route.id, index: true as const, path: route.path, caseSensitive: route.caseSensitive }
      : { id: route.id, path: route.path, caseSensitive: route.caseSensitive, children: [] };
    nodes.set(route.id, node);
    const siblings = children.get(route.parentId) ?? [];
    siblings.push(node);
    children.set(route.parentId, siblings);
  }
  for (const [id, node] of nodes) {
    if (!node.index) node.children = children.get(id) ?? [];
  }
  return children.get(undefined) ?? [];
}

let cached: RouteTree | undefined;

/**
 * The route TEMPLATE an address matches (`/chat/:conversationId`), never the address itself, so the
 * `route` label of http_request_duration_seconds has as many values as there are routes.
 */
export function routeTemplate(build: ServerBuild, pathname: string): string {
  if (cached?.build !== build) cached = { build, routes: treeOf(build) };
  return templateOf(cached.routes, pathname) ?? UNMATCHED;
}
