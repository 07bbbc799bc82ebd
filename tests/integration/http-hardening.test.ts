import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseEnv, httpRequest, sample } from "../support/ops";
import { startServer, type ServerProcess, ensureBuild } from "../support/server-process";

const METRICS_TOKEN = "metrics-token-for-the-hardening-test-0123";
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-logs-"));
let server: ServerProcess;

beforeAll(async () => {
  await ensureBuild();
  server = await startServer({
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    SESSION_SECRET: "hardening-test-session-secret-0123456789abcdef",
    INTERNAL_API_KEY: "hardening-test-internal-key-0123456789",
    METRICS_TOKEN,
    ALLOWED_HOSTS: "ares.example.test,127.0.0.1",
    LOG_LEVEL: "info",
    LOG_FILE: path.join(logDir, "ares.log"),
    ...databaseEnv(fs.mkdtempSync(path.join(os.tmpdir(), "ares-hardening-"))),
  });
}, 120_000);
afterAll(() => server?.stop());

describe("security headers on a page", () => {
  it("enforce a nonce CSP without unsafe-inline scripts, HSTS in production, the referrer policy, no X-Powered-By", async () => {
    const page = await httpRequest(`${server.url}/`);
    expect(page.status).toBe(200);
    const csp = String(page.headers["content-security-policy"]);
    const scriptSrc = csp.split(";").find((directive) => directive.startsWith("script-src "))!;
    const nonce = /'nonce-([^']+)'/.exec(scriptSrc)?.[1];
    expect(nonce).toBeTruthy();
    expect(scriptSrc).not.toContain("unsafe-inline");
    expect(page.headers["content-security-policy-report-only"]).toBeUndefined();
    // Every script in the page carries this response's nonce; the next response gets another one.
    expect(page.body).toContain(`nonce="${nonce}"`);
    expect(page.body).not.toMatch(/<script(?![^>]*nonce=)[^>]*>/);
    const again = await httpRequest(`${server.url}/`);
    expect(again.headers["content-security-policy"]).not.toContain(nonce);
    expect(page.headers["strict-transport-security"]).toContain("max-age=31536000");
    expect(page.headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(page.headers["x-powered-by"]).toBeUndefined();
    expect(page.headers["x-request-id"]).toBeTruthy();
  });

  it("cache fingerprinted assets for a year and other public files for an hour", async () => {
    const page = await httpRequest(`${server.url}/`);
    const asset = /\/assets\/[^"]+\.js/.exec(page.body)![0];
    const assetResponse = await httpRequest(`${server.url}${asset}`);
    expect(assetResponse.status).toBe(200);
    expect(assetResponse.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    const favicon = await httpRequest(`${server.url}/favicon.svg`);
    expect(favicon.headers["cache-control"]).toBe("public, max-age=3600");
  });

  it("refuse a Host not in ALLOWED_HOSTS, but let health probes through by any name", async () => {
    const foreign = await httpRequest(`${server.url}/`, { headers: { Host: "evil.example.test" } });
    expect(foreign.status).toBe(400);
    const allowed = await httpRequest(`${server.url}/`, { headers: { Host: "ares.example.test" } });
    expect(allowed.status).toBe(200);
    const probe = await httpRequest(`${server.url}/api/v1/health/live`, { headers: { Host: "10.0.0.7:3000" } });
    expect(probe.status).toBe(200);
    // The app's error page, not a bare line of text, with the security headers every page has.
    expect(String(foreign.headers["content-type"])).toMatch(/^text\/html/);
    const unsupported = await httpRequest(`${server.url}/settings`, {
      method: "PATCH",
      headers: { Host: "ares.example.test" },
    });
    expect(unsupported.status).toBe(405);
    for (const refused of [foreign, unsupported]) {
      expect(String(refused.headers["content-security-policy"])).toContain("script-src 'self' 'nonce-");
      expect(refused.headers["x-content-type-options"]).toBe("nosniff");
      expect(refused.headers["x-frame-options"]).toBe("SAMEORIGIN");
    }
  });

  it("refuse HTTP/1.0 without a Host as an unknown host (it answered 500: there was no name to compare)", async () => {
    const { hostname, port } = new URL(server.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname);
      let received = "";
      socket.on("data", (chunk) => (received += chunk.toString("latin1")));
      socket.on("end", () => resolve(received));
      socket.on("error", reject);
      socket.end("GET / HTTP/1.0\r\n\r\n");
    });
    expect(reply).toMatch(/^HTTP\/1\.[01] 400 /);
    expect(reply).toContain("does not answer to that host name");
  });
});

