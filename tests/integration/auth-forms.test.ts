/**
 * The sign-up and sign-in forms over real HTTP, as a browser without JavaScript posts them: every bad
 * input gets a clear message on the form (status 400, never 500), the fields are kept, the password is not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserClient } from "../support/cookie-jar";
import { startServer, type ServerProcess, ensureBuild } from "../support/server-process";

const password = "correct horse battery staple";
let server: ServerProcess;

beforeAll(async () => {
  await ensureBuild();
  server = await startServer({
    DATABASE_URL: process.env.DATABASE_URL,
    NODE_ENV: "test",
    ARES_SKIP_MIGRATIONS: "true",
  });
}, 180_000);
afterAll(() => server?.stop());

const unique = () => `form-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.test`;

async function signUp(form: Record<string, string>) {
  const client = browserClient(server.url);
  const response = await client.post("/signup", form);
  return { client, response, html: response.status === 400 ? await response.text() : "" };
}

describe("sign-up form", () => {
  it("creates the account and sends the person to sign in with it", async () => {
    const email = unique();
    const { client, response } = await signUp({ email, password, name: "Grace", redirectTo: "/settings" });
    expect(response.status).toBe(302);
    // The address typed goes along, so the sign-in form starts with it.
    expect(response.headers.get("location")).toBe(
      `/login?reason=account_ready&email=${encodeURIComponent(email)}&redirectTo=%2Fsettings`,
    );
    expect(client.jar.get("__ares_session")).toBeUndefined();
    const page = await client.get(response.headers.get("location")!);
    const signInPage = await page.text();
    expect(signInPage).toContain("If this address is new, your account is ready — sign in.");
    expect(signInPage).toMatch(
      new RegExp(`<input[^>]*name="email"[^>]*value="${email}"|<input[^>]*value="${email}"[^>]*name="email"`),
    );
    const signIn = await client.post("/login", { email, password, redirectTo: "/settings" });
    expect(signIn.headers.get("location")).toBe("/settings");
    expect(await (await client.get("/")).text()).toContain("Grace");
  });

  it("the sign-in form takes only an email address from its link, not any words a link puts there", async () => {
    const client = browserClient(server.url);
    const planted = await (
      await client.get(`/login?email=${encodeURIComponent("Your account is locked, call us")}`)
    ).text();
    expect(planted).not.toContain("Your account is locked");
    const address = await (await client.get(`/login?email=${encodeURIComponent(" grace@example.test ")}`)).text();
    expect(address).toMatch(
      /<input[^>]*name="email"[^>]*value="grace@example.test"|<input[^>]*value="grace@example.test"[^>]*name="email"/,
    );
  });

  it("a short password is explained and the other fields are kept", async () => {
    const email = unique();
    const { response, html } = await signUp({ email, password: "short", name: "Grace Hopper" });
    expect(response.status).toBe(400);
    expect(html).toContain("Use at least 12 characters.");
    expect(html).toContain(`value="${email}"`);
    expect(html).toContain('value="Grace Hopper"');
    expect(html).not.toContain('value="short"');
    // "Already have an account? Sign in" carries the address typed to the sign-in form.
    expect(html).toContain(`href="/login?email=${encodeURIComponent(email)}"`);
  });

  it("a password easy to guess is refused with a reason; name and email are kept, the password is not", async () => {
    for (const weak of ["aaaaaaaaaaaa", "password1234", "qwertyuiop12"]) {
      const email = unique();
      const { response, html } = await signUp({ email, password: weak, name: "Grace Hopper" });
      expect(response.status).toBe(400);
      expect(html).toContain("That password is too easy to guess");
      expect(html).toContain(`value="${email}"`);
      expect(html).toContain('value="Grace Hopper"');
      // Not echoed anywhere in the page (a password box never carries a value, so that alone proves nothing).
      expect(html).not.toContain(weak);
      // No account was made with it.
      expect((await browserClient(server.url).post("/login", { email, password: weak })).status).toBe(400);
    }
  });

  it("a password made of my own email address is refused", async () => {
    const email = `gracehopper${Date.now().toString(36)}@example.test`;
    const { response, html } = await signUp({ email, password: `${email.split("@")[0]}1` });
    expect(response.status).toBe(400);
    expect(html).toContain("That password is too easy to guess");
  });

  it("a malformed email and missing fields are explained", async () => {
    const malformed = await signUp({ email: "not-an-email", password });
    expect(malformed.response.status).toBe(400);
    expect(malformed.html).toContain("Enter a valid email address");
    expect(malformed.html).toContain('value="not-an-email"');
    const missing = await signUp({});
    expect(missing.response.status).toBe(400);
    expect(missing.html).toContain("Enter your email address.");
    expect(missing.html).toContain("Choose a password.");
  });

  it("finding 6 (account enumeration): a taken email gets the same answer as a new one, and no session", async () => {
    const email = unique();
    const first = await signUp({ email, password });
    const again = await signUp({ email: email.toUpperCase(), password: "another long password" });
    expect(again.response.status).toBe(first.response.status);
    // The same address (only the email typed differs, and it is the one typed, whatever exists).
    expect(again.response.headers.get("location")).toBe(
      first.response.headers
        .get("location")!
        .replace(encodeURIComponent(email), encodeURIComponent(email.toUpperCase())),
    );
    expect(again.response.headers.get("location")).toBe(
      `/login?reason=account_ready&email=${encodeURIComponent(email.toUpperCase())}`,
    );
    expect(again.client.jar.get("__ares_session")).toBeUndefined();
    expect(first.client.jar.get("__ares_session")).toBeUndefined();
    // Only the owner's password opens the account: the second sign-up changed nothing.
    expect((await browserClient(server.url).post("/login", { email, password: "another long password" })).status).toBe(
      400,
    );
    expect((await browserClient(server.url).post("/login", { email, password })).status).toBe(302);
  });

  it("a bot that fills the hidden field is turned away", async () => {
    const { response, html } = await signUp({ email: unique(), password, website: "http://spam.example" });
    expect(response.status).toBe(400);
    expect(html).toContain("This form could not be submitted");
  });
});

describe("sign-in form", () => {
  it("signs in and returns to the page that asked for it, and only to this site", async () => {
    const email = unique();
    await signUp({ email, password });
    const client = browserClient(server.url);
    const response = await client.post("/login", { email, password, redirectTo: "/settings" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/settings");
    const offsite = await browserClient(server.url).post("/login", { email, password, redirectTo: "//evil.example/x" });
    expect(offsite.headers.get("location")).toBe("/");
  });

  it("a wrong password and an unknown email get the same message, keeping the email", async () => {
    const email = unique();
    await signUp({ email, password });
    const wrong = await browserClient(server.url).post("/login", { email, password: "not the right password" });
    const unknown = await browserClient(server.url).post("/login", { email: unique(), password });
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(html).toContain("Wrong email or password.");
      expect(html).not.toContain("not the right password");
    }
    expect(await (await browserClient(server.url).post("/login", { email, password: "x" })).text()).toContain(
      `value="${email}"`,
    );
  });

  it("missing fields are explained", async () => {
    const response = await browserClient(server.url).post("/login", {});
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Enter your email address.");
    expect(html).toContain("Enter your password.");
  });

  it("signing out ends the session: the old cookie no longer opens a page", async () => {
    const email = unique();
    await signUp({ email, password });
    const client = browserClient(server.url);
    await client.post("/login", { email, password });
    const stolenCookie = client.jar.header();
    const out = await client.post("/logout", {});
    expect(out.headers.get("location")).toBe("/login?reason=signed_out");
    const replay = await fetch(`${server.url}/settings`, { headers: { cookie: stolenCookie }, redirect: "manual" });
    expect(replay.status).toBe(302);
    expect(replay.headers.get("location")).toContain("reason=revoked");
  });
});
