/**
 * Shared by the proof suites: the route list of the compiled build, one built server with stand-in
 * model providers, and people signed in over HTTP as a browser would.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { matchRoutes, type AgnosticRouteObject } from "@remix-run/router";
import ts from "typescript";
import { prisma } from "~/db/db.server";
import { startChatHarness, type ChatHarness } from "../support/chat-harness";
import type { EventInput } from "~/calendar/schemas";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * One route of the test build: its template and the route modules whose loaders a GET of it runs (root
 * first; a resource route, with no component, runs its own alone).
 */
export type BuiltRoute = { id: string; template: string; chain: string[]; resource: boolean; action: boolean };

/** Every route of the test build, test-only routes left out. */
export async function builtRoutes(): Promise<BuiltRoute[]> {
  const build = (await import(pathToFileURL(path.join(root, "build-test/server/index.js")).href)) as ServerBuild;
  const fullPath = (id: string): string => {
    const route = build.routes[id]!;
    const own = route.path ?? "";
    const parent = route.parentId ? fullPath(route.parentId) : "";
    return own.startsWith("/") ? own : [parent, own].filter(Boolean).join("/");
  };
  const chain = (id: string): string[] => {
    const parent = build.routes[id]!.parentId;
    return parent ? [...chain(parent), id] : [id];
  };
  return Object.keys(build.routes)
    .filter((id) => id !== "root")
    .map((id) => {
      const { module } = build.routes[id]!;
      const resource = !module.default;
      return {
        id,
        template: `/${fullPath(id)}`.replace(/\/+/g, "/"),
        chain: resource ? [id] : chain(id),
        resource,
        action: typeof module.action === "function",
      };
    })
    .filter((route) => !route.template.startsWith("/test-only"))
    .sort((a, b) => a.template.localeCompare(b.template));
}

/**
 * The methods an address takes, by React Router itself: GET and HEAD, and POST when the route a POST
 * reaches (getTargetMatch: the leaf index route for a naked `?index`, else the deepest route with a path
 * of its own, the root counted) has an action.
 */
export async function allowedMethodsOf(): Promise<(address: string) => string> {
  const build = (await import(pathToFileURL(path.join(root, "build-test/server/index.js")).href)) as ServerBuild;
  type Node = { id: string; path?: string; index?: boolean; caseSensitive?: boolean; children?: Node[] };
  const nodes = new Map<string, Node>();
  for (const route of Object.values(build.routes))
    nodes.set(route.id, { id: route.id, path: route.path, index: route.index, caseSensitive: route.caseSensitive });
  for (const route of Object.values(build.routes)) {
    const parent = route.parentId ? nodes.get(route.parentId) : undefined;
    if (parent) (parent.children ??= []).push(nodes.get(route.id)!);
  }
  const tree = [nodes.get("root")!];
  return (address) => {
    const url = new URL(address, "http://ares.test");
    const page = url.pathname === "/_root.data" ? "/" : url.pathname.replace(/\.data$/, "");
    const matches = matchRoutes(tree as AgnosticRouteObject[], page) ?? [];
    const leaf = matches.at(-1)?.route;
    const target =
      leaf?.index && url.searchParams.getAll("index").includes("")
        ? leaf
        : matches.filter((match, position) => position === 0 || Boolean(match.route.path)).at(-1)?.route;
    const module = target ? build.routes[target.id!]?.module : undefined;
    // A route that does not answer GET says which methods it takes (`export const methods`).
    const declared = (module as { methods?: string[] } | undefined)?.methods;
    if (declared) return declared.join(", ");
    return typeof module?.action === "function" ? "GET, HEAD, POST" : "GET, HEAD";
  };
}

/** Every route template the test build serves (`/chat/:conversationId/stream`), test-only routes left out. */
export async function routeTemplates(): Promise<string[]> {
  return [...new Set((await builtRoutes()).map((route) => route.template))].sort();
}

/** The `:name` segments of a template. */
export function paramsOf(template: string): string[] {
  return [...template.matchAll(/:([A-Za-z]+)\??/g)].map((match) => match[1]!);
}

