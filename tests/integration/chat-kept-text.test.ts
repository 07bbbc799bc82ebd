/**
 * What was in a conversation's message box when the page was left without JS (another of its buttons,
 * the theme switch, a press after the session ended) comes back in the box, whatever its length up to the
 * message limit, once, and only for its person; old leftovers are purged.
 */
import { describe, expect, it } from "vitest";
import { MESSAGE_MAX } from "~/chat/schemas";
import { purgeKeptTexts } from "~/chat/kept-text.server";
import { prisma } from "~/db/db.server";
import { PASSWORD, serverForThisFile, signedUp, type Client } from "../support/app-server";

const server = serverForThisFile({
  RATE_LIMIT_READ_PER_MINUTE: "0",
  RATE_LIMIT_WRITE_PER_MINUTE: "0",
  RATE_LIMIT_AUTH_PER_15_MINUTES: "0",
});

const unique = (name: string) =>
  `${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.test`;

/** A conversation of `email`'s with one exchange, made directly (no model needed); its path. */
async function conversationOf(email: string): Promise<string> {
  const user = await prisma.user.findUniqueOrThrow({ where: { email } });
  const conversation = await prisma.conversation.create({
    data: {
      userId: user.id,
      title: "Kept text",
      messages: {
        create: [
          { userId: user.id, role: "user", content: "hello" },
          {
            userId: user.id,
            role: "assistant",
            content: "hi",
            status: "complete",
            createdAt: new Date(Date.now() + 1),
          },
        ],
      },
    },
  });
  return `/chat/${conversation.id}`;
}

/** The text in the composer's message box of the page the client gets at `path`. */
async function messageBox(client: Client, path: string): Promise<string> {
  return (await pageWithBox(client, path)).box;
}

/** The page the client gets at `path` (its HTML), and the text in its composer's message box. */
async function pageWithBox(client: Client, path: string): Promise<{ html: string; box: string }> {
  const response = await client.get(path);
  expect(response.status).toBe(200);
  const html = await response.text();
  const box = /<textarea[^>]*id="composer-message"[^>]*>([\s\S]*?)<\/textarea>/.exec(html);
  expect(box, "the page has a message box").not.toBeNull();
  // React writes a leading newline after <textarea> when the text starts with one; none here.
  return {
    html,
    box: box![1]!
      .replace(/&#x27;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, "&"),
  };
}

/**
 * A 404 page with what differs per request or per id taken out — the conversation's id, UUIDs (request
 * ids), the CSP nonce — so two answers can be compared byte for byte (ADR 015).
 */
function masked(html: string, path: string): string {
  return html
    .replaceAll(path.split("/").at(-1)!, "ID")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "UUID")
    .replace(/nonce="[^"]*"/g, 'nonce=""');
}

async function endSessions(email: string): Promise<void> {
  await prisma.session.updateMany({ where: { user: { email } }, data: { revokedAt: new Date() } });
}

describe("the message box's text when another button of the page is pressed (no JS)", () => {
  it("comes back whole far past what a cookie holds, up to the message limit, and only once", async () => {
    const email = unique("kept-long");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    // 3,000 CJK characters (9 KB of UTF-8) and a message at the limit itself.
    for (const text of ["字".repeat(3_000), "x".repeat(MESSAGE_MAX - 1) + "y"]) {
      const pinned = await browser.post(path, { intent: "pin", message: text });
      expect(pinned.status).toBe(302);
      expect(pinned.headers.get("location")).toBe(path);
      // Nothing near the text's size travels in a cookie.
      for (const cookie of pinned.headers.getSetCookie()) expect(cookie.length).toBeLessThan(500);
      expect(await messageBox(browser, path)).toBe(text);
      expect(await messageBox(browser, path)).toBe("");
      await browser.post(path, { intent: "unpin" });
    }
  });

  it("is not given to another person signing in on the same browser, and signing out drops it", async () => {
    const a = unique("kept-a");
    const b = unique("kept-b");
    const browser = await signedUp(server.url, a);
    await signedUp(server.url, b);
    const path = await conversationOf(a);
    expect((await browser.post(path, { intent: "pin", message: "A's words" })).status).toBe(302);
    await browser.post("/logout", {});
    expect(await prisma.keptComposerText.count({ where: { user: { email: a } } })).toBe(0);

    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    // Kept for the new-chat page (the theme switch there), the page B then opens.
    const themed = await browser.post("/theme", { theme: "dark", redirectTo: "/chat", message: "A's words again" });
    expect(themed.status).toBe(302);
    // A's session ends; B signs in here and opens the new-chat page: A's text is not there.
    await endSessions(a);
    expect((await browser.post("/login", { email: b, password: PASSWORD })).status).toBe(302);
    expect(await messageBox(browser, "/chat")).toBe("");
    // It is still A's, waiting for A.
    const kept = await prisma.keptComposerText.findMany({ where: { user: { email: a } } });
    expect(kept.map((row) => [row.page, row.message])).toEqual([["/chat", "A's words again"]]);
    expect((await browser.post("/login", { email: a, password: PASSWORD })).status).toBe(302);
    expect(await messageBox(browser, "/chat")).toBe("A's words again");
  });

  it("left over a day is not shown, and the hourly purge deletes it", async () => {
    const email = unique("kept-old");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    expect((await browser.post(path, { intent: "pin", message: "from yesterday" })).status).toBe(302);
    const dayAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    await prisma.keptComposerText.updateMany({ where: { user: { email } }, data: { keptAt: dayAgo } });
    expect(await messageBox(browser, path)).toBe("");
    expect(await purgeKeptTexts()).toBeGreaterThanOrEqual(1);
    expect(await prisma.keptComposerText.count({ where: { user: { email } } })).toBe(0);
  });
});

