/**
 * The settings and admin pages over real HTTP, as a browser without JavaScript uses them: forms post and
 * redirect, bad input gets a message (400, never 500) with what was typed kept, non-admins get 403.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { type Client, PASSWORD as password, serverForThisFile, signedUp } from "../support/app-server";
import { browserClient } from "../support/cookie-jar";

// A fixed secret rather than test mode's throwaway one.
const server = serverForThisFile({ SESSION_SECRET: "account-pages-test-session-secret-0123456789" });

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 6)}@example.test`;

const signUp = (email = unique("person"), name = "Test Person"): Promise<Client> =>
  signedUp(server.url, email, { name });

async function signIn(email: string, userAgent?: string): Promise<Client> {
  const client = browserClient(server.url);
  const response = await client.post(
    "/login",
    { email, password },
    userAgent ? { headers: { "user-agent": userAgent } } : {},
  );
  expect(response.status).toBe(302);
  return client;
}

const html = async (response: Response) => response.text();

// The first account on this file's fresh database becomes the admin.
let adminEmail: string;
let admin: Client;
beforeAll(async () => {
  adminEmail = unique("admin");
  admin = await signUp(adminEmail, "The Admin");
}, 60_000);

describe("settings", () => {
  it("a page records its session's last use once it has answered", async () => {
    const email = unique("seen");
    const client = await signUp(email);
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    const lastWeek = new Date(Date.now() - 7 * 24 * 60 * 60_000);
    await prisma.session.updateMany({ where: { userId: user.id }, data: { lastSeenAt: lastWeek } });
    expect((await client.get("/settings/profile")).status).toBe(200);
    // Written when the response closes (session middleware), not before the page: wait for it.
    const deadline = Date.now() + 10_000;
    let seen = lastWeek;
    while (seen <= lastWeek && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = (await prisma.session.findFirstOrThrow({ where: { userId: user.id, revokedAt: null } })).lastSeenAt;
    }
    expect(seen.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("/settings leads to the profile", async () => {
    const response = await admin.get("/settings");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/settings/profile");
  });

  it("saves the profile and says so; a bad time zone is explained and the name kept", async () => {
    const email = unique("profile");
    const client = await signUp(email);
    const bad = await client.post("/settings/profile", { name: "Ada Lovelace", timeZone: "Mars/Base" });
    expect(bad.status).toBe(400);
    const badPage = await html(bad);
    expect(badPage).toContain("Choose a time zone from the list");
    expect(badPage).toContain('value="Ada Lovelace"');

    const good = await client.post("/settings/profile", { name: "Ada Lovelace", timeZone: "Europe/London" });
    expect(good.status).toBe(302);
    expect(good.headers.get("location")).toBe("/settings/profile");
    const page = await html(await client.get("/settings/profile"));
    expect(page).toContain("Your profile has been saved.");
    expect(page).toMatch(/<option value="Europe\/London" selected/);
  });

  it("saves a current IANA zone name (Asia/Kolkata) and shows an older stored name (Asia/Calcutta) as that entry", async () => {
    // The check took only Intl.supportedValuesOf's CLDR names: Asia/Kolkata and Europe/Kyiv got a 400.
    const email = unique("kolkata");
    const client = await signUp(email);
    for (const timeZone of ["Asia/Kolkata", "Europe/Kyiv"]) {
      const saved = await client.post("/settings/profile", { name: "Ada", timeZone });
      expect(saved.status).toBe(302);
      expect((await prisma.user.findUniqueOrThrow({ where: { email }, select: { timeZone: true } })).timeZone).toBe(
        timeZone,
      );
    }
    const page = await html(await client.get("/settings/profile"));
    expect(page).toMatch(/<option value="Europe\/Kyiv" selected/);
    expect(page).toContain('<option value="Asia/Kolkata">');
    expect(page).not.toContain('value="Asia/Calcutta"');
    // A zone stored under its older name keeps working and is the picker's Asia/Kolkata, selected.
    await prisma.user.update({ where: { email }, data: { timeZone: "Asia/Calcutta" } });
    expect(await html(await client.get("/settings/profile"))).toMatch(/<option value="Asia\/Kolkata" selected/);
    // Saving that form unchanged is no move to another zone: the stored name and the last move stay.
    const before = await prisma.user.findUniqueOrThrow({
      where: { email },
      select: { timeZone: true, previousTimeZone: true, timeZoneChangedAt: true },
    });
    expect((await client.post("/settings/profile", { name: "Ada L", timeZone: "Asia/Kolkata" })).status).toBe(302);
    expect(
      await prisma.user.findUniqueOrThrow({
        where: { email },
        select: { timeZone: true, previousTimeZone: true, timeZoneChangedAt: true },
      }),
    ).toEqual(before);
    expect(before.timeZone).toBe("Asia/Calcutta");
  });

  it("a wrong current password is explained; the right one changes it and signs out the other sessions", async () => {
    const email = unique("password");
    const client = await signUp(email);
    const elsewhere = await signIn(email);
    const wrong = await client.post("/settings/password", {
      currentPassword: "not it at all",
      newPassword: "a whole new passphrase",
    });
    expect(wrong.status).toBe(400);
    const wrongPage = await html(wrong);
    expect(wrongPage).toContain("That is not your current password.");
    expect(wrongPage).not.toContain("a whole new passphrase");
    const short = await client.post("/settings/password", { currentPassword: password, newPassword: "short" });
    expect(short.status).toBe(400);
    expect(await html(short)).toContain("Use at least 12 characters.");

    // Keeping the current password, or a trivial one, is refused and changes nothing.
    const same = await client.post("/settings/password", { currentPassword: password, newPassword: password });
    expect(same.status).toBe(400);
    const samePage = await html(same);
    expect(samePage).toContain("Choose a password different from your current one.");
    expect(samePage).not.toContain(password);
    const weak = await client.post("/settings/password", { currentPassword: password, newPassword: "aaaaaaaaaaaa" });
    expect(weak.status).toBe(400);
    expect(await html(weak)).toContain("That password is too easy to guess");
    expect((await elsewhere.get("/settings/password")).status).toBe(200);

    const ok = await client.post("/settings/password", {
      currentPassword: password,
      newPassword: "a whole new passphrase",
    });
    expect(ok.status).toBe(302);
    expect(await html(await client.get(ok.headers.get("location")!))).toContain("1 other session was signed out.");
    const kicked = await elsewhere.get("/settings");
    expect(kicked.headers.get("location")).toMatch(/^\/login\?.*reason=revoked/);
  });

  it("lists my sessions, revokes the other one, and that browser is sent to sign in", async () => {
    const email = unique("sessions");
    const here = await signUp(email);
    const phone = await signIn(
      email,
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    );
    const page = await html(await here.get("/settings/sessions"));
    expect(page).toContain("This device");
    expect(page).toContain("Mobile Safari 17");
    const ids = [...page.matchAll(/name="sessionId" value="([^"]+)"/g)].map((match) => match[1]!);
    expect(ids).toHaveLength(1);

    const revoked = await here.post("/settings/sessions", { intent: "revoke", sessionId: ids[0]! });
    expect(revoked.status).toBe(302);
    expect(await html(await here.get(revoked.headers.get("location")!))).toContain("The session has been signed out.");
    const next = await phone.get("/settings/sessions");
    expect(next.status).toBe(302);
    expect(next.headers.get("location")).toMatch(/^\/login\?.*reason=revoked/);

    const nonsense = await here.post("/settings/sessions", { intent: "explode" });
    expect(nonsense.status).toBe(400);
    expect(await html(nonsense)).toContain("That request was not understood");
    const gone = await here.post("/settings/sessions", { intent: "revoke", sessionId: ids[0]! });
    expect(gone.status).toBe(400);
    expect(await html(gone)).toContain("That session has already ended.");
  });

  it("downloads my data as a JSON attachment", async () => {
    const email = unique("export");
    const client = await signUp(email);
    const response = await client.get("/settings/data/export");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="ares-data-/);
    const body = (await response.json()) as { profile: { email: string }; auditEvents: Array<{ action: string }> };
    expect(body.profile.email).toBe(email);
    expect(body.auditEvents.map((event) => event.action)).toContain("signup");
  });

  it("deletes my account only with my email typed, then signs me out", async () => {
    const email = unique("delete");
    const client = await signUp(email);
    const wrong = await client.post("/settings/data", { confirmEmail: "nope@example.test" });
    expect(wrong.status).toBe(400);
    const wrongPage = await html(wrong);
    // It asks for the address, not for it "exactly": capitals and spaces around it are accepted below.
    expect(wrongPage).toContain(`Type ${email} to confirm.`);
    expect(wrongPage).not.toContain("exactly");
    expect(wrongPage).toContain('value="nope@example.test"');

    const done = await client.post("/settings/data", { confirmEmail: ` ${email.toUpperCase()} ` });
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe("/");
    expect(client.jar.get("__ares_session")).toBeUndefined();
    expect(await prisma.user.count({ where: { email } })).toBe(0);
  });

  it("the assistant settings read a decimal comma as a decimal point (0,7 was refused), and a thousands comma is explained", async () => {
    const email = unique("decimal");
    const client = await signUp(email);
    const saved = await client.post("/settings/assistant", { intent: "save", temperature: " 0,7 ", topP: "0,95" });
    expect(saved.status).toBe(302);
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    expect(await prisma.chatSettings.findUniqueOrThrow({ where: { userId: user.id } })).toMatchObject({
      temperature: 0.7,
      topP: 0.95,
    });
    const refused = await client.post("/settings/assistant", {
      intent: "save",
      temperature: "0,7",
      maxTokens: "2,000",
    });
    expect(refused.status).toBe(400);
    const page = await html(refused);
    expect(page).toContain("Write 2000 (no thousands separator).");
    expect(page).toMatch(/<input[^>]*name="maxTokens"[^>]*value="2,000"/);
    expect(page).toMatch(/<input[^>]*name="temperature"[^>]*value="0,7"/);
    expect((await prisma.chatSettings.findUniqueOrThrow({ where: { userId: user.id } })).maxTokens).toBeNull();
  });

  it("the only admin cannot delete their account", async () => {
    const response = await admin.post("/settings/data", { confirmEmail: adminEmail });
    expect(response.status).toBe(400);
    expect(await html(response)).toContain("You are the only administrator.");
  });
});

describe("form limits in the page", () => {
  /** The attributes of the one input or textarea named `name` in `page`. */
  function field(page: string, name: string): Record<string, string> {
    const tag = new RegExp(`<(?:input|textarea)\\b[^>]*\\bname="${name}"[^>]*>`).exec(page)?.[0];
    expect(tag, `no field named ${name}`).toBeDefined();
    return Object.fromEntries(
      [...tag!.matchAll(/([\w-]+)="([^"]*)"/g)].map(([, key, value]) => [key!.toLowerCase(), value!]),
    );
  }

  it("every account form's fields carry the schema's limits (Conform's zod 4 reading dropped minlength/maxlength/min/max)", async () => {
    const anonymous = browserClient(server.url);
    const signup = await html(await anonymous.get("/signup"));
    expect(field(signup, "password")).toMatchObject({ minlength: "12", maxlength: "256" });
    expect(field(signup, "email")).toMatchObject({ maxlength: "254" });
    expect(field(signup, "name")).toMatchObject({ maxlength: "100" });
    const login = await html(await anonymous.get("/login"));
    expect(field(login, "password")).toMatchObject({ maxlength: "256" });
    expect(field(login, "email")).toMatchObject({ maxlength: "254" });
    const profile = await html(await admin.get("/settings/profile"));
    expect(field(profile, "name")).toMatchObject({ maxlength: "100" });
    const passwordPage = await html(await admin.get("/settings/password"));
    expect(field(passwordPage, "newPassword")).toMatchObject({ minlength: "12", maxlength: "256" });
    expect(field(passwordPage, "currentPassword")).toMatchObject({ maxlength: "256" });
    const data = await html(await admin.get("/settings/data"));
    expect(field(data, "confirmEmail")).toMatchObject({ maxlength: "254" });
    const assistant = await html(await admin.get("/settings/assistant"));
    expect(field(assistant, "systemPrompt")).toMatchObject({ maxlength: "8000" });
    // A decimal is typed into text ("0,7" too: a number field dropped the comma), its range in the label.
    expect(field(assistant, "temperature")).toMatchObject({ type: "text", inputmode: "decimal" });
    expect(field(assistant, "temperature")).not.toHaveProperty("min");
    // So is a whole number ("1,000" in a number field reached the server as ""), with the number keypad.
    expect(field(assistant, "maxTokens")).toMatchObject({ type: "text", inputmode: "numeric" });
    expect(field(assistant, "maxTokens")).not.toHaveProperty("min");
  });
});