/** Every query parameter name the app reads anywhere (queryParameterReads), in one list. */
function allQueryParameters(): string[] {
  const reads = queryParameterReads();
  return [...new Set([...[...reads.byRouteId.values()].flatMap((names) => [...names]), ...reads.everywhere])].sort();
}

/** Field names and intent values the app's forms send, read from the route modules; query names from the app. */
export function formVocabulary(): { names: string[]; intents: string[]; queryNames: string[] } {
  const forms = [...routeForms().values()];
  return {
    names: [...new Set(forms.flatMap((form) => form.names))].sort(),
    intents: [...new Set(forms.flatMap((form) => form.intents))].sort(),
    queryNames: allQueryParameters(),
  };
}

export type RouteForm = { names: string[]; intents: string[] };

/**
 * What each route module's forms send, by route id (`routes/memory`): the field names and `intent` values
 * of the module itself and of the modules it imports, components and schemas (a chat page's memory toggle
 * posts `memory-on` from a component; the fields and intents an action accepts are its zod schema's keys
 * and literals). Server modules are not followed: their literals are not what a form sends. A shared
 * schema module gives a route its neighbours' intents too: more to try, never fewer.
 */
export function routeForms(): Map<string, RouteForm> {
  const dir = path.join(root, "app/routes");
  const follow = (file: string) => !/\.server\.tsx?$/.test(file);
  const reach = (file: string, seen: Set<string>): Set<string> => {
    if (seen.has(file)) return seen;
    seen.add(file);
    const text = fs.readFileSync(file, "utf8");
    for (const match of text.matchAll(/^import [^;]*? from "([^"]+)";/gms)) {
      const target = resolveImport(file, match[1]!);
      if (target && follow(target)) reach(target, seen);
    }
    return seen;
  };
  const forms = new Map<string, RouteForm>();
  for (const entry of fs.readdirSync(dir)) {
    const file = path.join(dir, entry);
    const texts = [...reach(file, new Set())].map((module) => fs.readFileSync(module, "utf8"));
    const names = new Set<string>();
    const intents = new Set<string>();
    for (const text of texts) {
      for (const match of text.matchAll(/\bname="([A-Za-z][\w-]*)"/g)) names.add(match[1]!);
      // Forms drawn from a schema (conform's getInputProps) name their fields by its keys: `title: z.string()`.
      for (const match of text.matchAll(/\b([A-Za-z]\w*): z\./g)) names.add(match[1]!);
      for (const match of text.matchAll(/\bfields\.([A-Za-z]\w*)\b/g)) names.add(match[1]!);
      // An action that reads its form by hand: `form.get("theme")`, `formData.getAll("x")`.
      for (const match of text.matchAll(/\b(?:form|formData|body)\.get(?:All)?\("([A-Za-z][\w-]*)"\)/g))
        names.add(match[1]!);
      // `<input name="intent" value="x">`, `value={on ? "a" : "b"}`, `<Button intent="x">`.
      for (const match of text.matchAll(/name="intent"\s+value=(?:"([\w-]+)"|\{([^}]*)\})/g)) {
        if (match[1]) intents.add(match[1]);
        for (const literal of (match[2] ?? "").matchAll(/"([\w-]+)"/g)) intents.add(literal[1]!);
      }
      for (const match of text.matchAll(/\bintent="([\w-]+)"/g)) intents.add(match[1]!);
      // What the action's schema accepts: `intent: z.literal("x")`, `intent: z.enum(["x", "y"])`.
      for (const match of text.matchAll(/intent: z\.(?:literal\("([\w-]+)"\)|enum\(\[([^\]]*)\])/g)) {
        if (match[1]) intents.add(match[1]);
        for (const literal of (match[2] ?? "").matchAll(/"([\w-]+)"/g)) intents.add(literal[1]!);
      }
      // An action that compares the field itself: `intent === "feed-create"`.
      for (const match of text.matchAll(/\bintent === "([\w-]+)"/g)) intents.add(match[1]!);
    }
    forms.set(`routes/${entry.replace(/\.tsx?$/, "")}`, { names: [...names].sort(), intents: [...intents].sort() });
  }
  return forms;
}