describe("a press of another button after the session ended (no JS)", () => {
  it("Pin, Regenerate or a link with text in the box: the text is shown back, and back in the box after signing in", async () => {
    const email = unique("kept-signed-out");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    // Pin, Regenerate, and a link of the page (its no-JS button names where it leads).
    for (const [name, fields] of [
      ["pin", { intent: "pin" }],
      ["regenerate", { intent: "regenerate" }],
      ["rename link", { keepTo: `${path}?panel=rename` }],
    ] as const) {
      const text = `typed before ${name}`;
      await endSessions(email);
      const response = await browser.post(path, { ...fields, message: text });
      expect(response.status).toBe(401);
      const html = await response.text();
      expect(html).toContain(text);
      expect(html).toContain("it was not done");
      expect(html).toContain("it will be back in the message box");
      expect((await browser.post("/login", { email, password: PASSWORD })).status).toBe(302);
      const back = await pageWithBox(browser, path);
      expect(back.box).toBe(text);
      // The box says where the text came from (it may be hours later), once.
      expect(back.html).toMatch(
        /role="status"[^>]*>Your session had ended when you last posted this page, so that was not done: what you had typed then is back in the box, not sent\./,
      );
      expect((await pageWithBox(browser, path)).html).not.toContain("Your session had ended");
    }
  });
});

describe("the note of a text kept after the session ended", () => {
  it("is not shown when the kept text is gone meanwhile (the box is empty)", async () => {
    const email = unique("kept-unsent-dropped");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    await endSessions(email);
    expect((await browser.post(path, { intent: "pin", message: "typed while signed out" })).status).toBe(401);
    // Dropped before the person is back (the newest pages cap, the purge).
    expect(await prisma.keptComposerText.deleteMany({ where: { user: { email } } })).toMatchObject({ count: 1 });
    expect((await browser.post("/login", { email, password: PASSWORD })).status).toBe(302);
    const back = await pageWithBox(browser, path);
    expect(back.box).toBe("");
    expect(back.html).not.toContain("Your session had ended");
  });
});

