/**
 * A conversation's Markdown export: its title (and the model's name) read back as the literal text
 * typed, whatever Markdown or HTML it looks like; the messages are Markdown, exported as written.
 */
import escapeHtml from "escape-html";
import { Marked } from "marked";
import { describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { serverForThisFile, signedUp } from "../support/app-server";

const server = serverForThisFile({
  SESSION_SECRET: "export-markdown-test-session-secret-0123456789",
  RATE_LIMIT_READ_PER_MINUTE: "0",
  RATE_LIMIT_WRITE_PER_MINUTE: "0",
});

const TITLES = [
  "<img src=x onerror=alert(1)>",
  "# heading",
  "[link](javascript:alert(1))",
  "**bold** _em_ `code` ~~gone~~ | a | b |",
  "Q&amp;A \\ back\\slash ![pic](x.png) <https://example.test>",
  "1. not a list\n- nor this\n===",
  "Trip to Paris, 2027! www.example.test me@example.test",
];

describe("Markdown export", () => {
  it("writes each title as its literal text, and each message as the Markdown it is", async () => {
    const email = `export-md-${Date.now().toString(36)}@example.test`;
    const client = await signedUp(server.url, email);
    const { id: userId } = await prisma.user.findUniqueOrThrow({ where: { email } });
    // Rendered as a reader of the file would (GFM, raw HTML passed through, as most viewers do).
    const marked = new Marked({ gfm: true });
    for (const title of TITLES) {
      const conversation = await prisma.conversation.create({ data: { userId, title, titleIsManual: true } });
      await prisma.message.createMany({
        data: [
          { conversationId: conversation.id, userId, role: "user", content: "**kept** as _written_" },
          {
            conversationId: conversation.id,
            userId,
            role: "assistant",
            content: "A [link](https://example.test)",
            provider: "openrouter",
            model: "vendor/model_[x]<y>",
          },
        ],
      });
      const exported = await client.get(`/chat/${conversation.id}/export?format=md`);
      expect(exported.status).toBe(200);
      const markdown = await exported.text();
      const [heading] = markdown.split("\n\n");
      expect(marked.parse(heading!), JSON.stringify(title)).toBe(
        `<h1>${escapeHtml(title.replace(/\s*\n\s*/g, " "))}</h1>\n`,
      );
      const html = marked.parse(markdown) as string;
      expect(html).toContain("<p><strong>kept</strong> as <em>written</em></p>");
      expect(html).toContain('<p>A <a href="https://example.test">link</a></p>');
      expect(html).toContain(`(openrouter · vendor/model_[x]&lt;y&gt;)`);
    }
  });
});
