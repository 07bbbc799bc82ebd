import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseEnv, httpRequest } from "../support/ops";
import { startServer, type ServerProcess, ensureBuild } from "../support/server-process";

const root = path.resolve(import.meta.dirname, "../..");
let server: ServerProcess;

type Document = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      { responses: Record<string, { description?: string; content: Record<string, { schema?: object }> }> }
    >
  >;
  components: { schemas: Record<string, object> };
};
let document: Document;

beforeAll(async () => {
  await ensureBuild();
  server = await startServer(databaseEnv(fs.mkdtempSync(path.join(os.tmpdir(), "ares-api-"))));
  document = JSON.parse((await httpRequest(`${server.url}/api/v1/openapi.json`)).body) as Document;
}, 120_000);
afterAll(() => server?.stop());

/** A validator for one response body; each component is added under its name so references resolve. */
function validatorFor(schema: object) {
  const byName = (value: object) =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', '"')) as object;
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addFormat(
    "date-time",
    (value: string) => !Number.isNaN(Date.parse(value)) && /T.*(Z|[+-]\d\d:\d\d)$/.test(value),
  );
  for (const [id, component] of Object.entries(document.components.schemas)) ajv.addSchema(byName(component), id);
  return ajv.compile(byName(schema));
}

/** `api.v1.health.live.ts` → `/api/v1/health/live`; `[.]` escapes a dot, `_index` is the folder itself. */
function routePath(file: string): string {
  const segments = file
    .replace(/\.tsx?$/, "")
    .replaceAll("[.]", "\u0000")
    .split(".")
    .filter((segment) => segment !== "_index")
    .map((segment) => (segment.startsWith("$") ? `{${segment.slice(1)}}` : segment).replaceAll("\u0000", "."));
  return `/${segments.join("/")}`;
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 whose schemas compile and whose references all resolve", () => {
    expect(document.openapi).toBe("3.1.0");
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const id of refs) expect(document.components.schemas, id).toHaveProperty(id);
    for (const [id, schema] of Object.entries(document.components.schemas)) {
      expect(() => validatorFor(schema), id).not.toThrow();
    }
  });

  it("covers every /api/v1 route in app/routes", () => {
    const files = fs.readdirSync(path.join(root, "app/routes")).filter((name) => name.startsWith("api.v1."));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(Object.keys(document.paths), file).toContain(routePath(file));
  });

  it("describes what the endpoints really answer", async () => {
    for (const endpoint of ["/api/v1/health/live", "/api/v1/health/ready", "/api/v1/health"]) {
      const response = await httpRequest(`${server.url}${endpoint}`);
      const documented = document.paths[endpoint]!.get!.responses[String(response.status)];
      expect(documented, `${endpoint} answered ${response.status}, which is not documented`).toBeDefined();
      const [type, media] = Object.entries(documented!.content)[0]!;
      expect(response.headers["content-type"]).toContain(type);
      const validate = validatorFor(media.schema!);
      expect(validate(JSON.parse(response.body)), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it("is readable as a local page, with no third-party scripts or styles", async () => {
    const page = await httpRequest(`${server.url}/api/v1/docs`);
    expect(page.status).toBe(200);
    for (const endpoint of Object.keys(document.paths)) expect(page.body).toContain(endpoint);
    expect(page.body).toContain("HealthReport");
    expect(page.body).not.toMatch(/<(script|link)[^>]+(src|href)="(https?:)?\/\//);
  });
});

/** Signs up and in on `url`; the session cookie. */
async function signedInCookie(url: string): Promise<string> {
  const email = `api-v1-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.test`;
  const form = new URLSearchParams({ email, password: "correct horse battery staple" }).toString();
  const headers = { "content-type": "application/x-www-form-urlencoded" };
  await httpRequest(`${url}/signup`, { method: "POST", headers, body: form });
  const login = await httpRequest(`${url}/login`, { method: "POST", headers, body: form });
  return String(login.headers["set-cookie"]?.[0]?.split(";")[0]);
}

describe("the full health report", () => {
  it("refuses a signed-in person who is not an admin with the 403 every other refusal has: titled 'Not allowed'", async () => {
    // The first account of an installation is its admin: the second is not.
    await signedInCookie(server.url);
    const cookie = await signedInCookie(server.url);
    const response = await httpRequest(`${server.url}/api/v1/health`, { headers: { cookie } });
    expect(response.status).toBe(403);
    expect(response.headers["content-type"]).toContain("application/problem+json");
    expect(JSON.parse(response.body)).toMatchObject({ status: 403, code: "forbidden", title: "Not allowed" });
  });
});

describe("request validation", () => {
  let cookie = "";
  beforeAll(async () => {
    cookie = await signedInCookie(server.url);
  }, 60_000);

  const post = (endpoint: string, body: string) =>
    httpRequest(`${server.url}${endpoint}`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body,
    });

  it("says a field of the wrong type must be text, and a missing or blank one is asked for", async () => {
    for (const title of ["123", "null", '["a"]']) {
      const response = await post("/api/v1/conversations", `{"title":${title}}`);
      expect(response.status, title).toBe(422);
      expect(JSON.parse(response.body), title).toMatchObject({
        code: "invalid_request",
        detail: "title: Must be text.",
      });
    }
    const blank = await post("/api/v1/conversations", '{"title":"  "}');
    expect(JSON.parse(blank.body)).toMatchObject({ code: "invalid_request", detail: "title: Enter a title." });

    const created = await post("/api/v1/conversations", "{}");
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.body) as { id: string };
    const wrong = await post(`/api/v1/conversations/${id}/messages`, '{"content":123}');
    expect(wrong.status).toBe(422);
    expect(JSON.parse(wrong.body)).toMatchObject({ code: "invalid_request", detail: "content: Must be text." });
    const missing = await post(`/api/v1/conversations/${id}/messages`, "{}");
    expect(JSON.parse(missing.body)).toMatchObject({
      code: "invalid_request",
      detail: "content: Write a message first.",
    });
  });
  it("answers JSON nested 5,000 deep, never with a stack overflow (a 500 on every JSON endpoint, the public webhook first)", async () => {
    const nested = ["[".repeat(5000) + "]".repeat(5000), '{"a":'.repeat(5000) + "1" + "}".repeat(5000)];
    for (const body of nested) {
      for (const endpoint of ["/api/v1/telegram/webhook", "/api/v1/conversations"]) {
        const response = await post(endpoint, body);
        expect(response.status, `${endpoint} ${body.slice(0, 5)}: ${response.body}`).toBeLessThan(500);
      }
    }
    // A NUL deep inside is still found.
    const deepNul = await post(
      "/api/v1/conversations",
      `{"title":"x","extra":${"[".repeat(5000)}"a\\u0000b"${"]".repeat(5000)}}`,
    );
    expect(deepNul.status).toBe(400);
    expect(JSON.parse(deepNul.body)).toMatchObject({ code: "invalid_text" });
  });

  it("refuses a field the request does not take, as the document's additionalProperties: false says, naming it", async () => {
    const requestBodies = ["CreateConversationRequest", "SendMessageRequest"];
    for (const id of requestBodies)
      expect(document.components.schemas[id], id).toMatchObject({ additionalProperties: false });

    const conversationIds = async () =>
      (
        JSON.parse((await httpRequest(`${server.url}/api/v1/conversations`, { headers: { cookie } })).body) as {
          conversations: Array<{ id: string }>;
        }
      ).conversations.map((conversation) => conversation.id);
    const before = await conversationIds();
    const misspelt = await post("/api/v1/conversations", '{"tittle":"Plans"}');
    expect(misspelt.status).toBe(422);
    expect(misspelt.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(misspelt.body)).toMatchObject({
      code: "invalid_request",
      detail: "tittle: Not a field this request takes.",
    });
    expectDocumented("/api/v1/conversations", "post", misspelt);
    const created = await post("/api/v1/conversations", '{"title":"Plans"}');
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.body) as { id: string };
    const extra = await post(`/api/v1/conversations/${id}/messages`, '{"content":"hello","model":"x","temperature":2}');
    expect(extra.status).toBe(422);
    expect(JSON.parse(extra.body)).toMatchObject({
      code: "invalid_request",
      detail: "model: Not a field this request takes.; temperature: Not a field this request takes.",
    });
    // Nothing was created or sent by the refused requests.
    expect((await conversationIds()).sort()).toEqual([...before, id].sort());
    const messages = JSON.parse(
      (await httpRequest(`${server.url}/api/v1/conversations/${id}/messages`, { headers: { cookie } })).body,
    ) as { messages: unknown[] };
    expect(messages.messages).toEqual([]);
  });

  /** The OpenAPI entry for an answer the endpoint gave: it must exist and name the media type sent. */
  function expectDocumented(endpoint: string, method: string, response: { status: number; headers: object }) {
    const documented = document.paths[endpoint]![method]!.responses[String(response.status)];
    expect(documented, `${method} ${endpoint} answered ${response.status}, which is not documented`).toBeDefined();
    const type = (response.headers as Record<string, string>)["content-type"];
    expect(type).toContain(Object.keys(documented!.content)[0]);
  }

  it("refuses JSON declared in a charset other than UTF-8 (it was read as UTF-8 anyway): 415, documented", async () => {
    const latin1 = Buffer.from('{"title":"Caf\u00e9"}', "latin1");
    for (const charset of ["latin1", "ISO-8859-1", '"windows-1252"', "utf-16", "no-such-charset"]) {
      const response = await httpRequest(`${server.url}/api/v1/conversations`, {
        method: "POST",
        headers: { "content-type": `application/json; charset=${charset}`, cookie },
        body: latin1,
      });
      expect(response.status, charset).toBe(415);
      expect(JSON.parse(response.body), charset).toMatchObject({ status: 415, code: "unsupported_charset" });
      expectDocumented("/api/v1/conversations", "post", response);
    }
    expect(JSON.parse((await post("/api/v1/conversations", "{}")).body)).toHaveProperty("id");
    // UTF-8 by any of its names is taken, and the title arrives as typed.
    for (const charset of ["utf-8", "UTF-8", '"utf8"']) {
      const response = await httpRequest(`${server.url}/api/v1/conversations`, {
        method: "POST",
        headers: { "content-type": `application/json; charset=${charset}`, cookie },
        body: Buffer.from('{"title":"Caf\u00e9"}', "utf8"),
      });
      expect(response.status, charset).toBe(201);
      expect(JSON.parse(response.body), charset).toMatchObject({ title: "Caf\u00e9" });
    }
    // A charset= inside another parameter's quoted value is not the body's; a header that cannot be read is a 415.
    for (const [contentType, status] of [
      ['application/json; foo="x;charset=latin1"', 201],
      ["application/json; charset", 415],
    ] as const) {
      const response = await httpRequest(`${server.url}/api/v1/conversations`, {
        method: "POST",
        headers: { "content-type": contentType, cookie },
        body: "{}",
      });
      expect(response.status, contentType).toBe(status);
      expectDocumented("/api/v1/conversations", "post", response);
    }
  });

  it("documents the 413 and 415 every POST can answer", async () => {
    for (const [endpoint, operations] of Object.entries(document.paths)) {
      if (!operations.post) continue;
      expect(operations.post.responses, endpoint).toHaveProperty("413");
      expect(operations.post.responses, endpoint).toHaveProperty("415");
      // application/*+json is JSON too, and taken: the description must not say only application/json is.
      expect(operations.post.responses["415"]?.description, endpoint).toContain("application/*+json");
    }
    const vendorJson = await httpRequest(`${server.url}/api/v1/conversations`, {
      method: "POST",
      headers: { "content-type": "application/vnd.example+json", cookie },
      body: "{}",
    });
    expect(vendorJson.status).toBe(201);
    const plain = await httpRequest(`${server.url}/api/v1/conversations`, {
      method: "POST",
      headers: { "content-type": "text/plain", cookie },
      body: "x",
    });
    expect(JSON.parse(plain.body)).toMatchObject({ status: 415, code: "unsupported_media_type" });
    expectDocumented("/api/v1/conversations", "post", plain);
    const large = await httpRequest(`${server.url}/api/v1/conversations`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: `{"title":"${"x".repeat(1_100_000)}"}`,
    });
    expect(JSON.parse(large.body)).toMatchObject({ status: 413, code: "payload_too_large" });
    expectDocumented("/api/v1/conversations", "post", large);
    // A compressed body's 415 says which coding is read, and the document names that header.
    const compressed = await httpRequest(`${server.url}/api/v1/conversations`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip", cookie },
      body: "{}",
    });
    expect(JSON.parse(compressed.body)).toMatchObject({ status: 415, code: "unsupported_content_encoding" });
    expect(compressed.headers["accept-encoding"]).toBe("identity");
    expectDocumented("/api/v1/conversations", "post", compressed);
    for (const [endpoint, operations] of Object.entries(document.paths)) {
      if (!operations.post) continue;
      expect((operations.post.responses["415"] as { headers?: object }).headers, endpoint).toHaveProperty(
        "Accept-Encoding",
      );
    }
  });

  /** A documented path with its parameters filled in. */
  const concrete = (endpoint: string) => endpoint.replaceAll(/\{[^}]+\}/g, "no-such-id");

  it("documents the 405 every address answers to PUT, PATCH and DELETE, under each of its operations", async () => {
    for (const [endpoint, operations] of Object.entries(document.paths)) {
      for (const method of ["PUT", "PATCH", "DELETE"]) {
        const response = await httpRequest(`${server.url}${concrete(endpoint)}`, { method, headers: { cookie } });
        expect(response.status, `${method} ${endpoint}`).toBe(405);
        expect(JSON.parse(response.body)).toMatchObject({ status: 405, code: "method_not_allowed" });
        expect(response.headers["allow"], `${method} ${endpoint}`).toBeTruthy();
        for (const documented of Object.keys(operations)) expectDocumented(endpoint, documented, response);
        for (const documented of Object.values(operations)) {
          expect((documented.responses["405"] as { headers?: object }).headers).toHaveProperty("Allow");
        }
      }
    }
  });

  it("documents the 403 a POST from another site's page gets, on every POST", async () => {
    for (const [endpoint, operations] of Object.entries(document.paths)) {
      if (!operations.post) continue;
      const response = await httpRequest(`${server.url}${concrete(endpoint)}`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://elsewhere.example", cookie },
        body: "{}",
      });
      expect(response.status, endpoint).toBe(403);
      expect(JSON.parse(response.body)).toMatchObject({ status: 403, code: "cross_site" });
      expectDocumented(endpoint, "post", response);
    }
  });

  it("says which request bodies may be left out, as the endpoints take them", async () => {
    const body = (endpoint: string) =>
      (document.paths[endpoint]!.post as unknown as { requestBody: { required: boolean } }).requestBody;
    // Every field of a new conversation is optional: no body at all starts one.
    const bare: Array<Record<string, string>> = [{ cookie }, { cookie, "content-type": "application/json" }];
    for (const headers of bare) {
      const empty = await httpRequest(`${server.url}/api/v1/conversations`, { method: "POST", headers });
      expect(empty.status).toBe(201);
    }
    expect(body("/api/v1/conversations").required).toBe(false);
    // A message without a body is refused: its body is required.
    const created = JSON.parse((await post("/api/v1/conversations", "{}")).body) as { id: string };
    const endpoint = "/api/v1/conversations/{conversationId}/messages";
    const empty = await httpRequest(`${server.url}/api/v1/conversations/${created.id}/messages`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
    });
    expect(empty.status).toBeGreaterThanOrEqual(400);
    expectDocumented(endpoint, "post", empty);
    expect(body(endpoint).required).toBe(true);
  });

  it("the Telegram webhook answers 404 when Telegram is off here, with or without a secret, as documented", async () => {
    const secrets: Array<Record<string, string>> = [{}, { "x-telegram-bot-api-secret-token": "a guess" }];
    for (const headers of secrets) {
      const response = await httpRequest(`${server.url}/api/v1/telegram/webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ update_id: 1 }),
      });
      expect(response.status).toBe(404);
      expect(JSON.parse(response.body)).toMatchObject({ code: "not_found" });
      expectDocumented("/api/v1/telegram/webhook", "post", response);
    }
    // Whatever the body: off here comes first, before its type (415) is looked at.
    const typed = await httpRequest(`${server.url}/api/v1/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hello",
    });
    expect(typed.status).toBe(404);
    expect(JSON.parse(typed.body)).toMatchObject({ code: "not_found" });
  });
});

