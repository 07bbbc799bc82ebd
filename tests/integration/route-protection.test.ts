/**
 * Requests every route in the production build anonymously: each one that is not listed as public must
 * refuse — so a new route cannot ship unprotected. Also checks cross-site writes and tampered cookies.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPublicPath } from "~/auth/public-routes";
import { prisma } from "~/db/db.server";
import { formVocabulary } from "../proof/support";
import { signedUp } from "../support/app-server";
import { httpRequest } from "../support/ops";
import { startServer, type ServerProcess, ensureBuild } from "../support/server-process";

const root = path.resolve(import.meta.dirname, "../..");
// The test build the server below runs: the production build plus app/routes/test-only.*.
const serverEntry = path.join(root, "build-test/server/index.js");
let server: ServerProcess;
let routePaths: string[] = [];
/** Every route with an action, as a form posts to it (`?index` for an index route), :params as x123. */
let actionTemplates: string[] = [];

/** Every addressable path in the build, with each :param and splat filled in. */
function pathsOf(build: ServerBuild): string[] {
  const fullPath = (id: string): string => {
    const route = build.routes[id]!;
    const own = route.path ?? "";
    const parent = route.parentId ? fullPath(route.parentId) : "";
    return own.startsWith("/") ? own : [parent, own].filter(Boolean).join("/");
  };
  const paths = Object.keys(build.routes)
    .filter((id) => id !== "root")
    .map((id) =>
      `/${fullPath(id)}`
        .replace(/\/+/g, "/")
        .replace(/:[A-Za-z]+\??/g, "x123")
        .replace(/\*$/, "x123"),
    );
  return [...new Set(paths)].sort();
}

/** The address a form posts to for every route module that has an action. */
function actionsOf(build: ServerBuild): string[] {
  const fullPath = (id: string): string => {
    const route = build.routes[id]!;
    const own = route.path ?? "";
    const parent = route.parentId ? fullPath(route.parentId) : "";
    return own.startsWith("/") ? own : [parent, own].filter(Boolean).join("/");
  };
  const addresses = Object.keys(build.routes)
    .filter((id) => id !== "root" && build.routes[id]!.module.action)
    .map((id) => `/${fullPath(id)}`.replace(/\/+/g, "/").concat(build.routes[id]!.index ? "?index" : ""));
  return [...new Set(addresses)].sort();
}

beforeAll(async () => {
  await ensureBuild();
  const build = (await import(pathToFileURL(serverEntry).href)) as ServerBuild;
  routePaths = pathsOf(build);
  actionTemplates = actionsOf(build);
  server = await startServer({
    DATABASE_URL: process.env.DATABASE_URL,
    NODE_ENV: "test",
    ARES_SKIP_MIGRATIONS: "true",
    RATE_LIMIT_READ_PER_MINUTE: "0",
    RATE_LIMIT_WRITE_PER_MINUTE: "0",
    RATE_LIMIT_AUTH_PER_15_MINUTES: "0",
    // The test client stands in for a reverse proxy on the same machine.
    TRUST_PROXY: "loopback",
  });
}, 180_000);
afterAll(() => server?.stop());

