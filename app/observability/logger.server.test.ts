import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { REDACTED_PATHS, redactSecretPaths, requestWithoutSecrets, responseWithoutSecrets } from "./logger.server";

describe("log lines", () => {
  it("name a calendar feed's address without its token, in url, path and req.url", () => {
    const line = redactSecretPaths({
      url: "/calendar/feed/s3cr3t-T0ken.ics?x=1",
      path: "/calendar/feed/s3cr3t-T0ken.ics",
      req: { method: "GET", url: "/calendar/feed/s3cr3t-T0ken.ics" },
      msg: "request completed",
    });
    expect(JSON.stringify(line)).not.toContain("s3cr3t");
    expect(line).toMatchObject({
      url: "/calendar/feed/[redacted].ics?x=1",
      path: "/calendar/feed/[redacted].ics",
      req: { method: "GET", url: "/calendar/feed/[redacted].ics" },
      msg: "request completed",
    });
    expect(redactSecretPaths({ url: "/calendar?view=month" })).toEqual({ url: "/calendar?view=month" });
  });

  it("name a password reset link without its token, however its address is spelled (Remix routes any case)", () => {
    const token = "Abc_def-0123456789abcdefghijklmnopqrstuvwxyz";
    for (const address of [`/reset-password/${token}`, `/Reset-Password/${token}`, `/RESET-PASSWORD/${token}?x=1`]) {
      const line = redactSecretPaths({ url: address, req: { method: "GET", url: address } });
      expect(JSON.stringify(line)).not.toContain(token);
      expect(JSON.stringify(requestWithoutSecrets({ method: "GET", url: address }))).not.toContain(token);
    }
    // The form's own page carries no token: it stays readable.
    expect(redactSecretPaths({ url: "/Reset-Password/New.data" })).toEqual({ url: "/Reset-Password/New.data" });
  });

  it("name a calendar feed's address without its token in the access log's request", () => {
    expect(requestWithoutSecrets({ method: "GET", url: "/calendar/feed/s3cr3t-T0ken.ics" })).toEqual({
      method: "GET",
      url: "/calendar/feed/[redacted].ics",
    });
  });

  it("name Auth0's callback without the sign-in's code and state, in url, path and the access log's request", () => {
    const callback = "/auth/auth0/callback?code=c0de-S3cret&state=st4te-S3cret";
    const line = redactSecretPaths({ url: callback, req: { method: "GET", url: callback }, msg: "request completed" });
    expect(JSON.stringify(line)).not.toMatch(/c0de|st4te/);
    expect(line).toMatchObject({
      url: "/auth/auth0/callback?code=[redacted]&state=[redacted]",
      req: { method: "GET", url: "/auth/auth0/callback?code=[redacted]&state=[redacted]" },
    });
    // Whatever order Auth0 sends them in; its error words are no secret and stay readable.
    expect(
      requestWithoutSecrets({
        url: "/auth/auth0/callback?state=st4te-S3cret&error=access_denied&error_description=No&code=c0de-S3cret",
      }),
    ).toEqual({
      url: "/auth/auth0/callback?state=[redacted]&error=access_denied&error_description=No&code=[redacted]",
    });
    // pino's standard serializer also copies Express's parsed query (the request's own object stays as it was).
    const query = { code: "c0de-S3cret", state: "st4te-S3cret", error: "access_denied" };
    expect(requestWithoutSecrets({ url: callback, query })).toEqual({
      url: "/auth/auth0/callback?code=[redacted]&state=[redacted]",
      query: { code: "[redacted]", state: "[redacted]", error: "access_denied" },
    });
    expect(query.code).toBe("c0de-S3cret");
    expect(redactSecretPaths({ url: "/chat?code=1&state=2" })).toEqual({ url: "/chat?code=1&state=2" });
  });

  it("name an address without the email in its query (sign-up sends new accounts to /login?…&email=)", () => {
    const url = "/login?reason=account_ready&email=ada%40example.test";
    const line = redactSecretPaths({ url, req: { method: "GET", url } });
    expect(JSON.stringify(line)).not.toContain("ada");
    expect(line).toMatchObject({ url: "/login?reason=account_ready&email=[redacted]" });
    const query = { reason: "account_ready", email: "ada@example.test" };
    expect(requestWithoutSecrets({ url: "/login?email=ada@example.test&x=1", query })).toEqual({
      url: "/login?email=[redacted]&x=1",
      query: { reason: "account_ready", email: "[redacted]" },
    });
    expect(query.email).toBe("ada@example.test");
    expect(redactSecretPaths({ url: "/settings/profile?emailed=1" })).toEqual({ url: "/settings/profile?emailed=1" });
    // Nor in the page a request came from (the sign-in page's own requests), nor in sign-up's redirect.
    const headers = {
      referer: "http://ares.test/login?reason=account_ready&email=ada%40example.test",
      host: "ares.test",
    };
    const logged = requestWithoutSecrets({ url: "/login", headers });
    expect(logged.headers).toEqual({
      referer: "http://ares.test/login?reason=account_ready&email=[redacted]",
      host: "ares.test",
    });
    expect(headers.referer).toContain("ada");
    expect(
      responseWithoutSecrets({
        statusCode: 302,
        headers: { location: "/login?reason=account_ready&email=ada%40example.test" },
      }),
    ).toEqual({
      statusCode: 302,
      headers: { location: "/login?reason=account_ready&email=[redacted]" },
    });
  });

  it("name a search without what was searched for (chat, memory and calendar searches are people's own words)", () => {
    for (const url of [
      "/chat?q=my%20diagnosis",
      "/memory?q=my+diagnosis&page=2",
      "/calendar?view=week&q=my%20diagnosis",
    ]) {
      const line = redactSecretPaths({ url, req: { method: "GET", url } });
      expect(JSON.stringify(line)).not.toContain("diagnosis");
      expect(String(line.url)).toContain("q=[redacted]");
    }
    const query = { q: "my diagnosis", page: "2" };
    expect(requestWithoutSecrets({ url: "/memory?q=my+diagnosis&page=2", query })).toEqual({
      url: "/memory?q=[redacted]&page=2",
      query: { q: "[redacted]", page: "2" },
    });
    expect(query.q).toBe("my diagnosis");
    expect(redactSecretPaths({ url: "/chat?quiet=1" })).toEqual({ url: "/chat?quiet=1" });
    const referer = "http://ares.test/chat?q=my%20diagnosis";
    expect(requestWithoutSecrets({ url: "/chat", headers: { referer } }).headers).toEqual({
      referer: "http://ares.test/chat?q=[redacted]",
    });
  });

  it("log a failed Auth0 sign-in without the flow's state the error carries", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pino({ redact: { paths: REDACTED_PATHS, censor: "[redacted]" } }, sink);
    // As arctic's OAuth2RequestError is: the provider's error words, and the state the redirect came back with.
    const error = Object.assign(new Error("access_denied"), { code: "access_denied", state: "st4te-S3cret" });
    log.warn({ err: error }, "Auth0 sign-in failed");
    expect(lines.join("")).not.toContain("st4te-S3cret");
    expect(lines.join("")).toContain("access_denied");
  });
});