describe("compression", () => {
  it("compresses a streamed reply and still sends each part as it comes", async () => {
    const pad = 2_000;
    const parts: { text: string; at: number }[] = [];
    const started = performance.now();
    const encoding = await new Promise<string | undefined>((resolve, reject) => {
      http
        .get(
          `${server.url}/test-only/slow?ms=1500&pad=${pad}`,
          { headers: { "Accept-Encoding": "gzip" } },
          (response) => {
            const gunzip = response.pipe(zlib.createGunzip());
            gunzip.setEncoding("utf8");
            gunzip.on("data", (text: string) => parts.push({ text, at: performance.now() - started }));
            gunzip.on("end", () => resolve(response.headers["content-encoding"]));
            gunzip.on("error", reject);
          },
        )
        .on("error", reject);
    });
    expect(encoding).toBe("gzip");
    const chunks = [1, 2, 3, 4, 5].map((n) => `chunk ${n}\n`.padStart(pad, "."));
    expect(parts.map((part) => part.text).join("")).toBe(`${chunks.join("")}done\n`);
    // The first part arrives on its own, well before the last one is written (300 ms apart each).
    expect(parts[0]!.text).toBe(chunks[0]);
    expect(parts.at(-1)!.at - parts[0]!.at).toBeGreaterThan(900);
  });
});

