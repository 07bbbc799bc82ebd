/**
 * With LOCAL_LOGIN=false a password signs no one in: a reset link (made before the switch) opens no form.
 */
import { describe, expect, it } from "vitest";
import { createResetLink } from "~/admin/password-reset.server";
import { prisma } from "~/db/db.server";
import { serverForThisFile } from "../support/app-server";
import { makeUser, origin } from "../support/accounts";
import { browserClient } from "../support/cookie-jar";

const server = serverForThisFile({
  LOCAL_LOGIN: "false",
  AUTH0_DOMAIN: "idp.example.test",
  AUTH0_CLIENT_ID: "client",
  AUTH0_CLIENT_SECRET: "client-secret-for-the-test-0123456789",
});

describe("password resets with LOCAL_LOGIN=false", () => {
  it("a link made before the switch opens no form and sets nothing", async () => {
    const admin = await makeUser({ role: "admin" });
    const person = await makeUser();
    const link = await createResetLink(admin, person.id, origin);
    if (!link.ok) throw new Error("expected a link");
    const form = await browserClient(server.url).get(`/reset-password/${link.token}`);
    expect(form.status).toBe(404);
    expect(await form.text()).toContain("Password sign-in is turned off on this server");
    const refused = await browserClient(server.url).post(`/reset-password/${link.token}`, {
      newPassword: "a whole new passphrase for spring",
    });
    expect(refused.status).toBe(404);
    expect(await prisma.passwordResetLink.count({ where: { userId: person.id, usedAt: { not: null } } })).toBe(0);
  });
});
