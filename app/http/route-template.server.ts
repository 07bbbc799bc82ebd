import type { Request, Response } from "express";
import { UNSAFE_decodePath as decodePath, matchRoutes, type AgnosticRouteObject } from "@remix-run/router";
import type { ServerBuild } from "@remix-run/node";
import { templateOf } from "./route-template";

/** Metric label for addresses no route (other than the catch-all 404 route) claims. */
const UNMATCHED = "unmatched";

/** True for a template `routeTemplate` gives an address that no route but the 404 page claims. */
export function isUnmatched(template: string): boolean {
  return template === UNMATCHED;
}

// The manifest is flat (parentId links); matchRoutes wants the nested tree Remix builds from it.
export function treeOf(build: ServerBuild): AgnosticRouteObject[] {
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

/**
 * One matchable route: its full template and the regular expression React Router would compile for it.
 * React Router's matchRoutes flattens, ranks and compiles the whole tree on EVERY call (the profile of
 * issue #17 showed it 5 times a request); this table does that once per build, with the same rules
 * (flattenRoutes, computeScore, rankRouteBranches and compilePath of @remix-run/router 1.x), so a
 * request costs one pass of regular-expression tests. route-template.server.test.ts holds it equal to
 * matchRoutes for every route of the real build.
 */
type Branch = { template: string | undefined; matcher: RegExp; score: number; indexes: number[]; routes: RouteRef[] };
/** A route on a branch, as getTargetMatch needs it. */
type RouteRef = { id: string; path: string | undefined; index: boolean };
type Table = { build: ServerBuild; branches: Branch[] } | { build: ServerBuild; fallback: AgnosticRouteObject[] };

const SPLAT_PENALTY = -2;

function computeScore(path: string, index: boolean | undefined): number {
  const segments = path.split("/");
  let score = segments.length;
  if (segments.includes("*")) score += SPLAT_PENALTY;
  if (index) score += 2;
  return segments
    .filter((segment) => segment !== "*")
    .reduce((total, segment) => total + (/^:[\w-]+$/.test(segment) ? 3 : segment === "" ? 1 : 10), score);
}

function compilePath(path: string, caseSensitive: boolean): RegExp {
  let source =
    "^" +
    path
      .replace(/\/*\*?$/, "")
      .replace(/^\/*/, "/")
      .replace(/[\\.*+^${}|()[\]]/g, "\\$&")
      .replace(/\/:([\w-]+)(\?)?/g, (_, _name: string, optional: string | undefined) =>
        optional ? "/?([^\\/]+)?" : "/([^\\/]+)",
      );
  if (path.endsWith("*")) source += path === "*" || path === "/*" ? "(.*)$" : "(?:\\/(.+)|\\/*)$";
  else source += "\\/*$";
  return new RegExp(source, caseSensitive ? undefined : "i");
}

const joinPaths = (paths: string[]) => paths.join("/").replace(/\/\/+/g, "/");

function branchesOf(routes: AgnosticRouteObject[]): Branch[] | undefined {
  const branches: Branch[] = [];
  let representable = true;
  const flatten = (
    level: AgnosticRouteObject[],
    parentPath: string,
    parentTemplate: string[],
    parentIndexes: number[],
    caseSensitive: boolean,
    parentRoutes: RouteRef[],
  ) =>
    level.forEach((route, index) => {
      const relative = route.path ?? "";
      // Optional segments and absolute child paths are exploded/rebased by React Router: not worth
      // copying for a route tree that has none (the caller then falls back to matchRoutes).
      if (relative.includes("?") || relative.startsWith("/")) representable = false;
      const path = joinPaths([parentPath, relative]);
      const template = route.path ? [...parentTemplate, route.path] : parentTemplate;
      const indexes = [...parentIndexes, index];
      const chain = [...parentRoutes, { id: route.id!, path: route.path, index: route.index === true }];
      // The whole branch must match case-sensitively if any route on it says so (matchRouteBranch).
      const sensitive = caseSensitive || route.caseSensitive === true;
      if (route.children && route.children.length > 0)
        flatten(route.children, path, template, indexes, sensitive, chain);
      if (route.path == null && !route.index) return;
      const joined = template.join("/");
      branches.push({
        // The splat route `$.tsx` exists only to render the 404 page.
        template: joined === "*" ? undefined : `/${joined}`,
        matcher: compilePath(path, sensitive),
        score: computeScore(path, route.index),
        indexes,
        routes: chain,
      });
    });
  flatten(routes, "", [], [], false, []);
  if (!representable) return undefined;
  const siblings = (a: number[], b: number[]) =>
    a.length === b.length && a.slice(0, -1).every((value, position) => value === b[position]);
  // Array.prototype.sort is stable, as rankRouteBranches relies on too.
  return branches.sort((a, b) =>
    a.score !== b.score
      ? b.score - a.score
      : siblings(a.indexes, b.indexes)
        ? a.indexes[a.indexes.length - 1]! - b.indexes[b.indexes.length - 1]!
        : 0,
  );
}

let cached: Table | undefined;

function tableOf(build: ServerBuild): Table {
  if (cached?.build !== build) {
    const routes = treeOf(build);
    const branches = branchesOf(routes);
    cached = branches ? { build, branches } : { build, fallback: routes };
  }
  return cached;
}

/**
 * The route TEMPLATE an address matches (`/chat/:conversationId`), never the address itself, so the
 * `route` label of http_request_duration_seconds has as many values as there are routes.
 */
export function routeTemplate(build: ServerBuild, pathname: string): string {
  const table = tableOf(build);
  if ("fallback" in table) return templateOf(table.fallback, pathname) ?? UNMATCHED;
  // Single-fetch data requests (`/chat/1.data`, `/_root.data`) belong to the page they load.
  const page = pathname === "/_root.data" ? "/" : pathname.replace(/\.data$/, "");
  const decoded = decodePath(page);
  for (const branch of table.branches) if (branch.matcher.test(decoded)) return branch.template ?? UNMATCHED;
  return UNMATCHED;
}

/**
 * The route whose action a POST to this address runs, by React Router's getTargetMatch: the leaf index
 * route for a naked `?index`, else the deepest route with a path of its own (the root counts). Undefined
 * for an address no route but the 404 page claims.
 */
function actionRoute(build: ServerBuild, pathname: string, search: string): string | undefined {
  const table = tableOf(build);
  const page = pathname === "/_root.data" ? "/" : pathname.replace(/\.data$/, "");
  const decoded = decodePath(page);
  let chain: RouteRef[] | undefined;
  if ("fallback" in table) {
    if (templateOf(table.fallback, pathname) === undefined) return undefined;
    const matches = matchRoutes(table.fallback, decoded);
    chain = matches?.map(({ route }) => ({ id: route.id!, path: route.path, index: route.index === true }));
  } else {
    const branch = table.branches.find((candidate) => candidate.matcher.test(decoded));
    if (branch && branch.template !== undefined) chain = branch.routes;
  }
  if (!chain?.length) return undefined;
  const leaf = chain[chain.length - 1]!;
  // `?index` is React Router's own parameter (which route a POST reaches), not one the app reads.
  const query = new URLSearchParams(search);
  if (leaf.index && query.getAll("index").some((value) => value === "")) return leaf.id;
  return chain.filter((route, position) => position === 0 || Boolean(route.path)).at(-1)?.id;
}

/**
 * What a route module that does not answer GET declares (`export const methods = ["POST"]`): an endpoint
 * whose loader only refuses (a webhook, an operator's POST) would otherwise be listed as taking GET and HEAD.
 */
function declaredMethods(module: unknown): string[] | undefined {
  const methods = (module as { methods?: unknown }).methods;
  return Array.isArray(methods) && methods.every((method) => typeof method === "string") ? methods : undefined;
}

/**
 * The methods an address takes: what its route declares (`methods`), else GET and HEAD, and POST when the
 * route a POST reaches has an action. Undefined for an address no route claims (it is a 404 for every method).
 */
export function allowedMethods(build: ServerBuild, pathname: string, search: string): string[] | undefined {
  const id = actionRoute(build, pathname, search);
  if (id === undefined) return undefined;
  const module = build.routes[id]?.module;
  const declared = declaredMethods(module);
  if (declared) return declared;
  return typeof module?.action === "function" ? ["GET", "HEAD", "POST"] : ["GET", "HEAD"];
}

/**
 * The template of this request, matched once and kept on the response for every later layer (the
 * load context, the access log, the duration metric, a last-resort error report).
 */
export function requestRouteTemplate(req: Request, res: Response, build: ServerBuild | undefined): string {
  const known = res.locals.route as string | undefined;
  if (known !== undefined) return known;
  const route = build ? routeTemplate(build, req.path) : UNMATCHED;
  // A build that is not loaded yet (development's first request) is not remembered as "unmatched".
  if (build) res.locals.route = route;
  return route;
}