export type Person = { id: string; email: string; cookie: string };

/** A weekly series of ten half-hour events from 1 March 2027, the proof suites' event of each person. */
export function weeklySeries(fields: Partial<EventInput> = {}): EventInput {
  return {
    title: "Weekly",
    description: "",
    location: "",
    allDay: false,
    startLocal: "2027-03-01T09:00",
    endLocal: "2027-03-01T09:30",
    timeZone: "Europe/Berlin",
    rrule: "FREQ=WEEKLY;COUNT=10",
    reminders: [10],
    ...fields,
  };
}

let counter = 0;
const password = "correct horse battery staple";

/** Signs up and signs in over HTTP (the instance's first account becomes its admin). */
export async function signUp(baseUrl: string, prefix: string): Promise<Person> {
  const email = `${prefix}-${Date.now().toString(36)}-${++counter}@example.test`;
  const form = (fields: Record<string, string>) => ({
    method: "POST",
    body: new URLSearchParams(fields),
    redirect: "manual" as const,
  });
  await (await fetch(`${baseUrl}/signup`, form({ email, password }))).text();
  const login = await fetch(`${baseUrl}/login`, form({ email, password }));
  await login.text();
  const cookie = login.headers.getSetCookie()[0]?.split(";")[0] ?? "";
  if (login.status !== 302 || !cookie) throw new Error(`sign-in failed for ${email}: ${login.status}`);
  const user = await prisma.user.findUniqueOrThrow({ where: { email }, select: { id: true } });
  return { id: user.id, email, cookie };
}

/** The built server with stand-in providers (replies stream from them), BODY_LIMIT_BYTES as given. */
export function startProofServer(bodyLimit: number, env: Record<string, string> = {}): Promise<ChatHarness> {
  return startChatHarness({ BODY_LIMIT_BYTES: String(bodyLimit), CHAT_MESSAGES_PER_MINUTE: "100000", ...env });
}

/** The server's log lines that report an unhandled error (each one is a 5xx somewhere). */
export function unhandledErrors(harness: ChatHarness): string[] {
  return harness.server.logs
    .filter((entry) => entry.msg === "unhandled error" || Number(entry.level) >= 50)
    .map((entry) => JSON.stringify(entry).slice(0, 400));
}

// ---------------------------------------------------------------------------------------------------------------
// The query parameters the app reads, found in its source (a list kept by hand would miss the next one).

const READS = new Set(["get", "getAll", "has"]);

/** What one module reads from a URL's query, and what it imports from the app. */
type ModuleScan = { reads: Set<string>; unnamed: string[]; imports: string[] };

/**
 * Parses one module (syntax only: the type checker would take half a minute). A query is
 * `<x>.searchParams`, a variable bound to one (`const params = url.searchParams`, `[searchParams] =
 * useSearchParams()`) or a parameter typed URLSearchParams; a read is `.get/.getAll/.has("name")` on
 * one, or the keys of the zod object a whole query is parsed with (`schema.parse(Object.fromEntries(q))`).
 */