describe("rate limits, as documented", () => {
  let limited: ServerProcess;
  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-api-limits-"));
    limited = await startServer({
      ...databaseEnv(dataDir),
      RATE_LIMIT_READ_PER_MINUTE: "1",
      RATE_LIMIT_WRITE_PER_MINUTE: "1",
    });
  }, 120_000);
  afterAll(() => limited?.stop());

  it("every operation but the health probes documents the 429 the read and write limits answer", async () => {
    const cookie = await signedInCookie(limited.url);
    for (const method of ["GET", "POST"]) {
      const send = () =>
        httpRequest(`${limited.url}/api/v1/conversations`, {
          method,
          headers: method === "POST" ? { "content-type": "application/json", cookie } : { cookie },
          ...(method === "POST" ? { body: "{}" } : {}),
        });
      await send();
      const refused = await send();
      expect(refused.status, method).toBe(429);
      expect(JSON.parse(refused.body)).toMatchObject({ status: 429, code: "rate_limited" });
      const documented = document.paths["/api/v1/conversations"]![method.toLowerCase()]!.responses["429"];
      expect(documented, `${method} answered 429, which is not documented`).toBeDefined();
      expect(refused.headers["content-type"]).toContain(Object.keys(documented!.content)[0]);
    }
    for (const [endpoint, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (endpoint.startsWith("/api/v1/health")) {
          // Probes are never limited, so they do not say they are.
          expect(operation.responses, `${method} ${endpoint}`).not.toHaveProperty("429");
          expect((await httpRequest(`${limited.url}${endpoint}`)).status).not.toBe(429);
        } else expect(operation.responses, `${method} ${endpoint}`).toHaveProperty("429");
      }
    }
  });
});

