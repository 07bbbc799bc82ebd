/**
 * The probe's bad input, against the built server in local mode (the default `npm start`): every route
 * with every method and content type answers a 4xx with the app's error page (or problem+json under
 * /api), never a 500, a stack trace or an "unhandled error" log line.
 */
import http from "node:http";
import net from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest, type HttpResult } from "../support/ops";
import { startServer, type ServerProcess, ensureBuild } from "../support/server-process";
import { prisma } from "~/db/db.server";

const BODY_LIMIT = 8192;
const password = "correct horse battery staple";
let server: ServerProcess;
let adminCookie = "";
let adminEmail = "";

/** A new session for the admin (POST /logout ends the one it is sent with). */
async function signIn(): Promise<string> {
  const login = await httpRequest(`${server.url}/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: adminEmail, password }).toString(),
  });
  return String(login.headers["set-cookie"]?.[0]?.split(";")[0]);
}

beforeAll(async () => {
  await ensureBuild();
  server = await startServer({
    DATABASE_URL: process.env.DATABASE_URL,
    ARES_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "ares-bad-input-")),
    ARES_SKIP_MIGRATIONS: "true",
    BODY_LIMIT_BYTES: String(BODY_LIMIT),
  });
  // The first account on the instance is its admin.
  adminEmail = `bad-input-admin-${Date.now().toString(36)}@example.test`;
  await httpRequest(`${server.url}/signup`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: adminEmail, password }).toString(),
  });
  adminCookie = await signIn();
  expect(adminCookie).toMatch(/^__ares_session=./);
}, 180_000);
afterAll(() => server?.stop());

const ROUTES = [
  "/",
  "/login",
  "/signup",
  "/logout",
  "/chat",
  "/chat/does-not-exist",
  "/settings/profile",
  "/settings/password",
  "/settings/sessions",
  "/settings/chat",
  "/settings/data",
  "/admin/users?index",
  "/admin/users/does-not-exist",
  "/api/v1/conversations",
  "/api/v1/conversations/does-not-exist/messages",
  "/api/v1/internal/sessions/purge",
];

const BODIES: Array<{ name: string; headers: Record<string, string>; body?: string }> = [
  { name: "no body", headers: {} },
  { name: "text/plain", headers: { "content-type": "text/plain" }, body: "hello" },
  { name: "JSON", headers: { "content-type": "application/json" }, body: '{"title":"a"}' },
  { name: "broken JSON", headers: { "content-type": "application/json" }, body: '{"title":' },
  { name: "broken multipart", headers: { "content-type": "multipart/form-data; boundary=x" }, body: "--x\r\nnonsense" },
  { name: "form", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "intent=nothing&x=a%00b" },
];

function send(
  route: string,
  method: string,
  options: { headers?: Record<string, string>; body?: string | Buffer; cookie?: string },
) {
  const headers = { ...options.headers, ...(options.cookie ? { cookie: options.cookie } : {}) };
  return httpRequest(`${server.url}${route}`, { method, headers, body: options.body });
}

function expectCleanClientError(result: HttpResult, route: string): void {
  expect(result.status, `${route}: ${result.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(result.status, `${route}: ${result.body.slice(0, 200)}`).toBeLessThan(500);
  expect(result.body).not.toMatch(/TypeError|URIError|node_modules|\bat \w+ \(|\/work\//);
  if (route.startsWith("/api/")) expect(result.headers["content-type"]).toMatch(/^application\/problem\+json/);
  else if (result.body) expect(result.headers["content-type"]).toMatch(/^text\/html/);
}

describe("finding 4: bad input gets a 4xx, never a 500", () => {
  it("finding 4: PUT, PATCH, DELETE (no body) and TRACE on every route answer 405 with Allow, signed in or not", async () => {
    for (const route of ["/", ...ROUTES])
      for (const method of ["PUT", "PATCH", "DELETE", "TRACE"])
        for (const cookie of [undefined, adminCookie]) {
          const result = await send(route, method, { cookie });
          expect(result.status, `${method} ${route}`).toBe(405);
          // `/` and `/chat` have no action: a POST there is refused too, so their Allow leaves it out. The
          // purge endpoint takes only POST (its GET answers 405).
          const allow =
            route === "/" || route === "/chat"
              ? "GET, HEAD"
              : route === "/api/v1/internal/sessions/purge"
                ? "POST"
                : "GET, HEAD, POST";
          expect(result.headers.allow, `${method} ${route}`).toBe(allow);
          expect(result.body).toContain(`This address answers ${allow} only.`);
          expectCleanClientError(result, route);
        }
  });

  it("finding 4: a POST with every content type on every route answers below 500 with the right format", async () => {
    for (const route of ROUTES)
      for (const { name, headers, body } of BODIES)
        for (const signedIn of [false, true]) {
          const cookie = !signedIn ? undefined : route === "/logout" ? await signIn() : adminCookie;
          const result = await send(route, "POST", { headers, body, cookie });
          // A redirect to sign in (anonymous) or after an action is fine; a server error never is.
          expect(result.status, `POST ${route} ${name} ${signedIn ? "signed in" : "anonymous"}`).toBeLessThan(500);
          if (result.status >= 400) expectCleanClientError(result, route);
        }
  }, 120_000);

  it("a POST to a page or endpoint without an action is the plain 405 (it showed Remix's developer text), with an accurate Allow", async () => {
    const form = { "content-type": "application/x-www-form-urlencoded" };
    for (const route of ["/", "/chat", "/settings/usage", "/admin/system", "/settings", "/admin"]) {
      for (const address of [route, route === "/" ? "/_root.data" : `${route}.data`]) {
        const result = await send(address, "POST", { headers: form, body: "a=b", cookie: adminCookie });
        expect(result.status, `POST ${address}`).toBe(405);
        expect(result.headers.allow, `POST ${address}`).toBe("GET, HEAD");
        expect(result.body, `POST ${address}`).not.toMatch(/did not provide an `action`|You made a POST/);
        if (!address.endsWith(".data")) expect(result.body).toContain("Method not allowed");
      }
      const put = await send(route, "PUT", { cookie: adminCookie });
      expect(put.headers.allow).toBe("GET, HEAD");
      expect(put.body).toContain("This address answers GET, HEAD only.");
    }
    const api = await send("/api/v1/health/live", "POST", {
      headers: { "content-type": "application/json" },
      body: "{}",
      cookie: adminCookie,
    });
    expect(api.status).toBe(405);
    expect(api.headers.allow).toBe("GET, HEAD");
    expect(JSON.parse(api.body)).toMatchObject({ status: 405, code: "method_not_allowed" });
    const options = await send("/api/v1/health/live", "OPTIONS", {});
    expect(options.headers.allow).toBe("GET, HEAD");
    // A page that takes POST still says so.
    expect((await send("/settings/profile", "PUT", { cookie: adminCookie })).headers.allow).toBe("GET, HEAD, POST");
    // The prompt page exists (GET); a POST to it was a 404, as if it did not.
    const prompt = await send("/chat/some-id/prompt", "POST", { headers: form, body: "a=b", cookie: adminCookie });
    expect(prompt.status).toBe(405);
    expect(prompt.headers.allow).toBe("GET, HEAD");
  });

  it("a POST to an address that does not exist is a 404, page or API (it was 405, as if the address existed)", async () => {
    const page = await send("/no/such/page", "POST", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "a=b",
      cookie: adminCookie,
    });
    expect(page.status).toBe(404);
    expect(page.body).toContain("Page not found");
    const api = await send("/api/v1/no-such-endpoint", "POST", {
      headers: { "content-type": "application/json" },
      body: "{}",
      cookie: adminCookie,
    });
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body)).toMatchObject({ status: 404, code: "not_found" });
    // Anonymous: sign in first, as for a GET; which addresses exist is nobody else's business.
    const anonymous = await send("/no/such/page", "POST", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "a=b",
    });
    expect(anonymous.status).toBe(303);
  });

  it("PUT, PATCH, DELETE and TRACE to an address that does not exist are a 404 as GET is (each was 405); anonymous: the 405 every address gives", async () => {
    for (const method of ["PUT", "PATCH", "DELETE", "TRACE"]) {
      const page = await send("/no/such/page", method, { cookie: adminCookie });
      expect(page.status, `${method} page`).toBe(404);
      expect(page.body).toContain("Page not found");
      expectCleanClientError(page, "/no/such/page");
      const api = await send("/api/v1/no-such-endpoint", method, {
        // Node's client frames a DELETE body only with an explicit length.
        headers: method === "TRACE" ? {} : { "content-type": "application/json", "content-length": "2" },
        body: method === "TRACE" ? undefined : "{}",
        cookie: adminCookie,
      });
      expect(api.status, `${method} API`).toBe(404);
      expect(JSON.parse(api.body)).toMatchObject({ status: 404, code: "not_found" });
      // The GET of the same address, for comparison: the same status.
      expect((await send("/no/such/page", "GET", { cookie: adminCookie })).status).toBe(404);
      // A known address with a method it does not take stays 405.
      const known = await send("/settings/profile", method, { cookie: adminCookie });
      expect(known.status, `${method} known`).toBe(405);
      // Anonymous: the plain 405 such a method always got (no sign-in redirect for what no page takes).
      const anonymous = await send("/no/such/page", method, {});
      expect(anonymous.status, `${method} anonymous`).toBe(405);
      expect(anonymous.headers.allow).toBe("GET, HEAD, POST");
    }
  });

  it("finding 4: text/plain to /login is 415 on the app's error page; JSON to a page is 415 too", async () => {
    const login = await send("/login", "POST", { headers: { "content-type": "text/plain" }, body: "email=x" });
    expect(login.status).toBe(415);
    expect(login.body).toContain("Unsupported media type");
    const json = await send("/settings/profile", "POST", {
      headers: { "content-type": "application/json" },
      body: "{}",
      cookie: adminCookie,
    });
    expect(json.status).toBe(415);
    const api = await send("/api/v1/conversations", "POST", {
      headers: { "content-type": "text/plain" },
      body: "x",
      cookie: adminCookie,
    });
    expect(api.status).toBe(415);
    expect(JSON.parse(api.body)).toMatchObject({ status: 415, code: "unsupported_media_type" });
  });

  it("a compressed body (Content-Encoding gzip) is 415 with Accept-Encoding: identity, page and API; nothing stored", async () => {
    const { gzipSync } = await import("node:zlib");
    const form = { "content-type": "application/x-www-form-urlencoded", "content-encoding": "gzip" };
    // A gzipped form was read as its compressed bytes ("not valid UTF-8"); a plain one labelled gzip was stored.
    for (const body of [gzipSync("name=Gzipped&timeZone=UTC"), "name=Labelled&timeZone=UTC"]) {
      const page = await send("/settings/profile", "POST", { headers: form, body, cookie: adminCookie });
      expectCleanClientError(page, "/settings/profile");
      expect(page.status).toBe(415);
      expect(page.headers["accept-encoding"]).toBe("identity");
      expect(page.body).toContain("Content-Encoding gzip; send it uncompressed.");
    }
    const api = await send("/api/v1/conversations", "POST", {
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync('{"title":"Gzipped"}'),
      cookie: adminCookie,
    });
    expectCleanClientError(api, "/api/v1/conversations");
    expect(api.status).toBe(415);
    expect(api.headers["accept-encoding"]).toBe("identity");
    expect(JSON.parse(api.body)).toMatchObject({ status: 415, code: "unsupported_content_encoding" });
    // identity is no coding at all: read as usual.
    const identity = await send("/settings/profile", "POST", {
      headers: { ...form, "content-encoding": "identity" },
      body: "name=Plain&timeZone=UTC",
      cookie: adminCookie,
    });
    expect(identity.status).toBe(302);
    const names = (await prisma.user.findMany({ where: { email: adminEmail }, select: { name: true } })).map(
      (user) => user.name,
    );
    expect(names).toEqual(["Plain"]);
  });

  it("finding 4: NUL bytes in form fields never reach the database (userId=a%00b, name=a%00b)", async () => {
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const admin = await send("/admin/users?index", "POST", {
      headers: form,
      body: "intent=disable&userId=a%00b",
      cookie: adminCookie,
    });
    expect(admin.status).toBe(400);
    expect(admin.body).toContain("NUL character");
    const signup = await send("/signup", "POST", {
      headers: form,
      body: `name=a%00b&email=nul-${Date.now()}@example.test&password=${encodeURIComponent(password)}`,
    });
    expect(signup.status).toBe(400);
  });

  it("finding 4: a lone surrogate in JSON is refused with problem+json 400", async () => {
    const result = await send("/api/v1/conversations", "POST", {
      headers: { "content-type": "application/json" },
      body: '{"title":"a\\ud800b"}',
      cookie: adminCookie,
    });
    expect(result.status).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ code: "invalid_text" });
  });

  it("F9: a form in its declared charset is stored as typed; bytes that are not UTF-8 are refused, nothing stored", async () => {
    const profileName = async () => {
      const page = (await send("/settings/profile", "GET", { cookie: adminCookie })).body;
      return /value="([^"]*)"/.exec(/<input[^>]*name="name"[^>]*>/.exec(page)?.[0] ?? "")?.[1];
    };
    // ISO-8859-1, as a client that says so sends "José": é is the byte 0xE9.
    const latin1 = await send("/settings/profile", "POST", {
      headers: { "content-type": "application/x-www-form-urlencoded; charset=iso-8859-1" },
      body: "name=Jos%E9&timeZone=UTC",
      cookie: adminCookie,
    });
    expect(latin1.status).toBe(302);
    expect(await profileName()).toBe("José");

    // The same byte without a charset (so UTF-8), percent-encoded or raw: refused with a message, not stored.
    for (const body of [
      Buffer.from("name=Ren%E9&timeZone=UTC"),
      Buffer.from([...Buffer.from("name=Ren"), 0xe9, ...Buffer.from("&timeZone=UTC")]),
    ]) {
      const refused = await send("/settings/profile", "POST", {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body,
        cookie: adminCookie,
      });
      expect(refused.status).toBe(400);
      expectCleanClientError(refused, "/settings/profile");
      expect(refused.body).toContain("not valid UTF-8");
      expect(await profileName()).toBe("José");
    }

    // A multipart field that is not UTF-8: refused the same way.
    const boundary = "f9boundary";
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nRen`),
      Buffer.from([0xe9]),
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="timeZone"\r\n\r\nUTC\r\n--${boundary}--\r\n`,
      ),
    ]);
    const refusedMultipart = await send("/settings/profile", "POST", {
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body: multipart,
      cookie: adminCookie,
    });
    expect(refusedMultipart.status).toBe(400);
    expect(refusedMultipart.body).toContain("not valid UTF-8");
    // Multipart parts are read as UTF-8 whatever they declare: the message names no other charset.
    expect(refusedMultipart.body).not.toContain("declare");
    expect(await profileName()).toBe("José");

    // JSON for the API: the code v1 has always answered (docs/api-versioning.md: codes never change in v1).
    const api = await send("/api/v1/conversations", "POST", {
      headers: { "content-type": "application/json" },
      body: Buffer.concat([Buffer.from('{"title":"Ren'), Buffer.from([0xe9]), Buffer.from('"}')]),
      cookie: adminCookie,
    });
    expect(api.status).toBe(400);
    expect(JSON.parse(api.body)).toMatchObject({ status: 400, code: "invalid_text" });
    expect(JSON.parse(api.body).detail).toContain("not valid UTF-8");
  });

  it("finding 4: a body above BODY_LIMIT_BYTES is refused with 413, with or without Content-Length", async () => {
    const big = `name=${"a".repeat(BODY_LIMIT * 4)}`;
    const declared = await send("/settings/profile", "POST", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: big,
      cookie: adminCookie,
    });
    expect(declared.status).toBe(413);
    expectCleanClientError(declared, "/settings/profile");
    // Chunked: no length up front, so the guard counts and stops reading at the limit.
    const chunked = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${server.url}/settings/profile`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: adminCookie },
      });
      request.on("response", (response) => (response.resume(), resolve(response.statusCode ?? 0)));
      request.on("error", reject);
      for (let sent = 0; sent < BODY_LIMIT * 4; sent += 1024) request.write("a".repeat(1024));
      request.end();
    });
    expect(chunked).toBe(413);
  });

  it("a refused body trickled in (no sign-in needed) holds its connection for seconds, not until the request timeout", async () => {
    const { hostname, port } = new URL(server.url);
    const socket = net.connect(Number(port), hostname);
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.write(
      `POST /login HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        `Content-Length: ${BODY_LIMIT * 100}\r\n\r\nemail=`,
    );
    const trickle = setInterval(() => socket.writable && socket.write("a"), 500);
    const started = Date.now();
    await new Promise<void>((resolve) => socket.once("close", () => resolve()));
    clearInterval(trickle);
    expect(received).toMatch(/^HTTP\/1\.1 413 /);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 40_000);

  it("a client still sending a big body reads the 413 (it often got a connection reset instead), form and API, with or without a length", async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, "a");
    const targets = [
      {
        route: "/settings/profile",
        type: "application/x-www-form-urlencoded",
        body: Buffer.concat([Buffer.from("name="), big]),
      },
      {
        route: "/api/v1/conversations",
        type: "application/json",
        body: Buffer.concat([Buffer.from('{"title":"'), big, Buffer.from('"}')]),
      },
    ];
    /** Sent in 64 KiB pieces without Content-Length (chunked), as a client streaming an upload does. */
    const sendChunked = (route: string, type: string, body: Buffer) =>
      new Promise<HttpResult>((resolve, reject) => {
        const request = http.request(`${server.url}${route}`, {
          method: "POST",
          headers: { "content-type": type, cookie: adminCookie },
        });
        request.on("response", (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
          response.on("error", reject);
        });
        request.on("error", reject);
        for (let at = 0; at < body.length; at += 65_536) request.write(body.subarray(at, at + 65_536));
        request.end();
      });
    // The reset was a race: several tries each way.
    for (let attempt = 0; attempt < 4; attempt++)
      for (const { route, type, body } of targets) {
        const declared = await fetch(`${server.url}${route}`, {
          method: "POST",
          headers: { "content-type": type, cookie: adminCookie },
          body,
        });
        const declaredBody = await declared.text();
        const chunked = await sendChunked(route, type, body);
        for (const [how, status, text] of [
          ["with Content-Length", declared.status, declaredBody],
          ["chunked", chunked.status, chunked.body],
        ] as const) {
          expect(status, `${route} ${how}`).toBe(413);
          if (route.startsWith("/api/"))
            expect(JSON.parse(text), `${route} ${how}`).toMatchObject({ status: 413, code: "payload_too_large" });
          else expect(text, `${route} ${how}`).toContain("Request too large");
        }
      }
  }, 120_000);

  it("with JS, a refused body to a page's .data address is answered in Remix's format, not an HTML page it cannot read", async () => {
    const refused = await send("/settings/profile.data", "POST", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `name=${"a".repeat(BODY_LIMIT * 4)}`,
      cookie: adminCookie,
    });
    expect(refused.status).toBe(413);
    expect(refused.headers["content-type"]).toContain("text/x-script");
    expect(refused.headers["x-remix-response"]).toBe("yes");
    // The error response Remix's client throws to the page's error boundary: its message and title.
    expect(refused.body).toContain("ErrorResponse");
    expect(refused.body).toContain(`The request body is larger than ${BODY_LIMIT.toLocaleString("en")} bytes.`);
    expect(refused.body).toContain("Request too large");
    expect(refused.body).not.toContain("<html");
  });

  it("a refused .data address that only normalisation makes a page reloads ARES's home, never another site", async () => {
    for (const route of ["/.//evil.example.data", "/a/..//evil.example.data", "/%2e//evil.example.data"]) {
      // Sent as written: a URL parser would normalise the address first.
      const result = await httpRequest(`${server.url}/`, { path: route, headers: { cookie: adminCookie } });
      expect(result.status, route).toBe(202);
      expect(result.body, route).toContain("SingleFetchRedirect");
      expect(result.body, route).not.toContain("evil.example");
    }
  });

  it("an API address spelled with .data is a 404 problem (it answered Remix's internal format, or 401 client_error)", async () => {
    for (const cookie of [adminCookie, undefined]) {
      const result = await send("/api/v1/conversations.data", "GET", { cookie });
      expect(result.status).toBe(404);
      expect(result.headers["content-type"]).toContain("application/problem+json");
      expect(JSON.parse(result.body)).toMatchObject({ status: 404, code: "not_found" });
    }
  });

  it("finding 4: client errors are logged below error level and never as unhandled errors", () => {
    const unhandled = server.logs.filter((entry) => entry.msg === "unhandled error");
    expect(unhandled.map((entry) => JSON.stringify(entry).slice(0, 300))).toEqual([]);
    const errorsFor4xx = server.logs.filter(
      (entry) =>
        Number(entry.level) >= 50 && Number((entry.res as { statusCode?: number } | undefined)?.statusCode) < 500,
    );
    expect(errorsFor4xx).toEqual([]);
  });
});