describe("admin", () => {
  it("non-admins get 403 on every admin page and action", async () => {
    const person = await signUp(unique("plain"));
    for (const page of ["/admin", "/admin/users", "/admin/audit", "/admin/audit.csv", "/admin/users/x"]) {
      expect((await person.get(page)).status, page).toBe(403);
    }
    expect((await person.post("/admin/users?index", { intent: "role", userId: "x", role: "admin" })).status).toBe(403);
    const forbidden = await html(await person.get("/admin/users"));
    const heading = /<h1 id="error-title">([^<]*)<\/h1>/;
    expect(forbidden.match(heading)?.[1]).toBe("Not allowed");
    expect(forbidden).toContain("Your account does not have access to this page.");
    // The addresses without a page of their own (/admin leads on to the users; the CSV is a file) are
    // answered by the server's error page: it was headed "Forbidden", and said only that.
    for (const address of ["/admin", "/admin/audit.csv"]) {
      const refused = await html(await person.get(address));
      expect(refused.match(heading)?.[1], address).toBe("Not allowed");
      expect(refused, address).toContain("<title>Not allowed · ARES</title>");
      expect(refused, address).toContain("Your account does not have access to this page.");
    }
  });

  it("searches, changes a role, and the audit log (and its CSV) shows the change", async () => {
    const email = unique("promote");
    await signUp(email);
    const target = await prisma.user.findUniqueOrThrow({ where: { email } });
    const list = await html(await admin.get(`/admin/users?q=${encodeURIComponent(email)}`));
    expect(list).toContain(email);
    expect(list).toContain(`data-email="${email}"`);
    expect(list).not.toContain(`data-email="${adminEmail}"`);

    const changed = await admin.post(`/admin/users?index&q=${encodeURIComponent(email)}`, {
      intent: "role",
      userId: target.id,
      role: "admin",
    });
    expect(changed.status).toBe(302);
    expect(changed.headers.get("location")).toBe(`/admin/users?q=${encodeURIComponent(email)}`);
    expect(await html(await admin.get(changed.headers.get("location")!))).toContain("The role has been changed.");

    const log = await html(await admin.get("/admin/audit?action=user.role_change"));
    expect(log).toContain("user.role_change");
    expect(log).toContain(target.id);
    expect(log).toContain(`href="/admin/audit.csv?action=user.role_change"`);

    const csv = await admin.get("/admin/audit.csv?action=user.role_change");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="ares-audit-.*\.csv"$/);
    const text = await csv.text();
    expect(text.split("\r\n")[0]).toMatch(/^time_utc,actor_email/);
    expect(text).toContain(target.id);

    const details = await html(await admin.get(`/admin/users/${target.id}`));
    expect(details).toContain(email);
    expect(await prisma.auditEvent.count({ where: { action: "user.view", targetId: target.id } })).toBe(1);
    expect((await admin.get("/admin/users/no-such-user")).status).toBe(404);
    // A budget saved for someone deleted meanwhile: not found, not a server error.
    expect((await admin.post("/admin/users/no-such-user", { budget: "1000" })).status).toBe(404);
  });

  it("refuses to demote the last admin with a message, and bad filters are explained", async () => {
    const me = await prisma.user.findUniqueOrThrow({ where: { email: adminEmail } });
    // Other tests may have promoted someone: leave only this admin active.
    await prisma.user.updateMany({ where: { role: "admin", id: { not: me.id } }, data: { role: "user" } });
    const refused = await admin.post("/admin/users?index", { intent: "role", userId: me.id, role: "user" });
    expect(refused.status).toBe(400);
    expect(await html(refused)).toContain("This is the only active administrator.");

    const bad = await admin.get("/admin/audit?from=2026-02-30&user=someone%40example.test");
    expect(bad.status).toBe(200);
    const page = await html(bad);
    expect(page).toContain("Use a real date between 1970 and 9998, like 2026-03-01.");
    expect(page).toContain('value="someone@example.test"');
    expect((await admin.get("/admin/audit.csv?from=nope")).status).toBe(400);
  });

  it("a saved budget says so on the page the save lands on", async () => {
    const email = unique("budget-saved");
    await signUp(email);
    const target = await prisma.user.findUniqueOrThrow({ where: { email } });
    expect(await html(await admin.get(`/admin/users/${target.id}`))).not.toContain("The budget has been saved.");
    const saved = await admin.post(`/admin/users/${target.id}`, { budget: "7000" });
    expect(saved.status).toBe(302);
    const page = await html(await admin.get(saved.headers.get("location")!));
    expect(page).toMatch(/<p class="notice">The budget has been saved\./);
    expect(page).toContain("7,000 tokens a day");
    // 0 is worded as the server's settings word it ("0 = no limit"), in the label and in what is now set.
    expect(page).toContain("Tokens a day (empty = server default, 0 = no limit)");
    expect((await admin.post(`/admin/users/${target.id}`, { budget: "0" })).status).toBe(302);
    const noLimit = await html(await admin.get(`/admin/users/${target.id}`));
    expect(noLimit).toMatch(/Now: (<!-- -->)?no limit/);
    expect(noLimit).not.toContain("unlimited");
  });

  it("a refused budget keeps what was typed (not the saved budget) next to its message", async () => {
    const email = unique("budget");
    await signUp(email);
    const target = await prisma.user.findUniqueOrThrow({ where: { email } });
    expect((await admin.post(`/admin/users/${target.id}`, { budget: "5000" })).status).toBe(302);
    const budgetInput = (page: string) => page.match(/<input[^>]*id="budget"[^>]*>/)?.[0] ?? "";
    expect(budgetInput(await html(await admin.get(`/admin/users/${target.id}`)))).toContain('value="5000"');
    for (const typed of ["abc", "-5"]) {
      const refused = await admin.post(`/admin/users/${target.id}`, { budget: typed });
      expect(refused.status).toBe(400);
      const page = await html(refused);
      expect(page).toContain("Enter a whole number of tokens");
      const input = budgetInput(page);
      expect(input).toContain(`value="${typed}"`);
      expect(input).toContain('aria-describedby="budget-error"');
    }
    // A whole number over the limit is told the limit, not that it is not a whole number.
    for (const typed of ["2147483648", "1000000000"]) {
      const tooBig = await admin.post(`/admin/users/${target.id}`, { budget: typed });
      expect(tooBig.status, typed).toBe(400);
      const page = await html(tooBig);
      expect(page).toContain("Enter at most 999,999,999 tokens (0 = no limit).");
      expect(page).not.toContain("Enter a whole number");
      expect(budgetInput(page)).toContain(`value="${typed}"`);
    }
    expect((await admin.post(`/admin/users/${target.id}`, { budget: "999999999" })).status).toBe(302);
    // A post without the field (not from the form) gets the same words, not the parser's.
    const bare = await admin.post(`/admin/users/${target.id}`, {});
    expect(bare.status).toBe(400);
    const page = await html(bare);
    expect(page).toContain("Enter a whole number of tokens");
    expect(page).not.toContain("Invalid input");
  });

  it("disabling an account signs it out at once", async () => {
    const email = unique("disable");
    const victim = await signUp(email);
    const target = await prisma.user.findUniqueOrThrow({ where: { email } });
    const response = await admin.post("/admin/users?index", { intent: "disable", userId: target.id });
    expect(response.status).toBe(302);
    const next = await victim.get("/settings");
    expect(next.headers.get("location")).toMatch(/^\/login\?.*reason=disabled/);
    const login = await browserClient(server.url).post("/login", { email, password });
    expect(login.status).toBe(400);
  });
});
