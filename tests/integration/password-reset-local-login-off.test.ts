/**
 * With LOCAL_LOGIN=false a password signs no one in: a reset link (made before the switch) opens no form,
 * and an admin's user page offers no "Reset password".
 */
import { createCookie } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { createResetLink } from "~/admin/password-reset.server";
import { prisma } from "~/db/db.server";
import { SESSION_COOKIE_NAME } from "~/sessions/cookie.server";
import { serverForThisFile } from "../support/app-server";
import { makeSession, makeUser, origin } from "../support/accounts";
import { browserClient } from "../support/cookie-jar";

const SESSION_SECRET = "password-reset-local-login-off-secret-0123456789";
const server = serverForThisFile({
  LOCAL_LOGIN: "false",
  AUTH0_DOMAIN: "idp.example.test",
  AUTH0_CLIENT_ID: "client",
  AUTH0_CLIENT_SECRET: "client-secret-for-the-test-0123456789",
  SESSION_SECRET,
});

describe("password resets with LOCAL_LOGIN=false", () => {
  it("a link made before the switch opens no form and sets nothing", async () => {
    const admin = await makeUser({ role: "admin" });
    const person = await makeUser();
    const link = await createResetLink(admin, person.id, origin);
    if (!link.ok) throw new Error("expected a link");
    const visitor = browserClient(server.url);
    const form = await visitor.get(`/reset-password/${link.token}`);
    expect(form.status).toBe(404);
    expect(await form.text()).toContain("Password sign-in is turned off on this server");
    // No token moved into a cookie either.
    expect(form.headers.getSetCookie()).toEqual([]);
    const page = await visitor.get("/reset-password/new");
    expect(page.status).toBe(404);
    expect(await page.text()).toContain("Password sign-in is turned off on this server");
    // A browser that opened the link before the switch still holds its token, signed as the server signs it.
    const { id: linkId } = await prisma.passwordResetLink.findFirstOrThrow({ where: { userId: person.id } });
    const held = await createCookie("__ares_reset_token", { secrets: [SESSION_SECRET] }).serialize({
      token: link.token,
    });
    visitor.jar.set("__ares_reset_token", held.split(";")[0]!.split("=").slice(1).join("="));
    const heldPage = await visitor.get("/reset-password/new");
    expect(heldPage.status).toBe(404);
    expect(await heldPage.text()).toContain("Password sign-in is turned off on this server");
    const refused = await visitor.post("/reset-password/new", {
      newPassword: "a whole new passphrase for spring",
      link: linkId,
    });
    expect(refused.status).toBe(404);
    expect(await refused.text()).toContain("Password sign-in is turned off on this server");
    expect(await prisma.passwordResetLink.count({ where: { userId: person.id, usedAt: { not: null } } })).toBe(0);
    expect(await prisma.passwordResetLink.count({ where: { userId: person.id, usedAt: null } })).toBe(1);
  });

  it("an admin's user page offers no 'Reset password', says why, and refuses a hand-made post", async () => {
    const admin = await makeUser({ role: "admin" });
    const person = await makeUser();
    // Signed in as Auth0 would sign them in: a session of the admin, in the server's signed cookie.
    const sessionId = await makeSession(admin.id);
    const client = browserClient(server.url);
    const signed = await createCookie(SESSION_COOKIE_NAME, { secrets: [SESSION_SECRET] }).serialize(sessionId);
    client.jar.set(SESSION_COOKIE_NAME, signed.split(";")[0]!.split("=").slice(1).join("="));

    const page = await client.get(`/admin/users/${person.id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("there is no password to reset");
    expect(html).not.toContain('value="reset_password"');
    expect(html).not.toContain("Reset password</button>");

    const posted = await client.post(`/admin/users/${person.id}`, { intent: "reset_password" });
    expect(posted.status).toBe(400);
    expect(await posted.text()).toContain("there is no password to reset");
    expect(await prisma.passwordResetLink.count({ where: { userId: person.id } })).toBe(0);
  });
});