describe("a NUL character in a page's form, without JS: that page, with what was typed and why", () => {
  const nulMessage =
    /<div class="form-error" role="alert"[^>]*><p>What you sent contains a NUL character \(shown as �\), which cannot be stored, so nothing was saved\. Remove it and save again\.<\/p>/;
  const form = (fields: Record<string, string>) => ({
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
    cookie: adminCookie,
  });
  const multipart = (fields: Record<string, string>) => {
    const boundary = "nul-boundary";
    const parts = Object.entries(fields).map(
      ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    );
    return {
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body: `${parts.join("")}--${boundary}--\r\n`,
      cookie: adminCookie,
    };
  };
  const owner = async () => (await prisma.user.findUniqueOrThrow({ where: { email: adminEmail } })).id;

  it("memory, a new event, the chat composer (multipart) and the profile answer 400 with their form as typed (NUL shown as �); nothing stored", async () => {
    const userId = await owner();
    const stored = async () => [
      await prisma.memoryFact.count({ where: { userId } }),
      await prisma.event.count({ where: { userId } }),
      await prisma.conversation.count({ where: { userId } }),
    ];
    const before = await stored();
    const cases = [
      {
        path: "/memory",
        body: form({ intent: "add-fact", kind: "personal", key: "favourite pet", value: "a cat called\u0000Tom" }),
        shown: ["favourite pet", "a cat called\uFFFDTom"],
      },
      {
        path: "/calendar/new",
        body: form({
          title: "Stand\u0000up meeting",
          startDate: "2026-03-02",
          startTime: "09:00",
          endDate: "2026-03-02",
          endTime: "09:30",
          timeZone: "Europe/Berlin",
          location: "Room seven",
          repeat: "none",
          reminders: "10",
        }),
        shown: ["Stand\uFFFDup meeting", "Room seven"],
      },
      {
        path: "/chat?index",
        body: multipart({ message: "hello\u0000there, a long message" }),
        shown: ["hello\uFFFDthere, a long message"],
      },
      {
        path: "/settings/profile",
        body: form({ name: "Ada\u0000Lovelace", timeZone: "Europe/London" }),
        shown: ["Ada\uFFFDLovelace"],
      },
    ];
    for (const { path, body, shown } of cases) {
      const page = await send(path, "POST", body);
      expect(page.status, path).toBe(400);
      expect(page.headers["content-type"], path).toMatch(/^text\/html/);
      // The page itself (its form), not the bare error page.
      expect(page.body, path).not.toContain("<h1>Bad request</h1>");
      expect(page.body, path).toMatch(nulMessage);
      for (const typed of shown) expect(page.body, `${path}: ${typed}`).toContain(typed);
    }
    expect(await stored()).toEqual(before);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: userId } })).name ?? "").not.toContain("Lovelace");
  });

  it("an edit of an event that no longer exists says why too: the new-event form with the NUL's reason, not just the text with �", async () => {
    const page = await send(
      "/calendar/events/gone-event-id/edit",
      "POST",
      form({
        title: "Moved\u0000standup",
        startDate: "2026-03-02",
        startTime: "09:00",
        endDate: "2026-03-02",
        endTime: "09:30",
        timeZone: "Europe/Berlin",
        repeat: "none",
        scope: "this",
      }),
    );
    expect(page.status).toBe(400);
    expect(page.body).toContain("This event no longer exists");
    expect(page.body).toContain("Moved\uFFFDstandup");
    expect(page.body).toContain("What you sent contains a NUL character (shown as �)");
  });

  it("a form not on the page-forms list (a calendar subscription, an admin form) keeps the bare 400, nothing stored", async () => {
    const userId = await owner();
    const before = await prisma.calendarSubscription.count({ where: { userId } });
    for (const [path, fields] of [
      ["/calendar/subscriptions", { name: "Holi\u0000days", url: "https://example.test/holidays.ics", interval: "60" }],
      ["/admin/users?index", { intent: "disable", userId: "a\u0000b" }],
    ] as const) {
      const page = await send(path, "POST", form(fields));
      expect(page.status, path).toBe(400);
      // The bare error page, not the form.
      expect(page.body, path).toMatch(/<h1[^>]*>Bad request<\/h1>/);
      expect(page.body, path).toContain("The request contains a NUL character or an unpaired surrogate");
      expect(page.body, path).not.toMatch(nulMessage);
    }
    expect(await prisma.calendarSubscription.count({ where: { userId } })).toBe(before);
  });

  it("the password form says so without sending a password back; with JS (.data) the page gets the same answer as data", async () => {
    const facts = await prisma.memoryFact.count({ where: { userId: await owner() } });
    const page = await send(
      "/settings/password",
      "POST",
      form({ currentPassword: password, newPassword: "a new\u0000 passphrase here", confirmPassword: "x" }),
    );
    expect(page.status).toBe(400);
    expect(page.body).toMatch(nulMessage);
    expect(page.body).not.toContain(password);
    expect(page.body).not.toContain("passphrase here");
    const data = await send(
      "/memory.data",
      "POST",
      form({ intent: "add-fact", kind: "personal", key: "pet", value: "dog\u0000Rex" }),
    );
    expect(data.status).toBe(400);
    expect(data.body).not.toContain("ErrorResponse");
    expect(data.body).toContain("contains a NUL character");
    expect(data.body).toContain("dog\uFFFDRex");
    expect(await prisma.memoryFact.count({ where: { userId: await owner() } })).toBe(facts);
    // A form whose page does not answer refusals itself, and the API, keep their plain 400.
    const api = await send("/api/v1/conversations", "POST", {
      headers: { "content-type": "application/json" },
      body: '{"title":"a\\u0000b"}',
      cookie: adminCookie,
    });
    expect(api.status).toBe(400);
    expect(JSON.parse(api.body)).toMatchObject({ code: "invalid_text" });
  });
});