function scanModule(file: string): ModuleScan {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const bound = new Set<string>();
  const schemas = new Map<string, ts.Expression>();
  const scan: ModuleScan = { reads: new Set(), unnamed: [], imports: [] };
  const isQuery = (node: ts.Expression): boolean =>
    (ts.isPropertyAccessExpression(node) && node.name.text === "searchParams") ||
    (ts.isIdentifier(node) && bound.has(node.text)) ||
    // `useSearchParams()[0].get("x")`, read in place.
    (ts.isElementAccessExpression(node) &&
      ts.isCallExpression(node.expression) &&
      node.expression.expression.getText(source) === "useSearchParams");
  const bind = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.initializer) {
      const init = node.initializer;
      if (ts.isIdentifier(node.name)) {
        if (ts.isPropertyAccessExpression(init) && init.name.text === "searchParams") bound.add(node.name.text);
        schemas.set(node.name.text, init);
      }
      if (
        ts.isArrayBindingPattern(node.name) &&
        ts.isCallExpression(init) &&
        init.expression.getText(source) === "useSearchParams"
      ) {
        const first = node.name.elements[0];
        if (first && ts.isBindingElement(first) && ts.isIdentifier(first.name)) bound.add(first.name.text);
      }
    }
    if (ts.isParameter(node) && ts.isIdentifier(node.name) && node.type?.getText(source) === "URLSearchParams")
      bound.add(node.name.text);
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier))
      scan.imports.push(node.moduleSpecifier.text);
    ts.forEachChild(node, bind);
  };
  /** The keys of the first `z.object({...})` in a schema's definition. */
  const schemaKeys = (definition: ts.Expression): string[] => {
    let keys: string[] | undefined;
    const find = (node: ts.Node): void => {
      if (keys) return;
      if (ts.isCallExpression(node) && node.expression.getText(source) === "z.object") {
        const shape = node.arguments[0];
        if (shape && ts.isObjectLiteralExpression(shape))
          keys = shape.properties.flatMap((property) =>
            property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))
              ? [property.name.text]
              : [],
          );
        return;
      }
      ts.forEachChild(node, find);
    };
    find(definition);
    return keys ?? [];
  };
  const read = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const [first] = node.arguments;
      if (READS.has(method) && isQuery(node.expression.expression)) {
        if (first && ts.isStringLiteralLike(first)) scan.reads.add(first.text);
        else scan.unnamed.push(node.getText(source));
      }
      if (node.expression.getText(source) === "Object.fromEntries" && first && isQuery(first)) {
        const parse = node.parent;
        const schema =
          ts.isCallExpression(parse) && ts.isPropertyAccessExpression(parse.expression)
            ? schemas.get(parse.expression.expression.getText(source))
            : undefined;
        const keys = schema ? schemaKeys(schema) : [];
        if (keys.length) for (const key of keys) scan.reads.add(key);
        else scan.unnamed.push(parse.getText(source));
      }
    }
    ts.forEachChild(node, read);
  };
  bind(source);
  read(source);
  return scan;
}

function appModules(dir = path.join(root, "app")): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : appModules(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

function resolveImport(from: string, specifier: string): string | undefined {
  const base = specifier.startsWith("~/")
    ? path.join(root, "app", specifier.slice(2))
    : specifier.startsWith(".")
      ? path.resolve(path.dirname(from), specifier)
      : undefined;
  if (!base) return undefined;
  return [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")].find(
    (candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile(),
  );
}

/** The text of every app module (tests and generated code left out). */
export function appSources(): string[] {
  return appModules().map((file) => fs.readFileSync(file, "utf8"));
}

export type QueryReads = {
  /** Parameters each route module reads, itself or through the app modules it imports. */
  byRouteId: Map<string, Set<string>>;
  /** Read by modules no route imports (the server's own middleware): they apply to every address. */
  everywhere: Set<string>;
  /** Reads whose parameter name is not a literal (the sweep cannot know to try them). */
  unnamed: string[];
};

/** Every query parameter the app reads, attributed to the routes whose requests read it. */
export function queryParameterReads(): QueryReads {
  const scans = new Map(appModules().map((file) => [file, scanModule(file)]));
  const closure = (file: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(file)) return seen;
    seen.add(file);
    for (const specifier of scans.get(file)?.imports ?? []) {
      const target = resolveImport(file, specifier);
      if (target && scans.has(target)) closure(target, seen);
    }
    return seen;
  };
  const byRouteId = new Map<string, Set<string>>();
  const reached = new Set<string>();
  for (const file of scans.keys()) {
    const relative = path.relative(path.join(root, "app"), file);
    if (!(relative.startsWith("routes/") || relative === "root.tsx")) continue;
    const modules = closure(file);
    for (const module of modules) reached.add(module);
    byRouteId.set(
      relative.replace(/\.tsx?$/, ""),
      new Set([...modules].flatMap((module) => [...scans.get(module)!.reads])),
    );
  }
  const everywhere = new Set([...scans].filter(([file]) => !reached.has(file)).flatMap(([, scan]) => [...scan.reads]));
  return { byRouteId, everywhere, unnamed: [...scans.values()].flatMap((scan) => scan.unnamed) };
}
