import { describe, expect, it } from "vitest";
import { parseTelegramHtml } from "../../e2e/stand-ins/telegram-server";
import { toTelegramHtml, toTelegramMessages, TELEGRAM_MESSAGE_LIMIT } from "./render.server";

const NASTY = [
  "# Title\n\n**bold** _it_ ~~gone~~ `a<b` [ok](https://ok.example/?a=1&b=2) [bad](javascript:alert(1)) [rel](/x)",
  "<script>alert(1)</script> <b>raw</b> & AT&T 1 < 2 > 0 \"quoted\" 'single'",
  '```js\nif (a < b && c > d) { return "</code>"; }\n```',
  "> quote with **bold**\n>\n> - item",
  "- one\n- two\n  - nested **x**\n\n1. first\n2. second\n\n- [x] done\n- [ ] todo",
  "| a | b |\n|---|---|\n| <1> | &2 |",
  "![img](https://img.example/x.png) ![local](/x.png)",
  "*unclosed **bold _mixed",
  "line one\nline two\n\n---\n\nafter rule",
  "\u0000 NUL and emoji 🎉 and Zürich",
];

describe("Markdown to Telegram HTML", () => {
  it.each(NASTY)("is accepted by Telegram's parser: %s", (markdown) => {
    const html = toTelegramHtml(markdown);
    expect(() => parseTelegramHtml(html)).not.toThrow();
  });

  it("keeps formatting Telegram supports and drops unsafe links to their text", () => {
    expect(toTelegramHtml("# Plan\n\n**Go** to [docs](https://docs.example) or [here](javascript:x)")).toBe(
      '<b>Plan</b>\n\n<b>Go</b> to <a href="https://docs.example">docs</a> or here',
    );
    expect(toTelegramHtml("```py\nprint(1 < 2)\n```")).toBe(
      '<pre><code class="language-py">print(1 &lt; 2)</code></pre>',
    );
    expect(parseTelegramHtml(toTelegramHtml("<b>not markup</b> & co"))).toBe("<b>not markup</b> & co");
  });

  it("splits a long reply into valid messages under the limit, losing no text", () => {
    const paragraph = "word ".repeat(300).trim();
    const markdown = Array.from({ length: 12 }, (_, i) => `**Part ${i}** ${paragraph}`).join("\n\n");
    const messages = toTelegramMessages(markdown);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) {
      const visible = parseTelegramHtml(message);
      expect([...visible].length).toBeLessThanOrEqual(TELEGRAM_MESSAGE_LIMIT);
    }
    const words = messages
      .map((m) => parseTelegramHtml(m))
      .join(" ")
      .split(/\s+/)
      .filter((w) => w === "word");
    expect(words.length).toBe(12 * 300);
  });

  it("cuts one block longer than a message into plain pieces", () => {
    const messages = toTelegramMessages("x".repeat(TELEGRAM_MESSAGE_LIMIT * 2 + 10));
    expect(messages.map((m) => parseTelegramHtml(m).length)).toEqual([
      TELEGRAM_MESSAGE_LIMIT,
      TELEGRAM_MESSAGE_LIMIT,
      10,
    ]);
  });

  it("sends nothing for an empty reply", () => {
    expect(toTelegramMessages("  \n ")).toEqual([]);
  });
});