describe("the theme switch with text in the box (no JS)", () => {
  it("a NUL in the text: the theme still changes and the text comes back, the NUL shown as U+FFFD", async () => {
    const email = unique("kept-theme-nul");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    const response = await browser.post("/theme", { theme: "dark", redirectTo: path, message: "before\0after" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(path);
    expect(browser.jar.get("theme")).toBe("dark");
    const html = await (await browser.get(path)).text();
    expect(html).toMatch(/<textarea[^>]*id="composer-message"[^>]*>before\uFFFDafter<\/textarea>/);
    // Said next to the box, once.
    expect(html).toMatch(
      /<p class="composer__note"[^>]*role="status">[^<]*held a character that cannot be stored \(a NUL\)/,
    );
    expect(await (await browser.get(path)).text()).not.toContain("cannot be stored");
  });

  it("a NUL in the switch's own fields is refused as in any other form, and nothing changes", async () => {
    const email = unique("kept-theme-nul-field");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    for (const fields of [
      { theme: "dark\0", redirectTo: path, message: "kept?" },
      { theme: "dark", redirectTo: `${path}\0`, message: "kept?" },
    ]) {
      const response = await browser.post("/theme", fields);
      expect(response.status).toBe(400);
      expect(browser.jar.get("theme")).toBeUndefined();
    }
  });

  it("a NUL in the open rename panel's title travels with the box's form: the theme still changes, the text is kept", async () => {
    const email = unique("kept-theme-nul-title");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    const response = await browser.post("/theme", { theme: "dark", redirectTo: path, message: "mine", title: "a\0b" });
    expect(response.status).toBe(302);
    expect(browser.jar.get("theme")).toBe("dark");
    expect(await messageBox(browser, path)).toBe("mine");
  });
});

describe("the page's links and panels with text in the box (no JS)", () => {
  it("Delete conversation keeps the box's text for the new-conversation page, and says so", async () => {
    const email = unique("kept-delete");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    const panel = await (await browser.get(`${path}?panel=delete`)).text();
    // Until JS runs the button submits the message box's form.
    expect(panel).toMatch(/<button[^>]*name="intent" value="delete" form="composer-form"[^>]*>Delete conversation/);
    const deleted = await browser.post(path, { intent: "delete", message: "typed before deleting" });
    expect(deleted.status).toBe(302);
    expect(deleted.headers.get("location")).toBe("/chat");
    expect(await prisma.conversation.count({ where: { user: { email } } })).toBe(0);
    const html = await (await browser.get("/chat")).text();
    expect(html).toContain("What you had typed in its message box is in the box below.");
    expect(html).toMatch(/<textarea[^>]*id="composer-message"[^>]*>typed before deleting<\/textarea>/);
    // Without text in the box: the notice as before.
    const other = await conversationOf(email);
    expect((await browser.post(other, { intent: "delete", message: "" })).status).toBe(302);
    const plain = await (await browser.get("/chat")).text();
    expect(plain).toContain("Conversation deleted.");
    expect(plain).not.toContain("What you had typed");
  });

  it("a press in a conversation deleted meanwhile (another tab) is a 404 that shows the box's text; another person's id the very same page", async () => {
    const email = unique("kept-gone");
    const browser = await signedUp(server.url, email);
    const gone = await conversationOf(email);
    expect((await browser.post(gone, { intent: "delete", message: "" })).status).toBe(302);
    const othersEmail = unique("kept-gone-other");
    await signedUp(server.url, othersEmail);
    const others = await conversationOf(othersEmail);
    const typed = "typed <b>before</b> it went";
    /** The 404 with the conversation's id and the per-request values taken out: nothing else may differ. */
    const answer = async (path: string, fields: Record<string, string>) => {
      const response = await browser.post(path, { ...fields, message: typed });
      const html = await response.text();
      expect(response.status).toBe(404);
      expect(html).toContain("This conversation was deleted (in another tab or on another device), or never existed.");
      // Escaped, in a form that starts a new conversation with it.
      expect(html).toMatch(
        /<form[^>]*action="\/chat\?index"[^>]*>[\s\S]*typed &lt;b&gt;before&lt;\/b&gt; it went<\/textarea>/,
      );
      return masked(html, path);
    };
    const presses: Array<Record<string, string>> = [
      { intent: "delete" },
      { intent: "pin" },
      { intent: "rename", title: "New name" },
      { intent: "keep", keepTo: "?panel=rename" },
      { intent: "regenerate" },
      { intent: "memory-off" },
      // A form that does not parse (no title) on a missing conversation: the 404 too, with the text.
      { intent: "rename" },
      { intent: "model", model: "" },
    ];
    for (const fields of presses) {
      const mine = await answer(gone, fields);
      expect(await answer(others, fields), fields.intent).toBe(mine);
    }
    // The other person's conversation is untouched, and nothing was kept for the poster.
    expect(await prisma.conversation.findFirstOrThrow({ where: { user: { email: othersEmail } } })).toMatchObject({
      title: "Kept text",
      pinned: false,
      memoryEnabled: true,
    });
    expect(await prisma.keptComposerText.count({ where: { user: { email } } })).toBe(0);
    // With an empty box: the plain 404, as before.
    const plain = await browser.post(gone, { intent: "pin", message: "" });
    expect(plain.status).toBe(404);
    expect(await plain.text()).not.toContain("never existed");
  });

  it("a refused press (a NUL in the box) in a conversation deleted meanwhile, or another person's, is the 404 with the text and why", async () => {
    const email = unique("kept-gone-nul");
    const browser = await signedUp(server.url, email);
    const gone = await conversationOf(email);
    expect((await browser.post(gone, { intent: "delete", message: "" })).status).toBe(302);
    const othersEmail = unique("kept-gone-nul-other");
    await signedUp(server.url, othersEmail);
    const others = await conversationOf(othersEmail);
    const answers: string[] = [];
    for (const path of [gone, others]) {
      const response = await browser.post(path, { intent: "pin", message: "typed a\0b" });
      expect(response.status).toBe(404);
      const html = await response.text();
      expect(html).toMatch(/<form[^>]*action="\/chat\?index"[^>]*>[\s\S]*typed a\uFFFDb<\/textarea>/);
      expect(html).toContain("contains a NUL character (shown as �), which cannot be stored");
      expect(html).not.toContain("Page not found");
      answers.push(masked(html, path));
    }
    expect(answers[1]).toBe(answers[0]);
    // Its own conversation: refused as before (400), the page with the text.
    const mine = await conversationOf(email);
    const refused = await browser.post(mine, { intent: "pin", message: "typed a\0b" });
    expect(refused.status).toBe(400);
    expect(await prisma.conversation.findFirstOrThrow({ where: { id: mine.split("/")[2] } })).toMatchObject({
      pinned: false,
    });
  });

  it("an edit's Save in a conversation deleted meanwhile: the 404 shows the edited text and says it is the edit", async () => {
    const email = unique("kept-gone-edit");
    const browser = await signedUp(server.url, email);
    const gone = await conversationOf(email);
    expect((await browser.post(gone, { intent: "delete", message: "" })).status).toBe(302);
    const response = await browser.post(gone, { intent: "edit", message: "the edited wording" });
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).toContain("Your edited message is below, not sent");
    expect(html).not.toContain("What you had typed in the message box is below");
    expect(html).toMatch(/<form[^>]*action="\/chat\?index"[^>]*>[\s\S]*the edited wording<\/textarea>/);
  });

  it("an edit's Save (JS) with text in the message box too, in a conversation deleted meanwhile: the 404 shows both", async () => {
    const email = unique("kept-gone-edit-both");
    const browser = await signedUp(server.url, email);
    const gone = await conversationOf(email);
    expect((await browser.post(gone, { intent: "delete", message: "" })).status).toBe(302);
    // With JS the edit form copies the message box's text into a field of its own as it is sent.
    const response = await browser.post(gone, {
      intent: "edit",
      messageId: "m1",
      message: "the edited wording",
      boxMessage: "a draft <i>in the box</i>",
    });
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).toContain("Your edited message is below, not sent");
    expect(html).toMatch(/<title>Conversation not found · ARES<\/title>/);
    expect(html).toMatch(/<form[^>]*action="\/chat\?index"[^>]*>[\s\S]*the edited wording<\/textarea>/);
    // The box's draft too, escaped, in a new-conversation form of its own.
    expect(html).toMatch(
      /<form[^>]*action="\/chat\?index"[^>]*>[\s\S]*a draft &lt;i&gt;in the box&lt;\/i&gt;<\/textarea>/,
    );
    // An edit box emptied, the box's text alone: shown as the box's text, not the plain 404.
    const emptied = await browser.post(gone, { intent: "edit", messageId: "m1", message: "", boxMessage: "box only" });
    expect(emptied.status).toBe(404);
    const emptiedHtml = await emptied.text();
    expect(emptiedHtml).toContain("What you had typed in the message box is below");
    expect(emptiedHtml).toMatch(/<form[^>]*action="\/chat\?index"[^>]*>[\s\S]*box only<\/textarea>/);
    // Another person's id: the very same pages, byte for byte but the id (ADR 015).
    const othersEmail = unique("kept-gone-edit-both-other");
    await signedUp(server.url, othersEmail);
    const others = await conversationOf(othersEmail);
    const again = async (path: string, fields: Record<string, string>) => {
      const answer = await browser.post(path, fields);
      expect(answer.status).toBe(404);
      return masked(await answer.text(), path);
    };
    const both = {
      intent: "edit",
      messageId: "m1",
      message: "the edited wording",
      boxMessage: "a draft <i>in the box</i>",
    };
    expect(await again(others, both)).toBe(masked(html, gone));
    const boxOnly = { intent: "edit", messageId: "m1", message: "", boxMessage: "box only" };
    expect(await again(others, boxOnly)).toBe(masked(emptiedHtml, gone));
    const emptyBox = { intent: "pin", message: "" };
    expect(await again(others, emptyBox)).toBe(await again(gone, emptyBox));
  });

  it("a NUL in one of the two texts of that 404: the refusal's note is under the form of the text that had it", async () => {
    const email = unique("kept-gone-two-nul");
    const browser = await signedUp(server.url, email);
    const gone = await conversationOf(email);
    expect((await browser.post(gone, { intent: "delete", message: "" })).status).toBe(302);
    const forms = async (fields: Record<string, string>) => {
      const response = await browser.post(gone, { intent: "edit", messageId: "m1", ...fields });
      expect(response.status).toBe(404);
      const html = await response.text();
      const all = [...html.matchAll(/<form[^>]*action="\/chat\?index"[^>]*>[\s\S]*?<\/form>/g)].map((m) => m[0]);
      expect(all).toHaveLength(2);
      return { html, edit: all[0]!, box: all[1]! };
    };
    const note = "contains a NUL character (shown as �)";
    const inBox = await forms({ message: "the edited wording", boxMessage: "a draft a\0b" });
    expect(inBox.box).toContain("a draft a\uFFFDb</textarea>");
    expect(inBox.box).toContain(note);
    expect(inBox.edit).not.toContain(note);
    const inEdit = await forms({ message: "the edited a\0b", boxMessage: "a draft" });
    expect(inEdit.edit).toContain(note);
    expect(inEdit.box).not.toContain(note);
    // Both had one: said once, above both forms.
    const inBoth = await forms({ message: "the edited a\0b", boxMessage: "a draft a\0b" });
    expect(inBoth.edit).not.toContain(note);
    expect(inBoth.box).not.toContain(note);
    expect(inBoth.html).toMatch(/<p class="notice" role="status">[^<]*contains a NUL character \(shown as �\)/);
  });

  it("sending one of the two texts of that 404 starts a conversation with it, the other one in its box (neither lost)", async () => {
    const email = unique("kept-gone-edit-other");
    const browser = await signedUp(server.url, email);
    const gone = await conversationOf(email);
    expect((await browser.post(gone, { intent: "delete", message: "" })).status).toBe(302);
    const response = await browser.post(gone, {
      intent: "edit",
      messageId: "m1",
      message: "the edited wording",
      boxMessage: "a draft <i>in the box</i>",
    });
    expect(response.status).toBe(404);
    const html = await response.text();
    // Each form carries the other's text, from the server (no JS needed).
    const others = [...html.matchAll(/<input[^>]*name="otherText"[^>]*>/g)].map((match) => match[0]);
    expect(others).toHaveLength(2);
    expect(others[0]).toContain('value="a draft &lt;i&gt;in the box&lt;/i&gt;"');
    expect(others[1]).toContain('value="the edited wording"');
    // The edit sent: the box's text comes back in the new conversation's box.
    const sent = await browser.post("/chat?index", {
      message: "the edited wording",
      otherText: "a draft <i>in the box</i>",
    });
    expect(sent.status).toBe(302);
    const started = new URL(sent.headers.get("location")!, server.url).pathname;
    expect(started).toMatch(/^\/chat\/[A-Za-z0-9_-]+$/);
    // (messageBox unescapes quotes and ampersands only.)
    expect(await messageBox(browser, started)).toBe("a draft &lt;i&gt;in the box&lt;/i&gt;");
    // The box's text sent instead: the edit comes back.
    const other = await browser.post("/chat?index", { message: "a draft", otherText: "the edited wording" });
    expect(other.status).toBe(302);
    expect(await messageBox(browser, new URL(other.headers.get("location")!, server.url).pathname)).toBe(
      "the edited wording",
    );
  });

  it("a refused send of one of that 404's two texts (too long, or a NUL) comes back with the other text too, sent again with it", async () => {
    const browser = await signedUp(server.url, unique("kept-gone-refused-other"));
    for (const message of ["x".repeat(MESSAGE_MAX + 1), "the edited a\0b"]) {
      const refused = await browser.post("/chat?index", { message, otherText: "a draft <i>in the box</i>" });
      expect(refused.status).toBe(400);
      const html = await refused.text();
      // In the refused page's form, so a send from there carries it again (no JS needed).
      expect(html).toMatch(
        /<form[^>]*>(?:(?!<\/form>)[\s\S])*<textarea[^>]*name="otherText"[^>]*>a draft &lt;i&gt;in the box&lt;\/i&gt;<\/textarea>/,
      );
    }
  });

  it("the plain 404 of an empty-box post to a conversation deleted meanwhile: its theme buttons have the form they submit", async () => {
    const email = unique("kept-gone-plain-theme");
    const browser = await signedUp(server.url, email);
    const gone = await conversationOf(email);
    expect((await browser.post(gone, { intent: "delete", message: "" })).status).toBe(302);
    const plain = await browser.post(gone, { intent: "pin", message: "" });
    expect(plain.status).toBe(404);
    const html = await plain.text();
    expect(html).not.toContain("never existed");
    // The theme buttons submit the form of the box's id (the route's handle): it is there, empty, and what it
    // sends (the theme and the page) changes the theme and leads back. Without it they did nothing.
    const dark = /<button[^>]*value="dark"[^>]*>/.exec(html)?.[0];
    expect(dark).toContain('form="composer-form"');
    expect(html).toMatch(/<form[^>]*id="composer-form"[^>]*>/);
    const redirectTo = /<input[^>]*name="redirectTo"[^>]*form="composer-form"[^>]*>/.exec(html)?.[0];
    expect(redirectTo).toContain(`value="${gone}"`);
    const themed = await browser.post("/theme", { theme: "dark", redirectTo: gone });
    expect(themed.status).toBe(302);
    expect(themed.headers.get("location")).toBe(gone);
    expect(browser.jar.get("theme")).toBe("dark");
    expect(await prisma.keptComposerText.count({ where: { user: { email } } })).toBe(0);
    // A GET of it: the theme buttons have a form of their own, and no empty box form is rendered.
    const got = await browser.get(gone);
    expect(got.status).toBe(404);
    const gotHtml = await got.text();
    expect(gotHtml).not.toContain('id="composer-form"');
    expect(/<button[^>]*value="dark"[^>]*>/.exec(gotHtml)?.[0]).not.toContain('form="composer-form"');
  });

  it("a conversation deleted meanwhile, its Prompt and Export links: the app's not-found page, not a bare 'Not found'", async () => {
    const email = unique("kept-gone-links");
    const browser = await signedUp(server.url, email);
    const gone = await conversationOf(email);
    expect((await browser.post(gone, { intent: "delete", message: "" })).status).toBe(302);
    for (const link of [
      gone,
      `${gone}/prompt`,
      `${gone}/export?format=md`,
      `${gone}/export?format=json`,
      `${gone}/export?format=md&message=x`,
    ]) {
      const response = await browser.get(link);
      expect(response.status, link).toBe(404);
      expect(response.headers.get("content-type"), link).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html, link).toMatch(/<title>Page not found · ARES<\/title>/);
      expect(html, link).toMatch(/<h1 id="error-title">Page not found<\/h1>/);
      expect(html, link).toContain("There is nothing at this address. It may have moved, or the link may be mistyped.");
      expect(html, link).toMatch(/<a [^>]*href="\/"[^>]*>Go to the home page<\/a>/);
      expect(html, link).not.toMatch(/<p>Not found<\/p>/);
    }
  });

  it("a resource route's 404 with a reason of its own, or a POST's, keeps its reason: only a GET's bare 'Not found' reads as the page", async () => {
    const browser = await signedUp(server.url, unique("kept-gone-reason"));
    const cases: Array<[string, Promise<Response>, string]> = [
      ["GET with its own reason", browser.get("/test-only/scan/reminders"), "Scans are queued with POST."],
      ["POST with its own reason", browser.post("/test-only/scan/nope", {}), "There is no such scan."],
    ];
    for (const [name, answer, reason] of cases) {
      const response = await answer;
      expect(response.status, name).toBe(404);
      expect(response.headers.get("content-type"), name).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html, name).toContain(reason);
      expect(html, name).not.toContain("There is nothing at this address.");
    }
    // A calendar card that is not there (gone with its conversation, or someone else's) says so in words of
    // its own: its bare "Not found" read "Not found / Not found".
    const card = await browser.post("/chat/nope/actions/x", { intent: "confirm" });
    expect(card.status).toBe(404);
    const cardPage = await card.text();
    expect(cardPage).not.toContain("There is nothing at this address.");
    expect(cardPage).toMatch(
      /<h1 id="error-title">Change not found<\/h1>\s*<p>This change is not there to confirm, cancel or undo: its conversation may have been deleted/,
    );
    expect(cardPage).not.toMatch(/<p>Not found<\/p>/);
    // Its address read (a reload, a link) is a 404 as any other address's: nothing was decided there.
    const read = await browser.get("/chat/nope/actions/x");
    expect(read.status).toBe(404);
    const readPage = await read.text();
    expect(readPage).toMatch(/<h1 id="error-title">Page not found<\/h1>\s*<p>There is nothing at this address\./);
    expect(readPage).not.toContain("This change is not there");
  });

  it("the theme switch of a conversation deleted meanwhile (or of its 404 page) leads to the new-chat page, the text in its box", async () => {
    const email = unique("kept-gone-theme");
    const browser = await signedUp(server.url, email);
    const gone = await conversationOf(email);
    expect((await browser.post(gone, { intent: "delete", message: "" })).status).toBe(302);
    const page = await (await browser.post(gone, { intent: "pin", message: "typed, then Dark" })).text();
    // The 404 page's theme buttons submit its new-conversation form, text and all.
    expect(page).toMatch(/<button[^>]*value="dark"[^>]*form="composer-form"[^>]*formaction="\/theme"/);
    const themed = await browser.post("/theme", { theme: "dark", redirectTo: gone, message: "typed, then Dark" });
    expect(themed.status).toBe(302);
    expect(themed.headers.get("location")).toBe("/chat");
    expect(browser.jar.get("theme")).toBe("dark");
    expect(await messageBox(browser, "/chat")).toBe("typed, then Dark");
  });

  it("Delete with JS (the page's data request) keeps the box's text for the new-conversation page too, and says so", async () => {
    const email = unique("kept-delete-js");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    const deleted = await browser.post(`${path}.data`, { intent: "delete", message: "typed before deleting (JS)" });
    expect(deleted.status).toBeLessThan(400);
    expect(await prisma.conversation.count({ where: { user: { email } } })).toBe(0);
    const html = await (await browser.get("/chat")).text();
    expect(html).toContain("What you had typed in its message box is in the box below.");
    expect(html).toMatch(/<textarea[^>]*id="composer-message"[^>]*>typed before deleting \(JS\)<\/textarea>/);
  });

  it("Cancel of an edit in place is a button of the box's form until JS runs, and leads back with the text", async () => {
    const email = unique("kept-edit-cancel");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    // My newest message answered and not a reply in progress: Edit is there.
    const mine = await prisma.message.findFirstOrThrow({ where: { user: { email }, role: "user" } });
    const html = await (await browser.get(`${path}?edit=${mine.id}`)).text();
    const to = `${path}#m-${mine.id}`;
    expect(html).toMatch(
      new RegExp(`<button[^>]*name="keepTo" value="${escape(to)}" form="composer-form"[^>]*>Cancel`),
    );
    const cancelled = await browser.post(path, { keepTo: to, message: "typed while editing" });
    expect(cancelled.status).toBe(302);
    expect(cancelled.headers.get("location")).toBe(to);
    expect(await messageBox(browser, path)).toBe("typed while editing");
  });

  it("Rename, Delete, Edit and Show earlier submit the box's text and lead where the link did, with it", async () => {
    const email = unique("kept-links");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    const html = await (await browser.get(path)).text();
    // Until JS runs they are buttons of the message box's form that name where to go.
    for (const to of [`${path}?panel=rename`, `${path}?panel=delete`]) {
      expect(html).toMatch(new RegExp(`<button[^>]*name="keepTo" value="${escape(to)}" form="composer-form"`));
    }
    expect(html).toMatch(/<button[^>]*name="keepTo" value="[^"]*\?edit=[^"]*#m-/);

    for (const to of [`${path}?panel=rename`, `${path}?edit=x#m-x`, `${path}?before=abc`]) {
      const response = await browser.post(path, { keepTo: to, message: `typed before ${to}` });
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(to);
      expect(await messageBox(browser, new URL(to, server.url).pathname)).toBe(`typed before ${to}`);
    }
    // Only somewhere on this page: another address is not followed; one that does not parse is this page.
    const others = await conversationOf(email);
    const someoneElse = unique("kept-links-other");
    await signedUp(server.url, someoneElse);
    const theirs = await conversationOf(someoneElse);
    for (const elsewhere of [
      "https://evil.example/x",
      "//evil.example/x",
      `//evil.example${others}`,
      others,
      "/settings/profile",
      "http://[",
      theirs,
    ]) {
      const response = await browser.post(path, { keepTo: elsewhere, message: "kept" });
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(path);
      expect(await messageBox(browser, path)).toBe("kept");
    }
  });

  it("Save title renames and keeps the box's text; a refused title keeps both", async () => {
    const email = unique("kept-rename");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    const page = await (await browser.get(`${path}?panel=rename`)).text();
    const field = /<input[^>]*id="rename-title"[^>]*>/.exec(page);
    expect(field?.[0]).toContain('form="composer-form"');
    const renamed = await browser.post(path, { intent: "rename", title: "A new title", message: "half a thought" });
    expect(renamed.status).toBe(302);
    expect(renamed.headers.get("location")).toBe(path);
    expect(await messageBox(browser, path)).toBe("half a thought");
    expect((await prisma.conversation.findFirstOrThrow({ where: { user: { email } } })).title).toBe("A new title");

    const refused = await browser.post(path, { intent: "rename", title: "", message: "still here" });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toMatch(/<textarea[^>]*id="composer-message"[^>]*>still here<\/textarea>/);
  });
});

