/**
 * The message box's text kept without JS when something gives way: the keep itself failing in the
 * database after a calendar card's decision was saved, the write limit refusing a press, and keeps made
 * after the session ended, which count under the ended session (not the person's live sessions).
 */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { PASSWORD, serverForThisFile, signedUp, type Client } from "../support/app-server";
import { browserClient } from "../support/cookie-jar";

const WRITES_PER_MINUTE = 3;
const server = serverForThisFile({
  RATE_LIMIT_READ_PER_MINUTE: "0",
  RATE_LIMIT_WRITE_PER_MINUTE: String(WRITES_PER_MINUTE),
  RATE_LIMIT_AUTH_PER_15_MINUTES: "0",
  // A keep that waits on a row another transaction holds fails soon (the test holds it).
  DB_STATEMENT_TIMEOUT_MS: "1500",
});

const MARKER = "__ares_kept_text";
const SESSION = "__ares_session";
const unique = (name: string) =>
  `${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.test`;

/** A conversation of `email`'s with one exchange and a pending calendar card on its reply. */
async function conversationWithCard(email: string): Promise<{ path: string; cardId: string }> {
  const user = await prisma.user.findUniqueOrThrow({ where: { email } });
  const conversation = await prisma.conversation.create({
    data: {
      userId: user.id,
      title: "Kept text under limits",
      messages: {
        create: [
          { userId: user.id, role: "user", content: "hello" },
          { userId: user.id, role: "assistant", content: "hi", createdAt: new Date(Date.now() + 1) },
        ],
      },
    },
    include: { messages: { where: { role: "assistant" } } },
  });
  const preview = { title: "Dentist", before: null, after: ["Tomorrow 10:00"], affects: null };
  const card = await prisma.calendarAction.create({
    data: { userId: user.id, messageId: conversation.messages[0]!.id, kind: "create", input: {}, preview },
  });
  return { path: `/chat/${conversation.id}`, cardId: card.id };
}

async function pageHtml(client: Client, path: string): Promise<string> {
  const response = await client.get(path);
  expect(response.status).toBe(200);
  return response.text();
}

const boxOf = (html: string) => /<textarea[^>]*id="composer-message"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1];

describe("a calendar card's decision whose keep fails", () => {
  it("stands, the page comes back, and says the text could not be kept (no 500)", async () => {
    const email = unique("keep-fails");
    const browser = await signedUp(server.url, email);
    const { path, cardId } = await conversationWithCard(email);
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    await prisma.keptComposerText.create({ data: { userId: user.id, page: path, message: "earlier" } });
    // Another transaction holds the person's row for this page: the keep waits past the statement timeout.
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query(`SELECT 1 FROM "KeptComposerText" WHERE "userId" = $1 FOR UPDATE`, [user.id]);
      const response = await browser.post(`${path}/actions/${cardId}`, { intent: "cancel", message: "typed" });
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe(`${path}#action-${cardId}`);
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
    }
    expect((await prisma.calendarAction.findUniqueOrThrow({ where: { id: cardId } })).status).toBe("cancelled");
    const html = await pageHtml(browser, path);
    expect(html).toMatch(
      /<p class="composer__note"[^>]*>[^<]*could not be kept, sorry: your choice on the card was saved/,
    );
    expect(boxOf(html)).toBe("");
  });
});

/** Runs `post` while another transaction holds `userId`'s kept rows: a keep waits past the statement timeout. */
async function withKeptRowsLocked<T>(userId: string, post: () => Promise<T>): Promise<T> {
  const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await holder.connect();
  try {
    await holder.query("BEGIN");
    await holder.query(`SELECT 1 FROM "KeptComposerText" WHERE "userId" = $1 FOR UPDATE`, [userId]);
    return await post();
  } finally {
    await holder.query("ROLLBACK");
    await holder.end();
  }
}

const noteOf = (html: string) => /<p class="composer__note"[^>]*>([^<]*)</.exec(html)?.[1] ?? "";

describe("a press refused by the write limit with text in the box (no JS)", () => {
  it("the theme switch: the theme stays, the page comes back with the text and the wait", async () => {
    const email = unique("theme-refused");
    const browser = await signedUp(server.url, email);
    const { path } = await conversationWithCard(email);
    for (let index = 0; index < WRITES_PER_MINUTE; index++) await browser.post(path, { intent: "pin" });
    const refused = await browser.post("/theme", { theme: "dark", redirectTo: path, message: "typed, then Dark" });
    expect(refused.status).toBe(303);
    expect(refused.headers.get("location")).toBe(path);
    expect(browser.jar.get("theme")).toBeUndefined();
    const html = await pageHtml(browser, path);
    expect(boxOf(html)).toBe("typed, then Dark");
    expect(html).toMatch(
      /<p class="composer__note"[^>]*>You have sent a lot of requests in a short time, so what you pressed was not done/,
    );

    // Nothing in the box: refused as before.
    const bare = await browser.post("/theme", { theme: "dark", redirectTo: path, message: "" });
    expect(bare.status).toBe(429);
    expect(browser.jar.get("theme")).toBeUndefined();
  });

  it("a calendar card: nothing is decided, the page comes back with the text", async () => {
    const email = unique("card-refused");
    const browser = await signedUp(server.url, email);
    const { path, cardId } = await conversationWithCard(email);
    for (let index = 0; index < WRITES_PER_MINUTE; index++) await browser.post(path, { intent: "pin" });
    const refused = await browser.post(`${path}/actions/${cardId}`, {
      intent: "cancel",
      message: "typed, then Cancel",
    });
    expect(refused.status).toBe(303);
    expect((await prisma.calendarAction.findUniqueOrThrow({ where: { id: cardId } })).status).toBe("pending");
    expect(boxOf(await pageHtml(browser, path))).toBe("typed, then Cancel");
  });
});

