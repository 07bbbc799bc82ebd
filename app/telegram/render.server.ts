/**
 * Chat Markdown to Telegram's HTML parse mode. Telegram accepts a small tag set (b, i, u, s, a, code,
 * pre, blockquote) and refuses the whole message on anything else or on unbalanced markup, and model
 * output is untrusted: so Marked renders with a renderer that only ever emits those tags around
 * escaped text, and sanitize-html then enforces the same allow-list and balance on the result.
 */
import escapeHtml from "escape-html";
import { Marked, type Tokens } from "marked";
import sanitizeHtml from "sanitize-html";

/** Telegram's limit for one message, counted in characters of visible text. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

const telegramMarked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    heading({ tokens }) {
      return `<b>${this.parser.parseInline(tokens)}</b>\n\n`;
    },
    paragraph({ tokens }) {
      return `${this.parser.parseInline(tokens)}\n\n`;
    },
    blockquote({ tokens }) {
      return `<blockquote>${this.parser.parse(tokens).trim()}</blockquote>\n\n`;
    },
    code({ text, lang }) {
      const language = lang && /^[\w+#.-]{1,40}$/.test(lang) ? ` class="language-${lang}"` : "";
      return `<pre><code${language}>${escapeHtml(text)}</code></pre>\n\n`;
    },
    html({ text }) {
      return escapeHtml(text);
    },
    hr() {
      return "———\n\n";
    },
    list(token) {
      const start = typeof token.start === "number" ? token.start : 1;
      const lines = token.items.map((item: Tokens.ListItem, index: number) => {
        const bullet = token.ordered ? `${start + index}.` : "•";
        const check = item.task ? (item.checked ? "☑ " : "☐ ") : "";
        const body = item.tokens
          .map((block) =>
            block.type === "text" && "tokens" in block && block.tokens
              ? this.parser.parseInline(block.tokens)
              : this.parser.parse([block]).trim(),
          )
          .filter((part) => part !== "")
          .join("\n");
        // Nested lists and later paragraphs of an item are indented under its bullet.
        return `${bullet} ${check}${body.replace(/\n/g, "\n  ")}`;
      });
      return `${lines.join("\n")}\n\n`;
    },
    checkbox() {
      return "";
    },
    table(token) {
      // Telegram has no tables: the cells as monospaced rows keep them readable.
      const row = (cells: Tokens.TableCell[]) =>
        cells.map((cell) => this.parser.parseInline(cell.tokens, this.parser.textRenderer)).join(" | ");
      const text = [row(token.header), ...token.rows.map(row)].join("\n");
      return `<pre>${escapeHtml(text)}</pre>\n\n`;
    },
    strong({ tokens }) {
      return `<b>${this.parser.parseInline(tokens)}</b>`;
    },
    em({ tokens }) {
      return `<i>${this.parser.parseInline(tokens)}</i>`;
    },
    del({ tokens }) {
      return `<s>${this.parser.parseInline(tokens)}</s>`;
    },
    codespan({ text }) {
      return `<code>${escapeHtml(text)}</code>`;
    },
    br() {
      return "\n";
    },
    link({ href, tokens }) {
      const label = this.parser.parseInline(tokens);
      // Only web links become links; anything else (javascript:, relative) stays its visible text.
      return /^https?:\/\//i.test(href) ? `<a href="${escapeHtml(href)}">${label}</a>` : label;
    },
    image({ href, text }) {
      return /^https?:\/\//i.test(href)
        ? `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`
        : escapeHtml(text);
    },
    text(token) {
      return "tokens" in token && token.tokens ? this.parser.parseInline(token.tokens) : escapeHtml(token.text);
    },
    space() {
      return "";
    },
    def() {
      return "";
    },
  },
});

const TELEGRAM_ALLOW_LIST: sanitizeHtml.IOptions = {
  allowedTags: ["b", "i", "s", "a", "code", "pre", "blockquote"],
  allowedAttributes: { a: ["href"] },
  allowedClasses: { code: [/^language-[\w+#.-]{1,40}$/] },
  allowedSchemes: ["http", "https"],
  allowProtocolRelative: false,
  disallowedTagsMode: "escape",
  // sanitize-html writes `'` as-is and only these four as entities, which is what Telegram parses.
  parser: { decodeEntities: true },
};

/** Markdown to Telegram HTML (balanced, allow-listed). */
export function toTelegramHtml(markdown: string): string {
  const html = telegramMarked.parse(markdown.replace(/\0/g, "\uFFFD"), { async: false });
  return sanitizeHtml(html, TELEGRAM_ALLOW_LIST).trim();
}

/** What Telegram counts: the text once the markup is gone and entities are decoded. */
export function visibleLength(html: string): number {
  const text = html.replace(/<[^>]*>/g, "").replace(/&(lt|gt|amp|quot);|&#(\d+);|&#x([0-9a-f]+);/gi, "x");
  return [...text].length;
}

/**
 * A reply as Telegram messages of at most TELEGRAM_MESSAGE_LIMIT visible characters, each valid on its
 * own: split between Markdown blocks, and a block too long by itself is sent as escaped plain text
 * in pieces.
 */
export function toTelegramMessages(markdown: string, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  const whole = toTelegramHtml(markdown);
  if (visibleLength(whole) <= limit) return whole === "" ? [] : [whole];
  const messages: string[] = [];
  let current = "";
  const flush = () => {
    const html = toTelegramHtml(current);
    if (html !== "") messages.push(html);
    current = "";
  };
  for (const block of telegramMarked.lexer(markdown)) {
    const candidate = current + block.raw;
    if (visibleLength(toTelegramHtml(candidate)) <= limit) {
      current = candidate;
      continue;
    }
    flush();
    if (visibleLength(toTelegramHtml(block.raw)) <= limit) {
      current = block.raw;
      continue;
    }
    // One block longer than a message: plain text, cut at the limit (by characters, not UTF-16 units).
    const characters = [...block.raw];
    for (let at = 0; at < characters.length; at += limit) {
      const piece = escapeHtml(characters.slice(at, at + limit).join("")).trim();
      if (piece !== "") messages.push(piece);
    }
  }
  flush();
  return messages;
}