describe("what a signed-out post may keep", () => {
  const pinAfterEnd = (browser: Client, path: string, text: string) =>
    browser.post(path, { intent: "pin", message: text });

  it("only from a session that ended in the last 15 minutes, never a disabled account's: else only shown back", async () => {
    const email = unique("kept-ended");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    await prisma.session.updateMany({
      where: { user: { email } },
      data: { revokedAt: new Date(Date.now() - 20 * 60 * 1000) },
    });
    const late = await pinAfterEnd(browser, path, "revoked long ago");
    expect(late.status).toBe(401);
    expect(await late.text()).toContain("revoked long ago");
    expect(await prisma.keptComposerText.count({ where: { user: { email } } })).toBe(0);

    // An expired session, the same: kept only when it expired just now.
    expect((await browser.post("/login", { email, password: PASSWORD })).status).toBe(302);
    await prisma.session.updateMany({
      where: { user: { email }, revokedAt: null },
      data: { expiresAt: new Date(Date.now() - 16 * 60 * 1000) },
    });
    expect((await pinAfterEnd(browser, path, "expired long ago")).status).toBe(401);
    expect(await prisma.keptComposerText.count({ where: { user: { email } } })).toBe(0);

    expect((await browser.post("/login", { email, password: PASSWORD })).status).toBe(302);
    await prisma.user.update({ where: { email }, data: { disabledAt: new Date() } });
    const disabled = await pinAfterEnd(browser, path, "while disabled");
    expect(disabled.status).toBe(401);
    expect(await disabled.text()).toContain("while disabled");
    expect(await prisma.keptComposerText.count({ where: { user: { email } } })).toBe(0);
  });

  it("only for the new-chat page or a conversation of theirs; a page past any id's length is no 500", async () => {
    const email = unique("kept-owned");
    const other = unique("kept-owned-other");
    const browser = await signedUp(server.url, email);
    await signedUp(server.url, other);
    const theirs = await conversationOf(other);
    await endSessions(email);
    for (const path of [theirs, "/chat/no-such-conversation"]) {
      const response = await pinAfterEnd(browser, path, `typed for ${path}`);
      expect(response.status).toBe(401);
      expect(await response.text()).toContain(`typed for ${path}`);
    }
    const long = await pinAfterEnd(browser, `/chat/${"x".repeat(3_000)}`, "on a long address");
    expect(long.status).toBe(401);
    expect(await long.text()).toContain("on a long address");
    expect(await prisma.keptComposerText.count({ where: { user: { email } } })).toBe(0);
    // Signed in, the theme switch does not keep text for another person's conversation either: it leads
    // to the new-chat page, the text kept there (as for a conversation deleted meanwhile).
    expect((await browser.post("/login", { email, password: PASSWORD })).status).toBe(302);
    const themed = await browser.post("/theme", { theme: "dark", redirectTo: theirs, message: "x" });
    expect(themed.status).toBe(302);
    expect(themed.headers.get("location")).toBe("/chat");
    const kept = await prisma.keptComposerText.findMany({ where: { user: { email } } });
    expect(kept.map((row) => row.page)).toEqual(["/chat"]);
  });

  it("keeps a person's newest 10 pages: more pages do not add rows", async () => {
    const email = unique("kept-cap");
    const browser = await signedUp(server.url, email);
    const paths: string[] = [];
    for (let index = 0; index < 12; index++) paths.push(await conversationOf(email));
    for (const [index, path] of paths.entries()) {
      expect((await browser.post(path, { intent: "pin", message: `text ${index}` })).status).toBe(302);
    }
    const kept = await prisma.keptComposerText.findMany({ where: { user: { email } }, orderBy: { keptAt: "asc" } });
    expect(kept.map((row) => row.page)).toEqual(paths.slice(2));
    expect(await messageBox(browser, paths[11]!)).toBe("text 11");
  });
});