describe("problem responses", () => {
  it("all say the same media type, with its charset, whichever layer refused (Express or Remix)", async () => {
    const json = { "Content-Type": "application/json" };
    const refusals: Array<{ path: string; method?: string; headers?: Record<string, string>; body?: string }> = [
      // Refused by Express middleware: not signed in, a method no address takes, a cross-site post.
      { path: "/api/v1/conversations" },
      { path: "/api/v1/nowhere" },
      { path: "/api/v1/conversations", method: "PUT" },
      { path: "/api/v1/conversations", method: "POST", headers: json, body: "{not json" },
      {
        path: "/api/v1/conversations",
        method: "POST",
        headers: { ...json, Origin: "https://evil.example" },
        body: "{}",
      },
      // Refused by a Remix route (its Response): the internal API without its key.
      { path: "/api/v1/internal/sessions/purge", method: "POST", headers: json, body: "{}" },
    ];
    const types = new Map<string, string>();
    for (const { path: address, ...init } of refusals) {
      const answer = await httpRequest(`${server.url}${address}`, init);
      expect(answer.status, address).toBeGreaterThanOrEqual(400);
      types.set(`${init.method ?? "GET"} ${address} ${answer.status}`, String(answer.headers["content-type"]));
    }
    expect(new Set(types.values()), JSON.stringify([...types])).toEqual(
      new Set(["application/problem+json; charset=utf-8"]),
    );
  });
});

