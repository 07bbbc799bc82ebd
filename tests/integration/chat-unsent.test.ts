/**
 * A chat message posted once the session had ended (no JS): shown back on the 401 page, and kept for
 * the composer only for the person whose session it was — never for whoever signs in next on that browser.
 */
import { describe, expect, it } from "vitest";
import { MESSAGE_MAX } from "~/chat/schemas";
import { prisma } from "~/db/db.server";
import { PASSWORD, serverForThisFile, signedUp, type Client } from "../support/app-server";

const server = serverForThisFile({
  RATE_LIMIT_READ_PER_MINUTE: "0",
  RATE_LIMIT_WRITE_PER_MINUTE: "0",
  RATE_LIMIT_AUTH_PER_15_MINUTES: "0",
});

/** The marker of whose text this browser left (the text itself is kept in the database). */
const UNSENT = "__ares_kept_text";
const unique = (name: string) =>
  `${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.test`;

/** Ends every session of `email`, as signing out in another tab or an admin's revoke would. */
async function endSessions(email: string): Promise<void> {
  await prisma.session.updateMany({ where: { user: { email } }, data: { revokedAt: new Date() } });
}

/** The text in the composer's message box of the page the client gets at `path`. */
async function messageBox(client: Client, path: string): Promise<string> {
  const response = await client.get(path);
  expect(response.status).toBe(200);
  const html = await response.text();
  const box = /<textarea[^>]*name="message"[^>]*>([\s\S]*?)<\/textarea>/.exec(html);
  expect(box, "the page has a message box").not.toBeNull();
  return box![1]!;
}

const unsentCookieSet = (response: Response) =>
  response.headers.getSetCookie().some((cookie) => cookie.startsWith(`${UNSENT}=`) && !/max-age=0/i.test(cookie));

describe("a message sent after the session ended", () => {
  it("goes back into the box only for the person whose session it was, not whoever signs in next", async () => {
    const a = unique("unsent-a");
    const b = unique("unsent-b");
    const browser = await signedUp(server.url, a);
    await signedUp(server.url, b);
    const text = "A private note for later";

    await endSessions(a);
    const sent = await browser.post("/chat?index", { message: text });
    expect(sent.status).toBe(401);
    expect(browser.jar.get(UNSENT)).toBeDefined();
    // A walks away; B signs in on the same browser: A's text is not in B's box.
    expect((await browser.post("/login", { email: b, password: PASSWORD })).status).toBe(302);
    expect(await messageBox(browser, "/chat")).not.toContain(text);

    // B signs out: what was kept goes with them.
    await browser.post("/logout", {});
    await endSessions(b);

    // A's own session ends again, A signs back in: the text is back in A's box.
    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    await endSessions(a);
    expect((await browser.post("/chat?index", { message: text })).status).toBe(401);
    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    expect(await messageBox(browser, "/chat")).toContain(text);
    // Taken once.
    expect(await messageBox(browser, "/chat")).not.toContain(text);
  });

  it("signing out drops a kept message", async () => {
    const a = unique("unsent-logout");
    const browser = await signedUp(server.url, a);
    await endSessions(a);
    expect((await browser.post("/chat?index", { message: "kept until signing out" })).status).toBe(401);
    expect(browser.jar.get(UNSENT)).toBeDefined();
    // The ended session's sign-out (the header's button on a page opened before): the cookie goes too.
    const signedOut = await browser.post("/logout", {});
    expect(signedOut.status).toBe(302);
    expect(browser.jar.get(UNSENT)).toBeUndefined();
    expect(await prisma.keptComposerText.count({ where: { user: { email: a } } })).toBe(0);
    // And from a live session.
    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    await endSessions(a);
    expect((await browser.post("/chat?index", { message: "kept until signing out" })).status).toBe(401);
    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    await browser.post("/logout", {});
    expect(browser.jar.get(UNSENT)).toBeUndefined();
  });

  it("an edit is shown back to copy, not put into the Send box after signing in", async () => {
    const a = unique("unsent-edit");
    const browser = await signedUp(server.url, a);
    await endSessions(a);
    const response = await browser.post("/chat/x123", { intent: "edit", message: "my edited question" });
    expect(response.status).toBe(401);
    expect(unsentCookieSet(response)).toBe(false);
    const html = await response.text();
    expect(html).toContain("my edited question");
    expect(html).toContain("copy it first");
  });

  it("a message starting with a blank line keeps it on the 401 page", async () => {
    const a = unique("unsent-newline");
    const browser = await signedUp(server.url, a);
    await endSessions(a);
    const response = await browser.post("/chat?index", { message: "\nafter a blank line" });
    const html = await response.text();
    // The HTML parser drops one newline right after <textarea>: the text's own must follow it.
    expect(html).toMatch(/<textarea id="unsent-message"[^>]*>\n\nafter a blank line<\/textarea>/);
  });
});

