import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createAccount } from "~/auth/accounts.server";
import { flushReplyHtml, REPLY_HTML_VERSION, renderReply, replyHtml } from "~/chat/reply-html.server";
import { prisma } from "~/db/db.server";
import type { MessageStatus } from "~/generated/prisma/enums";
import { countQueries } from "../support/query-counter";

let people = 0;
async function conversation() {
  people += 1;
  const user = await createAccount({ email: `reply-html-${people}-${Date.now()}@example.test` });
  const { id } = await prisma.conversation.create({ data: { userId: user.id } });
  return { userId: user.id, conversationId: id };
}

async function reply(
  owner: { userId: string; conversationId: string },
  content: string,
  stored: { html?: string; htmlVersion?: number; status?: MessageStatus } = {},
) {
  return prisma.message.create({
    data: { ...owner, role: "assistant", status: "complete", content, ...stored },
    select: { id: true, role: true, status: true, content: true, html: true, htmlVersion: true },
  });
}

const row = (id: string) =>
  prisma.message.findUniqueOrThrow({ where: { id }, select: { html: true, htmlVersion: true } });

describe("a reply's stored HTML", () => {
  it("is served as stored when its renderer version is current, without rendering or a query", async () => {
    const owner = await conversation();
    // Stored HTML that rendering the text would never give: proof that it is not rendered again.
    const message = await reply(owner, "**bold**", { html: "<p>as stored</p>", htmlVersion: REPLY_HTML_VERSION });
    const { result, statements } = await countQueries(async () => {
      const html = replyHtml(message);
      await flushReplyHtml();
      return html;
    });
    expect(result).toBe("<p>as stored</p>");
    expect(statements).toEqual([]);
  });

  it("is rendered when missing or made by an older renderer, and stored once in the background", async () => {
    const owner = await conversation();
    const missing = await reply(owner, "A **first** reply");
    const older = await reply(owner, "A `second` reply", { html: "<p>old renderer</p>", htmlVersion: 0 });
    expect(replyHtml(missing)).toBe("<p>A <strong>first</strong> reply</p>\n");
    expect(replyHtml(older)).toBe("<p>A <code>second</code> reply</p>\n");
    // Nothing written while the page is served; the queue is stored in one statement.
    expect(await row(missing.id)).toEqual({ html: null, htmlVersion: null });
    const { statements } = await countQueries(() => flushReplyHtml());
    expect(statements).toHaveLength(1);
    expect(await row(missing.id)).toEqual({ html: renderReply(missing.content), htmlVersion: REPLY_HTML_VERSION });
    expect(await row(older.id)).toEqual({ html: renderReply(older.content), htmlVersion: REPLY_HTML_VERSION });
  });

  it("is never stored for text that changed since it was rendered, nor for a reply still being written", async () => {
    const owner = await conversation();
    const edited = await reply(owner, "before the edit");
    const growing = await reply(owner, "still **grow", { status: "streaming" });
    replyHtml(edited);
    // The partial text is shown with its open constructs closed, and not stored.
    expect(replyHtml(growing)).toBe("<p>still <strong>grow</strong></p>\n");
    await prisma.message.update({ where: { id: edited.id }, data: { content: "after the edit" } });
    await flushReplyHtml();
    expect(await row(edited.id)).toEqual({ html: null, htmlVersion: null });
    expect(await row(growing.id)).toEqual({ html: null, htmlVersion: null });
  });

  it("made by a newer renderer (another process mid-deploy) is served as stored and never overwritten", async () => {
    const owner = await conversation();
    const newer = await reply(owner, "**bold**", {
      html: "<p>newer renderer</p>",
      htmlVersion: REPLY_HTML_VERSION + 1,
    });
    expect(replyHtml(newer)).toBe("<p>newer renderer</p>");
    // Even a render queued by this process before the newer one stored its HTML leaves it alone.
    const raced = await reply(owner, "A *raced* reply");
    expect(replyHtml(raced)).toBe(renderReply(raced.content));
    await prisma.message.update({
      where: { id: raced.id },
      data: { html: "<p>stored by a newer process</p>", htmlVersion: REPLY_HTML_VERSION + 1 },
    });
    await flushReplyHtml();
    expect(await row(newer.id)).toEqual({ html: "<p>newer renderer</p>", htmlVersion: REPLY_HTML_VERSION + 1 });
    expect(await row(raced.id)).toEqual({
      html: "<p>stored by a newer process</p>",
      htmlVersion: REPLY_HTML_VERSION + 1,
    });
  });

  it("is only for assistant replies", async () => {
    const owner = await conversation();
    const mine = await prisma.message.create({
      data: { ...owner, role: "user", content: "**mine**" },
      select: { id: true, role: true, status: true, content: true, html: true, htmlVersion: true },
    });
    expect(replyHtml(mine)).toBeNull();
  });
});

describe("REPLY_HTML_VERSION", () => {
  it("changes whenever what a reply renders to changes (bump it with the renderer, then update this fingerprint)", () => {
    const samples = [
      "# Title\n\nSome **bold**, _em_, ~~gone~~ and `code`.",
      "- one\n- two\n\n1. first\n2. second",
      "```ts\nconst x: number = 1;\n```\n\n```\nplain\n```",
      "| a | b |\n|---|---|\n| 1 | 2 |",
      "[a link](https://example.com) <script>alert(1)</script> <b>raw</b>",
      "> quoted\n\n---\n\n![img](https://example.com/x.png)",
    ];
    const fingerprint = createHash("sha256")
      .update(samples.map((sample) => renderReply(sample)).join("\u0000"))
      .digest("hex")
      .slice(0, 16);
    expect({ version: REPLY_HTML_VERSION, fingerprint }).toEqual({ version: 1, fingerprint: "0941c8f4c934c7bc" });
  });
});
