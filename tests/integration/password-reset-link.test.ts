/**
 * An admin's "Reset password" link over real HTTP, as a browser without JavaScript uses it: the admin gets a
 * one-time link (stored hashed, audited), the person sets a new password with it — judged as a chosen one is —
 * and every session of theirs ends; an expired, used or unknown link says so.
 */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { revokeMyOtherSessions } from "~/accounts/my-sessions.server";
import { createResetLink, resetPasswordWithLink } from "~/admin/password-reset.server";
import { authenticateWithPassword } from "~/auth/accounts.server";
import { prisma } from "~/db/db.server";
import { type Client, PASSWORD, serverForThisFile, signedUp } from "../support/app-server";
import { makeUser, origin } from "../support/accounts";
import { browserClient } from "../support/cookie-jar";
import { untilBlockedBy, whileRevocationHoldsAccount } from "../support/postgres";

const server = serverForThisFile({ SESSION_SECRET: "password-reset-link-test-secret-0123456789" });
const newPassword = "a whole new passphrase for spring";

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 6)}@example.test`;

let admin: Client;
let adminEmail: string;
beforeAll(async () => {
  adminEmail = unique("admin");
  admin = await signedUp(server.url, adminEmail);
}, 60_000);

/** The admin presses "Reset password" on the person's page: the link, as the page shows it. */
async function resetLinkFor(userId: string): Promise<string> {
  const posted = await admin.post(`/admin/users/${userId}`, { intent: "reset_password" });
  // Post/Redirect/Get: a reload of the page shows it, it does not post again.
  expect(posted.status).toBe(303);
  expect(posted.headers.get("location")).toBe(`/admin/users/${userId}`);
  const page = await admin.get(posted.headers.get("location")!);
  expect(page.status).toBe(200);
  const html = await page.text();
  const link = /<code class="reset-link">([^<]+)<\/code>/.exec(html)?.[1];
  if (!link) throw new Error("no link on the page");
  expect(html).toContain("It works once, until");
  // Shown once: reloaded, the page no longer has it (and made no other link).
  const links = await prisma.passwordResetLink.count({ where: { userId } });
  expect(await (await admin.get(`/admin/users/${userId}`)).text()).not.toContain(link);
  expect(await prisma.passwordResetLink.count({ where: { userId } })).toBe(links);
  return new URL(link).pathname;
}

const FORM = "/reset-password/new";

/**
 * The person opens the link: its token moves into a cookie for the form's page (never the address, the
 * history or a Referer), and the form is shown there. Returns the form's page and which link it is for.
 */
async function openLink(visitor: Client, path: string): Promise<{ html: string; link: string }> {
  const opened = await visitor.get(path);
  expect(opened.status).toBe(303);
  expect(opened.headers.get("location")).toBe(FORM);
  const form = await visitor.get(FORM);
  expect(form.status).toBe(200);
  const html = await form.text();
  const link = /name="link" value="([^"]+)"/.exec(html)?.[1];
  if (!link) throw new Error("no form on the page");
  return { html, link };
}

describe("a reset link made by an admin", () => {
  it("lets the person set a new password once, signing out every session of theirs; audited, stored hashed", async () => {
    const email = unique("forgetful");
    const person = await signedUp(server.url, email);
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    const path = await resetLinkFor(user.id);
    const token = path.split("/").at(-1)!;
    // Only the digest is kept.
    expect(await prisma.passwordResetLink.findMany({ where: { userId: user.id } })).toMatchObject([
      { tokenHash: createHash("sha256").update(token).digest("hex"), usedAt: null },
    ]);

    const visitor = browserClient(server.url);
    const form = await openLink(visitor, path);
    expect(form.html).toContain(email);
    const tokenCookie = visitor.jar.get("__ares_reset_token")!;

    // A weak password is explained, on the page, and nothing changes.
    const weak = await visitor.post(FORM, { newPassword: "password1234", link: form.link });
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain("That password is too easy to guess");
    expect((await person.get("/settings/profile")).status).toBe(200);

    const done = await visitor.post(FORM, { newPassword, link: form.link });
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toMatch(/^\/login\?reason=password_reset/);
    // Used, the token leaves the browser.
    expect(visitor.jar.get("__ares_reset_token")).toBeUndefined();
    expect(await (await visitor.get(done.headers.get("location")!)).text()).toContain("Your new password is set");
    // The person's old session ended; the new password signs in, the old one does not.
    expect((await person.get("/settings/profile")).status).toBe(302);
    expect((await authenticateWithPassword(email, newPassword)).ok).toBe(true);
    expect((await authenticateWithPassword(email, PASSWORD)).ok).toBe(false);

    // Used: the link says so, and refuses a second password.
    const again = await visitor.get(path);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("This link has already been used");
    const emptied = await visitor.get(FORM);
    expect(emptied.status).toBe(404);
    expect(await emptied.text()).toContain("Open the link your administrator gave you");
    // A copy of the cookie kept from before is no better.
    visitor.jar.set("__ares_reset_token", tokenCookie);
    const second = await visitor.post(FORM, { newPassword: "yet another passphrase of mine", link: form.link });
    expect(second.status).toBe(410);
    expect(await second.text()).toContain("This link has already been used");
    expect((await authenticateWithPassword(email, newPassword)).ok).toBe(true);

    const adminUser = await prisma.user.findUniqueOrThrow({ where: { email: adminEmail } });
    const link = await prisma.passwordResetLink.findFirstOrThrow({ where: { userId: user.id } });
    const audit = await prisma.auditEvent.findMany({
      where: { targetId: user.id, action: { in: ["password.reset_link", "password.reset"] } },
      orderBy: { createdAt: "asc" },
    });
    expect(audit).toMatchObject([
      { action: "password.reset_link", actorEmail: adminEmail, outcome: "success" },
      {
        action: "password.reset",
        actorId: user.id,
        outcome: "success",
        // Whose link it was.
        details: { via: "link", sessionsEnded: 1, linkCreatedById: adminUser.id, linkId: link.id },
      },
    ]);
  });

  it("expires after an hour, and a newer link replaces an older one; an unknown link says it does not work", async () => {
    const adminUser = await prisma.user.findUniqueOrThrow({ where: { email: adminEmail } });
    const person = await makeUser({ password: PASSWORD });
    const visitor = browserClient(server.url);

    const older = await resetLinkFor(person.id);
    const newer = await resetLinkFor(person.id);
    const replaced = await visitor.get(older);
    expect(replaced.status).toBe(404);
    expect(await replaced.text()).toContain("This link does not work");
    // Nothing is put in a cookie for a link that does not work.
    expect(replaced.headers.getSetCookie()).toEqual([]);

    // Opened, then it expires while its form is open: the post is refused and the page says why.
    const { link: shown } = await openLink(visitor, newer);
    await prisma.passwordResetLink.updateMany({
      where: { userId: person.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const refused = await visitor.post(FORM, { newPassword, link: shown });
    expect(refused.status).toBe(410);
    expect(await refused.text()).toContain("This link has expired");
    const expired = await visitor.get(newer);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("This link has expired");
    expect((await authenticateWithPassword(person.email, PASSWORD)).ok).toBe(true);

    const unknown = await visitor.get("/reset-password/not-a-token");
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("This link does not work");

    // Two posts of one link at the same moment: one sets its password, the other is told the link was used.
    const link = await createResetLink({ ...adminUser, timeZone: "UTC" }, person.id, origin);
    if (!link.ok) throw new Error("expected a link");
    const outcomes = await Promise.all([
      resetPasswordWithLink(link.token, "first racing passphrase here", origin),
      resetPasswordWithLink(link.token, "second racing passphrase here", origin),
    ]);
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([{ ok: false, reason: "used" }]);
  });

  it("stops working when the account's sign-ins are revoked (a password change, sign out everywhere else, disabling)", async () => {
    const adminUser = await prisma.user.findUniqueOrThrow({ where: { email: adminEmail } });
    const person = await makeUser({ password: PASSWORD });
    const link = await createResetLink({ ...adminUser, timeZone: "UTC" }, person.id, origin);
    if (!link.ok) throw new Error("expected a link");
    await revokeMyOtherSessions(person, "no-current-session", origin);
    expect(await resetPasswordWithLink(link.token, newPassword, origin)).toEqual({ ok: false, reason: "unknown" });
    // What its holder reads is true of it: not only "mistyped, or a newer link replaced it".
    const page = await browserClient(server.url).get(`/reset-password/${link.token}`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain("it may be mistyped, or it was replaced or cancelled since it was made");
    expect((await authenticateWithPassword(person.email, PASSWORD)).ok).toBe(true);
  });

  it("ended by a revocation between its look-up and its use, is refused as unknown (no 500)", async () => {
    const adminUser = await prisma.user.findUniqueOrThrow({ where: { email: adminEmail } });
    const person = await makeUser({ password: PASSWORD });
    const link = await createResetLink({ ...adminUser, timeZone: "UTC" }, person.id, origin);
    if (!link.ok) throw new Error("expected a link");
    // The token's look-up finds the link; a revocation then deletes the account's unused links. (The
    // delegate's own method, swapped and put back: Prisma's delegate drops a deleted or restored spy's.)
    const delegate = prisma.passwordResetLink;
    const findUnique = delegate.findUnique;
    let lookUps = 0;
    const revokedAfterLookUp = async (...args: Parameters<typeof findUnique>) => {
      const found: unknown = await findUnique(...args);
      if (++lookUps === 1) await prisma.passwordResetLink.deleteMany({ where: { userId: person.id, usedAt: null } });
      return found;
    };
    const put = (method: unknown) =>
      Object.defineProperty(delegate, "findUnique", {
        value: method,
        writable: true,
        configurable: true,
        enumerable: true,
      });
    put(revokedAfterLookUp);
    try {
      expect(await resetPasswordWithLink(link.token, newPassword, origin)).toEqual({ ok: false, reason: "unknown" });
      expect(lookUps).toBeGreaterThan(0);
    } finally {
      put(findUnique);
    }
    expect((await authenticateWithPassword(person.email, PASSWORD)).ok).toBe(true);
  });

  it("used while a revocation holds the account waits for it, and is refused (no deadlock, no 500)", async () => {
    const adminUser = await prisma.user.findUniqueOrThrow({ where: { email: adminEmail } });
    const person = await makeUser({ password: PASSWORD });
    const link = await createResetLink({ ...adminUser, timeZone: "UTC" }, person.id, origin);
    if (!link.ok) throw new Error("expected a link");
    // A revocation as revokeSignIns makes it, held open: the account's row first, the unused links after.
    await whileRevocationHoldsAccount(person.id, async (revocation) => {
      const using = resetPasswordWithLink(link.token, newPassword, origin);
      // The reset has taken whatever it takes before it waits for the account's row.
      await untilBlockedBy(revocation);
      await revocation.query(`DELETE FROM "PasswordResetLink" WHERE "userId" = $1 AND "usedAt" IS NULL`, [person.id]);
      await revocation.query("COMMIT");
      expect(await using).toEqual({ ok: false, reason: "unknown" });
    });
    expect((await authenticateWithPassword(person.email, PASSWORD)).ok).toBe(true);
  });

  it("never writes its token to a log line: neither its address nor the Referer of the requests after it", async () => {
    const person = await makeUser({ password: PASSWORD });
    const path = await resetLinkFor(person.id);
    const token = path.split("/").at(-1)!;
    const logged = server.process.logs.length;
    const visitor = browserClient(server.url);
    const referer = { headers: { referer: new URL(path, server.url).href } };
    expect((await visitor.get(path, referer)).status).toBe(303);
    expect((await visitor.get(FORM, referer)).status).toBe(200);
    expect((await visitor.post(FORM, { newPassword: "x" }, referer)).status).toBe(400);
    expect((await visitor.get("/login", referer)).status).toBe(200);
    // The access log line is written when the answer is finished: wait for the last request's.
    await expect
      .poll(() => server.process.logs.slice(logged).filter((line) => JSON.stringify(line).includes("/login")).length)
      .toBeGreaterThan(0);
    const lines = server.process.logs.slice(logged).map((line) => JSON.stringify(line));
    expect(lines.filter((line) => line.includes("/reset-password/[redacted]")).length).toBeGreaterThan(0);
    // The form's own address carries no token: it is logged as it is.
    expect(lines.filter((line) => line.includes('"/reset-password/new"')).length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.includes(token))).toEqual([]);
    // Nor the cookie it moved into (sent with every request after the first, set by the first).
    const cookieValue = visitor.jar.get("__ares_reset_token")!;
    expect(cookieValue).toBeTruthy();
    expect(lines.filter((line) => line.includes("__ares_reset_token=") || line.includes(cookieValue))).toEqual([]);
  });

  it("is not made by an admin for their own account (Settings → Password is); for another admin's, the audit says so", async () => {
    const adminUser = await prisma.user.findUniqueOrThrow({ where: { email: adminEmail } });
    // Their own page offers no "Reset password" (it points to Settings); a hand-made post is refused.
    const ownPage = await (await admin.get(`/admin/users/${adminUser.id}`)).text();
    expect(ownPage).not.toContain('value="reset_password"');
    expect(ownPage).toContain("Your own password is changed in Settings → Password");
    const own = await admin.post(`/admin/users/${adminUser.id}`, { intent: "reset_password" });
    expect(own.status).toBe(400);
    expect(await own.text()).toContain("Your own password is changed in Settings → Password");
    expect(await prisma.passwordResetLink.count({ where: { userId: adminUser.id } })).toBe(0);

    const otherAdmin = await makeUser({ role: "admin", password: PASSWORD });
    await resetLinkFor(otherAdmin.id);
    const [made] = await prisma.auditEvent.findMany({
      where: { targetId: otherAdmin.id, action: "password.reset_link" },
    });
    expect(made).toMatchObject({ actorId: adminUser.id, details: { targetRole: "admin" } });
  });

  it("used in a browser signed in as someone else, says the password is set there (the sign-in page would not)", async () => {
    const person = await makeUser({ password: PASSWORD });
    const path = await resetLinkFor(person.id);
    // The admin tries the link in their own browser.
    const { link } = await openLink(admin, path);
    const done = await admin.post(FORM, { newPassword, link });
    // Post/Redirect/Get: the confirmation is a page of its own (a reload posts nothing), and not a 410.
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(FORM);
    const confirmation = await admin.get(FORM);
    expect(confirmation.status).toBe(200);
    const html = await confirmation.text();
    expect(html).toContain(`The new password of <strong>${person.email}</strong> is set`);
    expect(html).toContain(`This browser is still signed in as <strong>${adminEmail}</strong>`);
    expect((await authenticateWithPassword(person.email, newPassword)).ok).toBe(true);
    expect((await admin.get("/settings/profile")).status).toBe(200);
    // Shown once: reloaded, the page has no link and no token is left in the browser.
    expect(admin.jar.get("__ares_reset_token")).toBeUndefined();
    expect((await admin.get(FORM)).status).toBe(404);
  });

  it("moves its token out of the address into a short-lived cookie for the form's page only, kept off other sites' Referer", async () => {
    const person = await makeUser({ password: PASSWORD });
    const path = await resetLinkFor(person.id);
    const token = path.split("/").at(-1)!;
    // Ten minutes left of its hour: the cookie lives as long as the link does, no longer.
    await prisma.passwordResetLink.updateMany({
      where: { userId: person.id },
      data: { expiresAt: new Date(Date.now() + 10 * 60 * 1000) },
    });
    const visitor = browserClient(server.url);
    const opened = await visitor.get(path);
    expect(opened.status).toBe(303);
    expect(opened.headers.get("location")).toBe(FORM);
    expect(opened.headers.get("cache-control")).toBe("no-store");
    const [cookie, ...others] = opened.headers.getSetCookie();
    expect(others).toEqual([]);
    expect(cookie).toMatch(/^__ares_reset_token=/);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\/reset-password(;|$)/);
    const maxAge = Number(/Max-Age=(\d+)/i.exec(cookie!)?.[1]);
    expect(maxAge).toBeGreaterThan(590);
    expect(maxAge).toBeLessThanOrEqual(600);
    // Neither the form's address nor its page holds the token; another site gets the origin at most.
    const form = await visitor.get(FORM);
    expect(form.status).toBe(200);
    expect(await form.text()).not.toContain(token);
    // Whose form it is stays out of every cache (and the back button brings no used form back from one).
    expect(form.headers.get("cache-control")).toBe("private, no-store");
    // The link's own address takes no post: only the form's does.
    const posted = await visitor.post(path, { newPassword: "a whole new passphrase for autumn" });
    expect(posted.status).toBe(405);
    expect(posted.headers.get("allow")).toBe("GET, HEAD");
    for (const answer of [opened, form]) {
      expect(answer.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    }
    // Without the cookie (another browser, or its hour over) the form's page has no link to offer.
    const stranger = await browserClient(server.url).get(FORM);
    expect(stranger.status).toBe(404);
    expect(stranger.headers.get("cache-control")).toBe("private, no-store");
    expect(await stranger.text()).toContain("Open the link your administrator gave you");
  });

  it("opened in two tabs of one browser, the later link wins, and a form of the earlier one says so and sets nothing", async () => {
    const first = await makeUser({ password: PASSWORD });
    const second = await makeUser({ password: PASSWORD });
    const firstPath = await resetLinkFor(first.id);
    const secondPath = await resetLinkFor(second.id);
    const browser = browserClient(server.url);
    const firstTab = await openLink(browser, firstPath);
    const secondTab = await openLink(browser, secondPath);
    expect(firstTab.html).toContain(first.email);

    /** The earlier tab's form posted: refused, and the page offers no form until the person chooses to go on. */
    const refusedAsSwitched = async (fields: Record<string, string>) => {
      const answer = await browser.post(FORM, { link: firstTab.link, ...fields });
      expect(answer.status).toBe(409);
      const html = await answer.text();
      expect(html).toContain("Another link to set a password was opened in this browser since this page was shown");
      expect(html).toContain(`Nothing was set. This page is now for <strong>${second.email}</strong>`);
      expect(html).toContain(`Continue for ${second.email}</a>`);
      // No form of the later link (its id, a password field) stands ready for the next thing typed.
      expect(html).not.toContain(`value="${secondTab.link}"`);
      expect(html).not.toContain('name="newPassword"');
      expect(answer.headers.get("cache-control")).toBe("private, no-store");
    };
    // Whatever else is wrong with the post (too short, a NUL in it), and a good one too.
    await refusedAsSwitched({ newPassword: "short" });
    await refusedAsSwitched({ newPassword: "a passphrase with a \u0000 in it" });
    await refusedAsSwitched({ newPassword });
    expect((await authenticateWithPassword(first.email, PASSWORD)).ok).toBe(true);
    expect((await authenticateWithPassword(second.email, PASSWORD)).ok).toBe(true);
    expect(
      await prisma.passwordResetLink.count({ where: { userId: { in: [first.id, second.id] }, usedAt: { not: null } } }),
    ).toBe(0);

    // "Continue for …" (a plain GET): the later link's form, saying whose.
    const continued = await browser.get(FORM);
    expect(continued.status).toBe(200);
    const html = await continued.text();
    expect(html).toContain(`For <strong>${second.email}</strong>`);
    expect(html).toContain(`value="${secondTab.link}"`);
    expect((await browser.post(FORM, { newPassword, link: secondTab.link })).status).toBe(302);
    expect((await authenticateWithPassword(second.email, newPassword)).ok).toBe(true);
    expect((await authenticateWithPassword(first.email, PASSWORD)).ok).toBe(true);
  });

  it("is made only by an admin", async () => {
    const someone = await signedUp(server.url, unique("someone"));
    const target = await makeUser();
    const refused = await someone.post(`/admin/users/${target.id}`, { intent: "reset_password" });
    expect(refused.status).toBe(403);
    expect(await prisma.passwordResetLink.count({ where: { userId: target.id } })).toBe(0);
  });
});