describe("/metrics", () => {
  it("requires the METRICS_TOKEN bearer when one is set", async () => {
    expect((await httpRequest(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await httpRequest(`${server.url}/metrics`, { headers: { Authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const right = await httpRequest(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(right.status).toBe(200);
    expect(right.headers["content-type"]).toMatch(/^text\/plain;.*version=0\.0\.4/);
  });

  it("parses as Prometheus text, has the named series and labels routes by template only", async () => {
    await httpRequest(`${server.url}/no/such/page/4711`);
    await httpRequest(`${server.url}/api/v1/health/live`);
    const page = await httpRequest(`${server.url}/`);
    await httpRequest(`${server.url}${/\/assets\/[^"]+\.js/.exec(page.body)![0]}`);
    const { body } = await httpRequest(`${server.url}/metrics`, {
      headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
    });

    const sampleLine =
      /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*\})? (-?[0-9.]+(e[+-]?[0-9]+)?|NaN|[+-]Inf)$/;
    for (const line of body.split("\n").filter(Boolean)) {
      expect(line.startsWith("# HELP ") || line.startsWith("# TYPE ") || sampleLine.test(line), line).toBe(true);
    }
    for (const [name, type] of [
      ["process_cpu_seconds_total", "counter"],
      ["http_request_duration_seconds", "histogram"],
      ["ares_llm_request_duration_seconds", "histogram"],
      ["ares_llm_tokens_total", "counter"],
      ["ares_llm_fallbacks_total", "counter"],
      ["ares_llm_errors_total", "counter"],
      ["ares_logins_total", "counter"],
      ["ares_rate_limit_rejections_total", "counter"],
      ["ares_rate_limit_store_errors_total", "counter"],
      ["ares_audit_events_total", "counter"],
      ["ares_active_sessions", "gauge"],
      ["ares_job_queue_depth", "gauge"],
    ]) {
      expect(body).toContain(`# TYPE ${name} ${type}`);
    }
    const count = (route: string) =>
      sample(body, `http_request_duration_seconds_count{method="GET",route="${route}",status="200"}`);
    expect(count("/api/v1/health/live")).toBeGreaterThanOrEqual(1);
    expect(count("/")).toBeGreaterThanOrEqual(1);
    expect(count("/assets/*")).toBeGreaterThanOrEqual(1);
    // An address no route claims (here redirected to sign-in) is counted, but not under its own name.
    expect(body).toMatch(/http_request_duration_seconds_count\{method="GET",route="unmatched",status="\d+"\} 1/);
    const routes = [...body.matchAll(/route="([^"]*)"/g)].map((match) => match[1]!);
    for (const route of routes) expect(route).toMatch(/^(\/[A-Za-z0-9_.:*\-/]*|unmatched|static|[a-z_]+)$/);
    expect(routes.join(" ")).not.toContain("4711");
  });
  it("answer a POST to what Express serves itself (scrapes, public files, assets) with 405, not a sign-in loop", async () => {
    const page = await httpRequest(`${server.url}/`);
    const asset = /\/assets\/[^"]+\.js/.exec(page.body)![0];
    for (const address of ["/metrics", "/favicon.svg", "/robots.txt", asset]) {
      const refused = await httpRequest(`${server.url}${address}`, { method: "POST" });
      expect(refused.status, address).toBe(405);
      expect(refused.headers.allow, address).toBe("GET, HEAD");
    }
    // Reads still work.
    expect((await httpRequest(`${server.url}/robots.txt`)).status).toBe(200);
  });

  it("count and log the refusals made before any page work (405, unknown host, NUL in the address)", async () => {
    const marker = "refusal-probe-8812";
    expect((await httpRequest(`${server.url}/settings?${marker}`, { method: "PATCH" })).status).toBe(405);
    expect((await httpRequest(`${server.url}/?${marker}`, { headers: { Host: "evil.example.test" } })).status).toBe(
      400,
    );
    expect((await httpRequest(`${server.url}/chat/%00?${marker}`)).status).toBe(400);
    const { body } = await httpRequest(`${server.url}/metrics`, {
      headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
    });
    // A refusal is labelled by what refused it (its problem code), never by the address it was for.
    const refusals = (method: string, code: string, status: number) =>
      sample(body, `http_request_duration_seconds_count{method="${method}",route="${code}",status="${status}"}`) ?? 0;
    expect(refusals("PATCH", "method_not_allowed", 405)).toBeGreaterThanOrEqual(1);
    expect(refusals("GET", "host_rejected", 400)).toBeGreaterThanOrEqual(1);
    expect(refusals("GET", "invalid_url", 400)).toBeGreaterThanOrEqual(1);
    const logged = () =>
      server.logs
        .filter((entry) => JSON.stringify(entry).includes(marker))
        .map((entry) => (entry as { res?: { statusCode?: number } }).res?.statusCode);
    await expect.poll(() => logged().sort()).toEqual([400, 400, 405]);
  });
});

describe("logs", () => {
  it("redact cookies and authorization headers from the access log", async () => {
    await httpRequest(`${server.url}/?probe=redaction`, {
      headers: { Cookie: "ares_session=cookie-secret-value-123", Authorization: "Bearer authorization-secret-456" },
    });
    await expect.poll(() => server.logs.some((entry) => JSON.stringify(entry).includes("probe=redaction"))).toBe(true);
    const line = JSON.stringify(server.logs.find((entry) => JSON.stringify(entry).includes("probe=redaction")));
    expect(line).toContain("[redacted]");
    expect(line).not.toContain("cookie-secret-value-123");
    expect(line).not.toContain("authorization-secret-456");
  });

  it("with LOG_FILE, also write JSON lines to a dated, rotating file", async () => {
    await expect
      .poll(() => fs.readdirSync(logDir).filter((name) => /^ares\.\d{4}-\d{2}-\d{2}\.\d+\.log$/.test(name)))
      .toHaveLength(1);
    const file = fs.readdirSync(logDir).find((name) => name.endsWith(".log") && name !== "current.log")!;
    const lines = fs.readFileSync(path.join(logDir, file), "utf8").split("\n").filter(Boolean);
    expect(
      lines.map((line) => JSON.parse(line) as { msg: string }).some((entry) => entry.msg === "ARES is ready"),
    ).toBe(true);
  });
});
