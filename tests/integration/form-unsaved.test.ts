/**
 * An event or a memory entry saved once the session had ended (no JS): its text is shown back on the 401
 * page and, for the person whose session it was, is in the form again once they have signed in (taken
 * once, gone with signing out) — never for whoever signs in next on that browser.
 */
import { describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { PASSWORD, serverForThisFile, signedUp, type Client } from "../support/app-server";
import { browserClient } from "../support/cookie-jar";

const server = serverForThisFile({
  RATE_LIMIT_READ_PER_MINUTE: "0",
  RATE_LIMIT_WRITE_PER_MINUTE: "0",
  RATE_LIMIT_AUTH_PER_15_MINUTES: "0",
});

const TYPED = "__ares_unsaved_form";
const unique = (name: string) =>
  `${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.test`;

async function endSessions(email: string): Promise<void> {
  await prisma.session.updateMany({ where: { user: { email } }, data: { revokedAt: new Date() } });
}

async function page(client: Client, path: string): Promise<string> {
  const response = await client.get(path);
  expect(response.status).toBe(200);
  return response.text();
}

const inputValue = (html: string, name: string, form = html) =>
  new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(form)?.[1] ??
  new RegExp(`<input[^>]*value="([^"]*)"[^>]*name="${name}"`).exec(form)?.[1] ??
  null;
const textareaValue = (html: string, name: string) =>
  new RegExp(`<textarea[^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html)?.[1]?.trim() ?? null;
const versionOf = (html: string) => /<input type="hidden" name="version" value="([^"]+)"\/>/.exec(html)?.[1];
/** The "Add a fact" form's markup. */
const addFactForm = (html: string) => /<form[^>]*aria-label="Add a fact"[\s\S]*?<\/form>/.exec(html)?.[0] ?? "";

const event = {
  title: "Dentist & the long name",
  location: "Harbour Street 12",
  description: "Bring the insurance card",
  startDate: "2026-03-04",
  startTime: "09:00",
  endDate: "2026-03-04",
  endTime: "10:00",
  timeZone: "UTC",
};

describe("a form saved after the session ended", () => {
  it("puts an event's text back into the new-event form after signing in, once", async () => {
    const a = unique("typed-event");
    const browser = await signedUp(server.url, a);
    await endSessions(a);
    const sent = await browser.post("/calendar/new", event);
    expect(sent.status).toBe(401);
    expect(await sent.text()).toContain("Sign in again and the text you typed will be back in the form");
    expect(browser.jar.get(TYPED)).toBeDefined();

    // Another page does not take it.
    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    expect(inputValue(await page(browser, "/memory"), "key", addFactForm(await page(browser, "/memory")))).toBeNull();
    const form = await page(browser, "/calendar/new");
    expect(inputValue(form, "title")).toBe("Dentist &amp; the long name");
    expect(inputValue(form, "location")).toBe(event.location);
    expect(textareaValue(form, "description")).toBe(event.description);
    expect(browser.jar.get(TYPED)).toBeUndefined();
    // Taken once.
    expect(inputValue(await page(browser, "/calendar/new"), "title")).not.toBe("Dentist &amp; the long name");
  });

  it("puts a fact back into the Add a fact form, for the person whose session it was only", async () => {
    const a = unique("typed-fact-a");
    const b = unique("typed-fact-b");
    const browser = await signedUp(server.url, a);
    await signedUp(server.url, b);
    const fact = { intent: "add-fact", kind: "professional", key: "employer", value: "Acme Ltd, since March" };

    await endSessions(a);
    expect((await browser.post("/memory", fact)).status).toBe(401);
    // B signs in on the same browser: A's text is not in B's form, and is gone.
    expect((await browser.post("/login", { email: b, password: PASSWORD })).status).toBe(302);
    expect(await page(browser, "/memory")).not.toContain(fact.value);
    expect(browser.jar.get(TYPED)).toBeUndefined();
    await browser.post("/logout", {});

    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    await endSessions(a);
    expect((await browser.post("/memory", fact)).status).toBe(401);
    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    const form = addFactForm(await page(browser, "/memory"));
    expect(inputValue(form, "key")).toBe(fact.key);
    expect(inputValue(form, "value")).toBe(fact.value);
    expect(form).toMatch(/<option value="professional" selected/);
  });

  it("text holding a NUL is shown back with the reason, not kept for the form after signing in", async () => {
    const a = unique("typed-nul");
    const browser = await signedUp(server.url, a);
    await endSessions(a);
    const sent = await browser.post("/calendar/new", { ...event, title: "Dentist\0now" });
    expect(sent.status).toBe(401);
    const html = await sent.text();
    expect(html).toContain("Dentist\uFFFDnow");
    expect(html).toContain("NUL character");
    expect(html).not.toContain("will be back in the form");
    expect(browser.jar.get(TYPED)).toBeUndefined();
    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    expect(await page(browser, "/calendar/new")).not.toContain("Dentist\uFFFDnow");
  });

  it("an edit's text comes back with the version it was typed against: a change made meanwhile is the 409, not overwritten", async () => {
    const a = unique("typed-edit");
    const browser = await signedUp(server.url, a);
    const created = await browser.post("/calendar/new", event);
    expect(created.status).toBe(302);
    const id = created.headers.get("location")!.split("/").at(-1)!.split("?")[0]!;
    const loaded = versionOf(await page(browser, `/calendar/events/${id}/edit`));
    expect(loaded).toBeTruthy();
    await endSessions(a);
    const typed = { ...event, title: "Typed while signed out", version: loaded! };
    expect((await browser.post(`/calendar/events/${id}/edit`, typed)).status).toBe(401);
    // Changed meanwhile on another device.
    const other = browserClient(server.url);
    expect((await other.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    const meanwhile = { ...event, title: "Changed meanwhile", version: loaded! };
    expect((await other.post(`/calendar/events/${id}/edit`, meanwhile)).status).toBe(302);

    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    const form = await page(browser, `/calendar/events/${id}/edit`);
    expect(inputValue(form, "title")).toBe("Typed while signed out");
    expect(versionOf(form)).toBe(loaded);
    const saved = await browser.post(`/calendar/events/${id}/edit`, { ...typed, version: versionOf(form)! });
    expect(saved.status).toBe(409);
    expect((await prisma.event.findUniqueOrThrow({ where: { id } })).title).toBe("Changed meanwhile");
  });

  it("an edit of one date of a repeating event comes back into that date's form only", async () => {
    const a = unique("typed-date");
    const browser = await signedUp(server.url, a);
    const weekly = { ...event, repeat: "WEEKLY", interval: "1", weekdays: "WE", ends: "never" };
    const created = await browser.post("/calendar/new", weekly);
    expect(created.status).toBe(302);
    const id = created.headers.get("location")!.split("/").at(-1)!.split("?")[0]!;
    const first = `/calendar/events/${id}/edit?occurrence=2026-03-04T09:00`;
    const second = `/calendar/events/${id}/edit?occurrence=2026-03-11T09:00`;
    const version = versionOf(await page(browser, first))!;
    await endSessions(a);
    const sent = await browser.post(first, { ...weekly, title: "Only the first date", scope: "this", version });
    expect(sent.status).toBe(401);
    expect(await sent.text()).toContain("Sign in again and the text you typed will be back in the form");
    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    expect(inputValue(await page(browser, second), "title")).not.toBe("Only the first date");
    expect(inputValue(await page(browser, first), "title")).toBe("Only the first date");
  });

  it("signing out drops what was kept, and text too long for a cookie is only shown", async () => {
    const a = unique("typed-logout");
    const browser = await signedUp(server.url, a);
    await endSessions(a);
    expect((await browser.post("/calendar/new", event)).status).toBe(401);
    expect(browser.jar.get(TYPED)).toBeDefined();
    await browser.post("/logout", {});
    expect(browser.jar.get(TYPED)).toBeUndefined();

    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    await endSessions(a);
    const long = "x".repeat(5_000);
    const sent = await browser.post("/calendar/new", { ...event, description: long });
    expect(sent.status).toBe(401);
    const html = await sent.text();
    expect(html).toContain(long);
    expect(html).toContain("Sign in again; here is what you typed:");
    expect(browser.jar.get(TYPED)).toBeUndefined();
  });

  it("a disabled account's text, or one from a session that ended over 15 minutes ago, is only shown back, never kept", async () => {
    const a = unique("typed-disabled");
    const browser = await signedUp(server.url, a);
    const fact = { intent: "add-fact", kind: "professional", key: "employer", value: "Typed while disabled" };
    await prisma.user.update({ where: { email: a }, data: { disabledAt: new Date() } });
    for (const [path, fields, typed] of [
      ["/calendar/new", { ...event, title: "Typed while disabled" }, "Typed while disabled"],
      ["/memory", fact, fact.value],
    ] as const) {
      const sent = await browser.post(path, fields);
      expect(sent.status).toBe(401);
      const html = await sent.text();
      expect(html).toContain(typed);
      expect(html).toContain("Sign in again; here is what you typed:");
      expect(browser.jar.get(TYPED)).toBeUndefined();
    }
    // Enabled again and signed in: nothing of it comes back.
    await prisma.user.update({ where: { email: a }, data: { disabledAt: null } });
    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    expect(inputValue(await page(browser, "/calendar/new"), "title")).not.toBe("Typed while disabled");
    expect(await page(browser, "/memory")).not.toContain(fact.value);

    await prisma.session.updateMany({
      where: { user: { email: a } },
      data: { revokedAt: new Date(Date.now() - 20 * 60 * 1000) },
    });
    const late = await browser.post("/calendar/new", { ...event, title: "Typed long after" });
    expect(late.status).toBe(401);
    expect(await late.text()).toContain("Sign in again; here is what you typed:");
    expect(browser.jar.get(TYPED)).toBeUndefined();
  });
});