describe("the signed-out post on the way through the middleware", () => {
  it("an API post with a message field is still a JSON 401", async () => {
    const response = await fetch(`${server.url}/api/v1/conversations`, {
      method: "POST",
      headers: { origin: server.url },
      body: new URLSearchParams({ message: "hello" }),
      redirect: "manual",
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(((await response.json()) as { code: string }).code).toBe("unauthenticated");
    expect(unsentCookieSet(response)).toBe(false);
  });

  it("markup in the message is shown as text, never stored, and kept only when the ended session's person is known", async () => {
    const attack = "</textarea><script>alert(1)</script>";
    const a = unique("unsent-xss");
    const browser = await signedUp(server.url, a);
    await endSessions(a);
    // On the new-chat page (a conversation that is not theirs, as /chat/x123, is only shown back).
    const known = await browser.post("/chat?index", { message: attack });
    expect(known.status).toBe(401);
    expect(known.headers.get("cache-control")).toBe("no-store");
    const html = await known.text();
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(unsentCookieSet(known)).toBe(true);

    // No session cookie at all, or one naming no session: shown back, not kept.
    for (const cookie of [undefined, "__ares_session=no-such-session.bad"]) {
      const anonymous = await fetch(`${server.url}/chat/x123`, {
        method: "POST",
        headers: { origin: server.url, ...(cookie ? { cookie } : {}) },
        body: new URLSearchParams({ message: attack }),
        redirect: "manual",
      });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("cache-control")).toBe("no-store");
      const page = await anonymous.text();
      expect(page).not.toContain("<script>");
      expect(page).toContain("&lt;/textarea&gt;");
      expect(page).toContain("copy it first");
      expect(unsentCookieSet(anonymous)).toBe(false);
    }
  });

  it("a long message is kept whole; one over the message limit is not, and the page says to copy it", async () => {
    const a = unique("unsent-long");
    const browser = await signedUp(server.url, a);
    await endSessions(a);
    // Far more than a cookie holds (3,000 CJK characters are 9 KB of UTF-8).
    const long = "字".repeat(3_000);
    expect((await browser.post("/chat?index", { message: long })).status).toBe(401);
    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    expect(await messageBox(browser, "/chat")).toBe(long);

    await endSessions(a);
    const tooLong = "word ".repeat(MESSAGE_MAX / 5) + "more";
    const response = await browser.post("/chat/x123", { message: tooLong });
    expect(response.status).toBe(401);
    expect(unsentCookieSet(response)).toBe(false);
    const html = await response.text();
    expect(html).toContain("copy it first");
    expect(html).toContain(tooLong);
  });

  it("a message holding a NUL is shown back with the reason, not kept for the box after signing in", async () => {
    const a = unique("unsent-nul");
    const browser = await signedUp(server.url, a);
    await endSessions(a);
    const response = await browser.post("/chat?index", { message: "before\0after" });
    expect(response.status).toBe(401);
    expect(unsentCookieSet(response)).toBe(false);
    const html = await response.text();
    expect(html).toContain("before\uFFFDafter");
    expect(html).toContain("NUL character");
    expect(html).not.toContain("will be back in the message box");
    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    expect(browser.jar.get(UNSENT)).toBeUndefined();
    expect(await messageBox(browser, "/chat")).not.toContain("before");
  });

  it("a cross-site post with a message is refused", async () => {
    const a = unique("unsent-cross");
    const browser = await signedUp(server.url, a);
    await endSessions(a);
    const response = await fetch(`${server.url}/chat/x123`, {
      method: "POST",
      headers: { origin: "https://evil.example", cookie: browser.jar.header() },
      body: new URLSearchParams({ message: "hello" }),
      redirect: "manual",
    });
    expect(response.status).toBe(403);
    expect(unsentCookieSet(response)).toBe(false);
  });

  it("another person's marker, copied or forged, shows nothing of theirs", async () => {
    const a = unique("unsent-tamper-a");
    const b = unique("unsent-tamper-b");
    const browser = await signedUp(server.url, a);
    const other = await signedUp(server.url, b);
    await endSessions(a);
    expect((await browser.post("/chat?index", { message: "the real text" })).status).toBe(401);
    const value = browser.jar.get(UNSENT)!;
    other.jar.set(UNSENT, value);
    expect(await messageBox(other, "/chat")).not.toContain("the real text");
    // Another person's id under the same signature.
    const forged = Buffer.from(JSON.stringify("x")).toString("base64");
    browser.jar.set(UNSENT, `${encodeURIComponent(forged)}.${value.split(".").pop()}`);
    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    expect(await messageBox(browser, "/chat")).not.toContain("the real text");
  });
});
