/**
 * One-time notices after a form's redirect ("Saved.", "Conversation deleted.") are said once: the
 * redirect carries them in a short-lived signed cookie, not in the address, so a reload, a bookmark or
 * a shared link does not say them again. As a browser without JavaScript sees it, over real HTTP.
 */
import { describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { serverForThisFile, signedUp } from "../support/app-server";

const server = serverForThisFile({ SESSION_SECRET: "one-time-notices-test-session-secret-0123456" });

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 6)}@example.test`;

describe("one-time notices", () => {
  it("a saved profile says so once: not in the address, and not again on reload", async () => {
    const client = await signedUp(server.url, unique("profile"));
    const saved = await client.post("/settings/profile", { name: "Ada", timeZone: "Europe/London" });
    expect(saved.status).toBe(302);
    expect(saved.headers.get("location")).toBe("/settings/profile");
    const first = await client.get("/settings/profile");
    expect(await first.text()).toContain("Your profile has been saved.");
    const reload = await client.get("/settings/profile");
    expect(await reload.text()).not.toContain("Your profile has been saved.");
  });

  it("a deleted conversation is announced once on /chat; another page's loader leaves the notice alone", async () => {
    const client = await signedUp(server.url, unique("chat"));
    const user = await prisma.user.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
    const conversation = await prisma.conversation.create({ data: { userId: user.id, title: "To delete" } });
    const deleted = await client.post(`/chat/${conversation.id}`, { intent: "delete" });
    expect(deleted.status).toBe(302);
    expect(deleted.headers.get("location")).toBe("/chat");
    // A prefetch or another tab asking for some other page does not take /chat's notice.
    expect(await (await client.get("/memory")).text()).not.toContain("Conversation deleted.");
    expect(await (await client.get("/chat")).text()).toContain("Conversation deleted.");
    expect(await (await client.get("/chat")).text()).not.toContain("Conversation deleted.");
  });

  it("the old query string says nothing, and a notice cookie not signed by ARES is not shown", async () => {
    const client = await signedUp(server.url, unique("forged"));
    expect(await (await client.get("/memory?saved=forgotten")).text()).not.toContain(
      "Everything ARES remembered about you is gone.",
    );
    const forged = Buffer.from(JSON.stringify({ page: "/memory", key: "forgotten", id: "x" })).toString("base64");
    client.jar.set("__ares_notice", encodeURIComponent(forged));
    const page = await client.get("/memory");
    expect(await page.text()).not.toContain("Everything ARES remembered about you is gone.");
    // ... and it is cleared.
    expect(client.jar.get("__ares_notice")).toBeUndefined();
  });

  it("the notice is rendered outside the live region, which starts empty (announced once JS fills it)", async () => {
    const client = await signedUp(server.url, unique("live"));
    await client.post("/memory", { intent: "add-preference", key: "tone", value: "brief" });
    const html = await (await client.get("/memory")).text();
    expect(html).toMatch(
      /<div role="status" class="notice-region" data-notice-region=""><\/div><p class="notice">Preference saved\.<\/p>/,
    );
  });

  it("a notice is only shown to the person it was for: another person signing in on the same browser does not see it", async () => {
    const first = await signedUp(server.url, unique("first"));
    expect((await first.post("/settings/profile", { name: "Ada", timeZone: "UTC" })).status).toBe(302);
    // The page load after the redirect never happened: the notice cookie is still in the browser.
    const pending = first.jar.get("__ares_notice");
    expect(pending).toBeDefined();

    const next = await signedUp(server.url, unique("next"));
    next.jar.set("__ares_notice", pending!);
    expect(await (await next.get("/settings/profile")).text()).not.toContain("Your profile has been saved.");
    // Someone else's notice is cleared, not kept for later.
    expect(next.jar.get("__ares_notice")).toBeUndefined();
  });

  it("signing out drops a notice not yet shown", async () => {
    const client = await signedUp(server.url, unique("signout"));
    expect((await client.post("/settings/profile", { name: "Ada", timeZone: "UTC" })).status).toBe(302);
    expect(client.jar.get("__ares_notice")).toBeDefined();
    expect((await client.post("/logout", {})).status).toBe(302);
    expect(client.jar.get("__ares_notice")).toBeUndefined();
  });

  it("the signed-out landing still says the account was deleted", async () => {
    const email = unique("deleted");
    const client = await signedUp(server.url, email);
    const deleted = await client.post("/settings/data", { confirmEmail: email });
    expect(deleted.status).toBe(302);
    expect(deleted.headers.get("location")).toBe("/");
    expect(await (await client.get("/")).text()).toContain("Your account and everything in it have been deleted.");
  });
});