describe("a press the write limit refuses in a conversation deleted meanwhile (no JS)", () => {
  it("is the 404 with the box's text and the wait, as for another person's id", async () => {
    const email = unique("gone-refused");
    const browser = await signedUp(server.url, email);
    const { path } = await conversationWithCard(email);
    await prisma.conversation.delete({ where: { id: path.split("/")[2] } });
    for (let index = 0; index < WRITES_PER_MINUTE; index++) await browser.post(path, { intent: "pin" });
    const refused = await browser.post(path, { intent: "pin", message: "typed, then Pin" });
    expect(refused.status).toBe(404);
    const html = await refused.text();
    expect(boxOf(html)).toBe("typed, then Pin");
    expect(html).toMatch(
      /<p class="composer__note"[^>]*>You have sent a lot of requests in a short time\. Try again in \d+ s\./,
    );
    expect(html).not.toContain("Page not found");
  });
});

describe("the two texts of a deleted conversation's 404 (an edit's and the box's) under the write limit", () => {
  it("a refused edit's Save is the 404 with both texts, each in its new-conversation form, the wait said once above both", async () => {
    const email = unique("gone-two-refused");
    const browser = await signedUp(server.url, email);
    const { path } = await conversationWithCard(email);
    await prisma.conversation.delete({ where: { id: path.split("/")[2] } });
    for (let index = 0; index < WRITES_PER_MINUTE; index++) await browser.post(path, { intent: "pin" });
    const refused = await browser.post(path, {
      intent: "edit",
      messageId: "m1",
      message: "the edited wording",
      boxMessage: "a draft in the box",
    });
    expect(refused.status).toBe(404);
    const html = await refused.text();
    const forms = [...html.matchAll(/<form[^>]*action="\/chat\?index"[^>]*>[\s\S]*?<\/form>/g)].map((m) => m[0]);
    expect(forms).toHaveLength(2);
    expect(forms[0]).toContain("the edited wording</textarea>");
    expect(forms[0]).toMatch(/<input[^>]*name="otherText"[^>]*value="a draft in the box"/);
    expect(forms[1]).toContain("a draft in the box</textarea>");
    expect(forms[1]).toMatch(/<input[^>]*name="otherText"[^>]*value="the edited wording"/);
    const wait = /You have sent a lot of requests in a short time\. Try again in \d+ s\./g;
    // Once on the page (the scripts carry the route's data for hydration).
    expect(html.replace(/<script[\s\S]*?<\/script>/g, "").match(wait)).toHaveLength(1);
    expect(html).toMatch(/<p class="notice" role="status">You have sent a lot of requests in a short time/);
    expect(forms.join("")).not.toMatch(wait);
  });

  it("a refused send of one of them from the 404 comes back with both texts, the other one sent again with it", async () => {
    const email = unique("gone-two-send-refused");
    const browser = await signedUp(server.url, email);
    for (let index = 0; index < WRITES_PER_MINUTE; index++) await browser.post("/theme", { theme: "dark" });
    const refused = await browser.post("/chat?index", {
      message: "the edited wording",
      otherText: "a draft in the box",
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const html = await refused.text();
    expect(html).toMatch(/<textarea[^>]*id="composer-message"[^>]*>the edited wording<\/textarea>/);
    // In the refused page's form, so a send from there carries it again (no JS needed).
    expect(html).toMatch(
      /<form[^>]*>(?:(?!<\/form>)[\s\S])*<textarea[^>]*name="otherText"[^>]*>a draft in the box<\/textarea>/,
    );
    expect(html).toContain("You have sent a lot of requests in a short time. Try again in");
    expect(await prisma.conversation.count({ where: { user: { email } } })).toBe(0);
  });
});

describe("the refusals a page answers with the text (no JS)", () => {
  it("are capped at 20 a window for theme and card presses: then the bare 429 again", async () => {
    const email = unique("refusal-cap");
    const browser = await signedUp(server.url, email);
    const { path, cardId } = await conversationWithCard(email);
    for (let index = 0; index < WRITES_PER_MINUTE; index++) await browser.post(path, { intent: "pin" });
    const statuses: number[] = [];
    for (let index = 0; index < 20; index++) {
      const response =
        index % 2 === 0
          ? await browser.post("/theme", { theme: "dark", redirectTo: path, message: `typed ${index}` })
          : await browser.post(`${path}/actions/${cardId}`, { intent: "cancel", message: `typed ${index}` });
      statuses.push(response.status);
    }
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 303));
    for (const press of [
      () => browser.post("/theme", { theme: "dark", redirectTo: path, message: "one too many" }),
      () => browser.post(`${path}/actions/${cardId}`, { intent: "cancel", message: "one too many" }),
    ]) {
      const bare = await press();
      expect(bare.status).toBe(429);
      expect(bare.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(await bare.text()).toContain("You have sent a lot of requests in a short time. Please wait");
    }
    expect(browser.jar.get("theme")).toBeUndefined();
    expect((await prisma.calendarAction.findUniqueOrThrow({ where: { id: cardId } })).status).toBe("pending");
  });
});

describe("a refused press that also goes wrong (no JS)", () => {
  it("a refused theme switch whose keep fails says it was not done, and that the text is lost", async () => {
    const email = unique("refused-not-kept");
    const browser = await signedUp(server.url, email);
    const { path } = await conversationWithCard(email);
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    await prisma.keptComposerText.create({ data: { userId: user.id, page: path, message: "earlier" } });
    for (let index = 0; index < WRITES_PER_MINUTE; index++) await browser.post(path, { intent: "pin" });
    const refused = await withKeptRowsLocked(user.id, () =>
      browser.post("/theme", { theme: "dark", redirectTo: path, message: "typed, then Dark" }),
    );
    expect(refused.status).toBe(303);
    expect(browser.jar.get("theme")).toBeUndefined();
    const html = await pageHtml(browser, path);
    const note = noteOf(html);
    expect(note).toContain("what you pressed was not done");
    expect(note).toContain("could not be kept");
    expect(note).toMatch(/in \d+ s/);
    expect(note).not.toMatch(/that was done|was switched/);
    expect(boxOf(html)).toBe("");
  });

  it("a refused card press with a NUL in the box says both: not done, and the character replaced", async () => {
    const email = unique("refused-nul");
    const browser = await signedUp(server.url, email);
    const { path, cardId } = await conversationWithCard(email);
    for (let index = 0; index < WRITES_PER_MINUTE; index++) await browser.post(path, { intent: "pin" });
    const refused = await browser.post(`${path}/actions/${cardId}`, { intent: "cancel", message: "a\0b" });
    expect(refused.status).toBe(303);
    const html = await pageHtml(browser, path);
    expect(boxOf(html)).toBe("a\uFFFDb");
    expect(noteOf(html)).toContain("what you pressed was not done");
    expect(noteOf(html)).toContain("cannot be stored (a NUL)");
  });
});

describe("keeps after the session ended", () => {
  it("count as the ended session's writes: past the limit the text is only shown back", async () => {
    const email = unique("signed-out-keeps");
    const browser = await signedUp(server.url, email);
    const { path } = await conversationWithCard(email);
    const session = browser.jar.get(SESSION)!;
    await prisma.session.updateMany({ where: { user: { email } }, data: { revokedAt: new Date() } });
    const answers: Array<{ kept: boolean; html: string }> = [];
    let keptMarker: string | undefined;
    for (let index = 0; index <= WRITES_PER_MINUTE; index++) {
      const response = await browser.post(path, { intent: "pin", message: `typed ${index}` });
      expect(response.status).toBe(401);
      const kept = response.headers
        .getSetCookie()
        .some((cookie) => cookie.startsWith(`${MARKER}=`) && !/max-age=0/i.test(cookie));
      if (kept) keptMarker = browser.jar.get(MARKER);
      answers.push({ kept, html: await response.text() });
      // The answer clears the ended session's cookie: a client replaying it is what the limit is for.
      browser.jar.set(SESSION, session);
    }
    expect(answers.map((answer) => answer.kept)).toEqual([true, true, true, false]);
    const last = answers.at(-1)!.html;
    expect(last).toContain(`typed ${WRITES_PER_MINUTE}`);
    expect(last).toContain("copy it first");
    // What was kept is the last keep the limit let through.
    browser.jar.set(MARKER, keptMarker!);
    expect((await browser.post("/login", { email, password: PASSWORD })).status).toBe(302);
    expect(boxOf(await pageHtml(browser, path))).toBe(`typed ${WRITES_PER_MINUTE - 1}`);
  });

  it("a replayed revoked cookie does not use up the person's own write limit", async () => {
    const email = unique("replayed-cookie");
    const stolen = await signedUp(server.url, email);
    const { path } = await conversationWithCard(email);
    const session = stolen.jar.get(SESSION)!;
    await prisma.session.updateMany({ where: { user: { email } }, data: { revokedAt: new Date() } });
    const owner = browserClient(server.url);
    expect((await owner.post("/login", { email, password: PASSWORD })).status).toBe(302);
    for (let index = 0; index < WRITES_PER_MINUTE * 3; index++) {
      expect((await stolen.post(path, { intent: "pin", message: `flood ${index}` })).status).toBe(401);
      stolen.jar.set(SESSION, session);
    }
    // The person's live session still has its whole budget.
    for (let index = 0; index < WRITES_PER_MINUTE; index++) {
      expect((await owner.post(path, { intent: "pin" })).status).toBe(302);
    }
  });
});