describe("finding C: an address that normalises to another route never reaches it as something else", () => {
  const sendRaw = (route: string, options: { headers?: Record<string, string>; body?: string; cookie?: string }) =>
    httpRequest(server.url, {
      path: route,
      method: "POST",
      headers: { ...options.headers, ...(options.cookie ? { cookie: options.cookie } : {}) },
      body: options.body,
    });
  const json = { headers: { "content-type": "application/json" }, body: "{}" };

  it("finding C: JSON posted through /api/…/%2e%2e/ to a page is a 4xx, never a 500", async () => {
    const routes = [
      "/api/v1/health/%2e%2e/%2e%2e/%2e%2e/login",
      "/api/v1/health/../../../login",
      "/api/%2e%2e/settings/profile",
      "/api/%2E%2E/settings/profile.data",
      "/api/v1/%2e%2e%2f%2e%2e%2fsignup",
      "/api//..//settings/password",
    ];
    for (const route of routes)
      for (const cookie of [undefined, adminCookie]) {
        const result = await sendRaw(route, { ...json, cookie });
        expect(result.status, `${route} ${cookie ? "signed in" : "anonymous"}`).toBe(400);
        expectCleanClientError(result, route);
      }
  });

  it("finding C: a page spelled in capitals takes forms, the API spelled in capitals takes JSON", async () => {
    const page = await sendRaw("/SETTINGS/PROFILE", { ...json, cookie: adminCookie });
    expect(page.status).toBe(415);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    const api = await sendRaw("/API/v1/conversations", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "title=a",
      cookie: adminCookie,
    });
    expect(api.status).toBe(415);
    expect(JSON.parse(api.body)).toMatchObject({ status: 415, code: "unsupported_media_type" });
  });
});

describe("finding 5: no stack traces or internal paths on error pages outside development", () => {
  it("finding 5: GET /chat/%FF%FE in local mode is a clean 400 page", async () => {
    const result = await send("/chat/%FF%FE", "GET", { cookie: adminCookie });
    expect(result.status).toBe(400);
    expect(result.headers["content-type"]).toMatch(/^text\/html/);
    expect(result.body).toContain("Bad request");
    expectCleanClientError(result, "/chat/%FF%FE");
    // Anonymous visitors are sent to sign in first, as for any other address.
    const anonymous = await send("/chat/%FF%FE", "GET", {});
    expect(anonymous.status).toBe(302);
    const api = await send("/api/v1/conversations/%FF%FE/messages", "GET", { cookie: adminCookie });
    expect(api.status).toBe(400);
    expect(api.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });
});