describe("every route refuses anonymous requests unless it is public", () => {
  it("knows the app's routes", () => {
    expect(routePaths).toContain("/login");
    expect(routePaths.length).toBeGreaterThan(3);
  });

  it("documents redirect to the login page, API routes answer 401", async () => {
    const unprotected: string[] = [];
    for (const routePath of routePaths.filter((p) => !isPublicPath(p))) {
      const response = await fetch(`${server.url}${routePath}`, { redirect: "manual" });
      const location = response.headers.get("location") ?? "";
      // The no-JS following frame answers its own small signed-out page (tested below), not a redirect.
      const frame = /^\/chat\/[^/]+\/following$/.test(routePath);
      const refused = routePath.startsWith("/api/")
        ? response.status === 401
        : frame
          ? response.status === 401 && (await response.text()).includes('target="_top">Sign in again</a>')
          : [302, 303].includes(response.status) && location.startsWith("/login?redirectTo=");
      if (!refused) unprotected.push(`GET ${routePath} → ${response.status} ${location}`);
    }
    expect(unprotected).toEqual([]);
  });

  it("Remix data requests redirect to the login page too (the loaders' own guard)", async () => {
    const unprotected: string[] = [];
    for (const routePath of routePaths.filter((p) => !isPublicPath(p) && !p.startsWith("/api/"))) {
      const response = await fetch(`${server.url}${routePath}.data`, { redirect: "manual" });
      const body = await response.text();
      const redirected = response.status === 202 || [302, 303].includes(response.status);
      if (!redirected || !body.concat(response.headers.get("location") ?? "").includes("/login")) {
        unprotected.push(`GET ${routePath}.data → ${response.status}`);
      }
    }
    expect(unprotected).toEqual([]);
  });

  it("finding A: spellings Remix routes to a protected page are refused too; dot segments are not served at all", async () => {
    const unprotected: string[] = [];
    const refusedAsProtected = async (route: string, sent: string) => {
      const response = await fetch(`${server.url}${sent}`, { redirect: "manual" });
      const location = response.headers.get("location") ?? "";
      const refused = route.startsWith("/api/")
        ? response.status === 401 && (response.headers.get("content-type") ?? "").includes("problem+json")
        : /^\/chat\/[^/]+\/following$/.test(route)
          ? response.status === 401 && (await response.text()).includes('target="_top">Sign in again</a>')
          : [302, 303].includes(response.status) && location.startsWith("/login?redirectTo=");
      if (!refused) unprotected.push(`GET ${sent} → ${response.status} ${location}`);
    };
    for (const route of routePaths.filter((p) => !isPublicPath(p))) {
      const encoded = `/%${route.charCodeAt(1).toString(16)}${route.slice(2)}`;
      for (const sent of [route.toUpperCase(), `${route}/`, encoded]) await refusedAsProtected(route, sent);
      for (const sent of [`/auth/%2e%2e${route}`, `/api/v1/health/%2e%2e/%2e%2e/%2e%2e${route}`, `/login/..${route}`]) {
        // fetch() would normalise the dots away before sending.
        const response = await httpRequest(server.url, { path: sent });
        if (response.status !== 400) unprotected.push(`GET ${sent} → ${response.status}`);
      }
    }
    expect(unprotected).toEqual([]);
  });

  it("form posts are refused without a session", async () => {
    const unprotected: string[] = [];
    for (const routePath of routePaths.filter((p) => !isPublicPath(p))) {
      const response = await fetch(`${server.url}${routePath}`, {
        method: "POST",
        body: new URLSearchParams({ intent: "anything" }),
        redirect: "manual",
      });
      // A page or endpoint without an action refuses every POST (405) before anything runs.
      const refused =
        response.status === 405 || (routePath.startsWith("/api/") ? response.status === 401 : response.status === 303);
      if (!refused) unprotected.push(`POST ${routePath} → ${response.status}`);
    }
    expect(unprotected).toEqual([]);
  });
});