describe("a calendar card's button with text in the box (no JS)", () => {
  it("keeps the text once the decision is answered; a decision that fails leaves no row behind", async () => {
    const email = unique("kept-card");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    const reply = await prisma.message.findFirstOrThrow({ where: { userId: user.id, role: "assistant" } });
    const preview = { title: "Dentist", before: null, after: ["Tomorrow 10:00"], affects: null };
    // A card whose stored input no longer makes an event: confirming it fails.
    const broken = await prisma.calendarAction.create({
      data: { userId: user.id, messageId: reply.id, kind: "create", input: { nonsense: true }, preview },
    });
    const failed = await browser.post(`${path}/actions/${broken.id}`, { intent: "confirm", message: "typed" });
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(await prisma.keptComposerText.count({ where: { userId: user.id } })).toBe(0);

    const cancelled = await browser.post(`${path}/actions/${broken.id}`, { intent: "cancel", message: "typed" });
    expect(cancelled.status).toBe(303);
    expect(await messageBox(browser, path)).toBe("typed");
  });

  it("a NUL in the box: the decision is made, the text comes back with U+FFFD and the page says a character was replaced", async () => {
    const email = unique("kept-card-nul");
    const browser = await signedUp(server.url, email);
    const path = await conversationOf(email);
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    const reply = await prisma.message.findFirstOrThrow({ where: { userId: user.id, role: "assistant" } });
    const preview = { title: "Dentist", before: null, after: ["Tomorrow 10:00"], affects: null };
    const card = await prisma.calendarAction.create({
      data: { userId: user.id, messageId: reply.id, kind: "create", input: { nonsense: true }, preview },
    });
    const cancelled = await browser.post(`${path}/actions/${card.id}`, { intent: "cancel", message: "a\0b" });
    expect(cancelled.status).toBe(303);
    expect((await prisma.calendarAction.findUniqueOrThrow({ where: { id: card.id } })).status).toBe("cancelled");
    const html = await (await browser.get(path)).text();
    expect(html).toMatch(/<textarea[^>]*id="composer-message"[^>]*>a\uFFFDb<\/textarea>/);
    expect(html).toMatch(/<p class="composer__note" id="composer-message-note" role="status">[^<]*cannot be stored/);
  });
});

/** `text` as a literal in a regular expression. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