describe("an address the API does not have", () => {
  let cookie = "";
  beforeAll(async () => {
    cookie = await signedInCookie(server.url);
  }, 60_000);

  const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"];
  const send = (address: string, method: string, headers: Record<string, string> = {}) =>
    httpRequest(`${server.url}${address}`, {
      method,
      // Node's client frames a body for DELETE only with an explicit length; TRACE may carry none.
      ...(["GET", "HEAD", "OPTIONS", "TRACE"].includes(method)
        ? { headers }
        : { headers: { ...headers, "content-type": "application/json", "content-length": "2" }, body: "{}" }),
    });

  it("is a 404 problem with code not_found for every method, signed in or not (signed out it was a 401, a 405 or a sign-in redirect)", async () => {
    const addresses = [
      "/api/v1/nope",
      "/api/v1/conversations/x/nope",
      "/API/V1/Nope/",
      "/api/v2/conversations",
      // Under the public prefixes it was a redirect to the sign-in page, even signed in (health).
      "/api/v1/health/nope",
      "/api/v1/internal/nope",
    ];
    const wrong: string[] = [];
    for (const address of addresses) {
      for (const method of METHODS) {
        for (const [who, headers] of [
          ["signed out", {}],
          ["signed in", { cookie }],
        ] as const) {
          const answer = await send(address, method, headers);
          const type = String(answer.headers["content-type"]);
          const body = method === "HEAD" ? null : (JSON.parse(answer.body || "null") as { code?: string } | null);
          if (
            answer.status !== 404 ||
            !type.startsWith("application/problem+json") ||
            (body !== null && (body.code !== "not_found" || !/nothing at this address/.test(answer.body)))
          ) {
            wrong.push(`${method} ${address} ${who} → ${answer.status} ${type} ${answer.body.slice(0, 80)}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("the POST-only endpoints list only POST in Allow, whatever the method refused (their GET answers only 405)", async () => {
    for (const address of ["/api/v1/telegram/webhook", "/api/v1/internal/sessions/purge"]) {
      for (const method of ["GET", "HEAD", "PUT", "PATCH", "DELETE", "TRACE", "OPTIONS", "POST"]) {
        const answer = await send(address, method);
        const label = `${method} ${address}`;
        if (method === "POST") {
          // It reaches the endpoint (which wants its secret or key), never a 405.
          expect([401, 404], label).toContain(answer.status);
          continue;
        }
        expect(answer.status, label).toBe(method === "OPTIONS" ? 204 : 405);
        expect(answer.headers.allow, label).toBe("POST");
        if (method !== "HEAD" && method !== "OPTIONS") {
          expect(JSON.parse(answer.body), label).toMatchObject({ status: 405, code: "method_not_allowed" });
        }
      }
    }
  });

  it("leaves the API's own addresses as they were: 401 signed out, a 405 problem for a method they do not take", async () => {
    for (const address of ["/api/v1/conversations", "/api/v1/conversations/x/messages"]) {
      for (const method of ["GET", "POST"]) {
        const answer = await send(address, method);
        expect(answer.status, `${method} ${address}`).toBe(401);
        expect(JSON.parse(answer.body)).toMatchObject({ status: 401, code: "unauthenticated" });
      }
    }
    const refused: Array<[method: string, address: string, allow: string]> = [
      ["PUT", "/api/v1/conversations", "GET, HEAD, POST"],
      ["DELETE", "/api/v1/conversations/x/messages", "GET, HEAD, POST"],
      ["POST", "/api/v1/health/live", "GET, HEAD"],
      ["PATCH", "/api/v1/openapi.json", "GET, HEAD"],
      // Answered by the routes themselves: their Allow names the one method they take.
      ["GET", "/api/v1/telegram/webhook", "POST"],
      ["GET", "/api/v1/internal/sessions/purge", "POST"],
    ];
    for (const [method, address, allow] of refused) {
      for (const headers of [{}, { cookie }] as Array<Record<string, string>>) {
        const answer = await send(address, method, headers);
        const label = `${method} ${address} ${headers.cookie ? "signed in" : "signed out"}`;
        expect(answer.status, label).toBe(405);
        expect(answer.headers["content-type"], label).toBe("application/problem+json; charset=utf-8");
        expect(JSON.parse(answer.body), label).toMatchObject({ status: 405, code: "method_not_allowed" });
        expect(answer.headers.allow, label).toBe(allow);
      }
    }
  });
});