describe("request safety", () => {
  it("a cross-site form post is refused", async () => {
    const response = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      body: "email=a%40example.test&password=whatever-whatever",
      redirect: "manual",
    });
    expect(response.status).toBe(403);
    // The app's error page (it was a bare text/plain line), and problem+json under /api.
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain("Cross-site form submissions are not accepted.");
    // Headed as the page's error boundary heads a 403 with JavaScript (it said "Forbidden" without).
    expect(page).toContain('<h1 id="error-title">Not allowed</h1>');
    const api = await fetch(`${server.url}/api/v1/conversations`, {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/json" },
      body: "{}",
    });
    expect(api.status).toBe(403);
    expect(api.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(((await api.json()) as { code: string }).code).toBe("cross_site");
  });

  it("a signed-in cross-site post is refused on every action, and writes nothing", async () => {
    // The instance's first account is its admin, so the admin pages' actions are reached too.
    const admin = await signedUp(server.url, `cross-site-admin-${Date.now().toString(36)}@example.test`);
    await signedUp(server.url, `cross-site-other-${Date.now().toString(36)}@example.test`);
    const me = await prisma.user.findFirstOrThrow({ where: { email: { startsWith: "cross-site-admin-" } } });
    const other = await prisma.user.findFirstOrThrow({ where: { email: { startsWith: "cross-site-other-" } } });
    expect(me.role).toBe("admin");
    // Real ids in the addresses, so that a post the guard let through would reach something to change.
    const conversation = await prisma.conversation.create({
      data: {
        userId: me.id,
        title: "Cross-site target",
        messages: { create: { userId: me.id, role: "user", content: "hi" } },
      },
    });
    const event = await prisma.event.create({
      data: {
        userId: me.id,
        uid: "cross-site@example.test",
        title: "Cross-site target",
        allDay: false,
        startLocal: "2030-01-01T10:00",
        endLocal: "2030-01-01T11:00",
        timeZone: "UTC",
        rangeStart: new Date("2030-01-01T10:00:00Z"),
        rangeEnd: new Date("2030-01-01T11:00:00Z"),
      },
    });
    const ids: Record<string, string> = { conversationId: conversation.id, eventId: event.id, userId: other.id };
    const addresses = actionTemplates
      .filter((template) => !template.startsWith("/test-only"))
      .map((template) => template.replace(/:([A-Za-z]+)\??/g, (_all, name: string) => ids[name] ?? "x123"));
    expect(addresses).toEqual(expect.arrayContaining(["/login", "/memory", "/chat?index", "/api/v1/conversations"]));
    // Remix's own form submissions from a page with JavaScript post to the `.data` address.
    const targets = addresses.flatMap((address) =>
      address.startsWith("/api/")
        ? [address]
        : [
            address,
            address.replace(
              /^([^?]*)(\?index)?$/,
              (_all, route: string, index?: string) => `${route === "/" ? "/_root" : route}.data${index ?? ""}`,
            ),
          ],
    );
    const vocabulary = formVocabulary();
    // Every intent the app's forms send, with the fields that would make most of them write something.
    const forms = vocabulary.intents.map((intent) =>
      new URLSearchParams({
        intent,
        message: "cross-site message",
        title: "cross-site title",
        key: "cross",
        value: "site",
        kind: "personal",
        role: "admin",
        confirmEmail: me.email,
        theme: "dark",
      }).toString(),
    );
    const crossSite: Array<Record<string, string>> = [
      { origin: "https://evil.example" },
      // A sandboxed frame or a privacy-minded browser's post: no origin to compare.
      { origin: "null" },
      // A browser that sends no Origin still says where the post came from.
      { "sec-fetch-site": "cross-site" },
    ];
    const before = await digest();
    const wrong: string[] = [];
    for (const target of targets) {
      const api = target.startsWith("/api/");
      for (const headers of crossSite) {
        const bodies = api ? [JSON.stringify({ title: "cross-site", content: "cross-site message" })] : forms;
        for (const body of headers.origin === "https://evil.example" ? bodies : bodies.slice(0, 1)) {
          const response = await fetch(`${server.url}${target}`, {
            method: "POST",
            headers: {
              ...headers,
              cookie: admin.jar.header(),
              "content-type": api ? "application/json" : "application/x-www-form-urlencoded",
            },
            body,
            redirect: "manual",
          });
          const type = response.headers.get("content-type") ?? "";
          const text = await response.text();
          // A page's `.data` address answers in Remix's own format (remix-data-refusal.server.ts), a page HTML.
          const remixData = /\.data(\?|$)/.test(target);
          const answered = api
            ? type.startsWith("application/problem+json") && text.includes('"cross_site"')
            : type.startsWith(remixData ? "text/x-script" : "text/html") &&
              text.includes("Cross-site form submissions are not accepted.");
          if (response.status !== 403 || !answered) {
            wrong.push(`POST ${target} ${JSON.stringify(headers)} → ${response.status} ${type}`);
            break;
          }
        }
      }
    }
    // No action takes DELETE (or PUT/PATCH): the API's addresses refuse a cross-site one before anything else.
    for (const target of targets.filter((address) => address.startsWith("/api/"))) {
      const response = await fetch(`${server.url}${target}`, {
        method: "DELETE",
        headers: { origin: "https://evil.example", cookie: admin.jar.header() },
      });
      const type = response.headers.get("content-type") ?? "";
      await response.text();
      if (response.status !== 405 || !type.startsWith("application/problem+json"))
        wrong.push(`DELETE ${target} → ${response.status} ${type}`);
    }
    const after = await digest();
    const changed = Object.keys(before).filter((table) => before[table] !== after[table]);
    expect({ wrong, changed }).toEqual({ wrong: [], changed: [] });
    expect(targets.length).toBeGreaterThan(30);
    // The same posts from the app's own address are not refused as cross-site (the check above is not a blanket 403).
    const sameSite = await admin.post("/memory", { intent: "add-fact", kind: "personal", key: "same", value: "site" });
    expect(sameSite.status).not.toBe(403);
    expect(await prisma.memoryFact.count({ where: { userId: me.id } })).toBe(1);
  }, 60_000);

  it("a Host, or a trusted proxy's X-Forwarded-Host or -Proto, that names no address is a 400 (each answered 500)", async () => {
    const bad: Array<Record<string, string>> = [
      { host: "127.0.0.1:99999" },
      { "x-forwarded-host": "ares.example.test:99999" },
      { "x-forwarded-host": "a b" },
      { "x-forwarded-host": "[::1" },
      { "x-forwarded-proto": "ht tp" },
    ];
    for (const headers of bad) {
      for (const path of ["/login", "/api/v1/health/live"]) {
        const response = await httpRequest(`${server.url}${path}`, { headers });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(400);
        expect(String(response.headers["content-type"])).toMatch(
          path.startsWith("/api/") ? /^application\/problem\+json/ : /^text\/html/,
        );
      }
    }
    // A public address with its port, through the proxy, still works (and a post from it is same-site).
    const login = await httpRequest(`${server.url}/login`, {
      headers: { "x-forwarded-host": "ares.example.test:8443", "x-forwarded-proto": "https" },
    });
    expect(login.status).toBe(200);
  });

  it("behind a trusted proxy, a post from the public address is same-site and another site's is not", async () => {
    const behindProxy = (origin: string) =>
      httpRequest(`${server.url}/login`, {
        method: "POST",
        headers: {
          // nginx's default: the upstream's own name in Host, the public one in X-Forwarded-Host.
          host: "ares-upstream:3000",
          "x-forwarded-host": "ares.example.test",
          "x-forwarded-proto": "https",
          origin,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "email=a%40example.test&password=whatever-whatever",
      });
    expect((await behindProxy("https://ares.example.test")).status).toBe(400);
    expect((await behindProxy("https://evil.example")).status).toBe(403);
    // A proxy that writes the scheme in capitals names the same address (it was refused as none).
    const capitals = await httpRequest(`${server.url}/login`, {
      headers: { "x-forwarded-host": "ares.example.test", "x-forwarded-proto": "HTTPS" },
    });
    expect(capitals.status).toBe(200);
  });

  it("a tampered session cookie counts as signed out, not as an error", async () => {
    const response = await fetch(`${server.url}/settings`, {
      headers: { cookie: "__ares_session=forged-session-id.invalidsignature" },
      redirect: "manual",
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/^\/login\?/);
  });
});

/** Row count and checksum of every table the app writes (pg-boss keeps its own schema), in one statement. */
async function digest(): Promise<Record<string, string>> {
  const tables = await prisma.$queryRaw<Array<{ name: string }>>`
    SELECT table_name::text AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`;
  const sql = tables
    .map(
      ({ name }) =>
        `SELECT '${name}' AS name, count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS sum FROM "${name}" t`,
    )
    .join(" UNION ALL ");
  const rows = await prisma.$queryRawUnsafe<Array<{ name: string; sum: string }>>(sql);
  return Object.fromEntries(rows.map((row) => [row.name, row.sum]));
}

// Last: it signs up an account, and the cross-site test above counts on its own first account being the admin.
describe("the no-JS following frame", () => {
  it("the no-JS following frame, once the session is gone, says so with a link that signs in again in the whole window", async () => {
    const client = await signedUp(server.url, `frame-${Date.now().toString(36)}@example.test`);
    // Nothing of the conversation is looked up before the session is: any id shows the answer.
    const address = "/chat/x123";
    const frame = `${address}/following?message=x456`;
    const endedCookie = client.jar.header();
    await client.post("/logout", {});
    // The frame of a page opened before signing out (elsewhere) reloads with the ended session's cookie.
    const response = await fetch(`${server.url}${frame}`, { headers: { cookie: endedCookie }, redirect: "manual" });
    const html = await response.text();
    // Not the sign-in page inside the frame: a line, and a link for the whole window back to the conversation.
    expect(response.status).toBe(401);
    expect(response.headers.get("location")).toBeNull();
    expect(html).not.toContain("<form");
    expect(html).not.toContain('type="password"');
    const link = /<a href="([^"]+)" target="_top">Sign in again<\/a>/.exec(html);
    expect(link, html).not.toBeNull();
    const signIn = new URL(link![1]!.replace(/&amp;/g, "&"), server.url);
    expect(signIn.pathname).toBe("/login");
    expect(signIn.searchParams.get("redirectTo")).toBe(address);
    // Anonymous (no cookie at all): the same small page.
    const anonymous = await fetch(`${server.url}${frame}`, { redirect: "manual" });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toContain('target="_top">Sign in again</a>');
    // In the person's theme: a frame whose colour scheme differs from its page's is painted opaque.
    const dark = await fetch(`${server.url}${frame}`, { headers: { cookie: "theme=dark" }, redirect: "manual" });
    expect(await dark.text()).toContain('<meta name="color-scheme" content="dark">');
  });
});
