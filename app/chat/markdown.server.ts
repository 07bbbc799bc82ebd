/**
 * Turns chat messages (Markdown written by people and by models) into HTML that is safe to inject with
 * `dangerouslySetInnerHTML`. Model output is untrusted: a prompt-injected page can make a model emit any
 * markup, so rendering is two layers: Marked never passes raw HTML through, and sanitize-html then
 * enforces a strict allow-list on whatever Marked produced.
 */
// The common grammars (~36) plus a few more seen in chat replies; the full bundle's ~190 grammars cost
// ~4 MB of heap in every process for languages that almost never come up. Others stay plain text.
import hljs from "highlight.js/lib/common";
import dockerfile from "highlight.js/lib/languages/dockerfile";
import nginx from "highlight.js/lib/languages/nginx";
import powershell from "highlight.js/lib/languages/powershell";
import protobuf from "highlight.js/lib/languages/protobuf";
import { Marked, Tokenizer, type Token, type Tokens } from "marked";
import { markedHighlight } from "marked-highlight";
import escapeHtml from "escape-html";
import sanitizeHtml from "sanitize-html";

hljs.registerLanguage("dockerfile", dockerfile);
hljs.registerLanguage("nginx", nginx);
hljs.registerLanguage("powershell", powershell);
hljs.registerLanguage("protobuf", protobuf);

/**
 * Fenced blocks larger than this are shown unhighlighted: a model can emit a huge block, and colouring
 * it costs far more than it is worth on a chat page.
 */
const MAX_HIGHLIGHT_LENGTH = 64 * 1024;

/**
 * Only a fence's explicit language is highlighted; there is deliberately no auto-detection. Unlabelled
 * blocks in chat replies are mostly shell output, logs or prose, which auto-detection colours wrongly,
 * and `highlightAuto` runs every grammar over the block, which is too slow for large replies.
 */
function highlight(code: string, language: string): string {
  // Returning the code unchanged tells marked-highlight to escape it as plain text.
  if (!language || code.length > MAX_HIGHLIGHT_LENGTH || !hljs.getLanguage(language)) return code;
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}

/**
 * Marked searches for an emphasis or strikethrough closer from every opener to the end of the paragraph,
 * which is quadratic on paragraphs full of unmatched `*`/`_`/`~` (minutes for 100 KB). Each search sees
 * only a window, so emphasis longer than that stays literal, and a render has a budget of characters to
 * search: once a pathological message has spent it, its remaining delimiters are shown as typed.
 */
const DELIMITER_WINDOW = 1000;
/** Enough of what precedes an opener for Marked's flanking rules, which look at the run before it. */
const DELIMITER_LOOKBEHIND = 64;
let delimiterBudget = 0;

/**
 * Cuts both strings around the current position. Marked locates it as `maskedSrc.length - src.length`,
 * so both must end at the same place; short paragraphs are passed whole to keep Marked's own cache.
 */
function windowed(src: string, maskedSrc: string): [string, string] {
  if (maskedSrc.length <= DELIMITER_WINDOW + DELIMITER_LOOKBEHIND) return [src, maskedSrc];
  const position = maskedSrc.length - src.length;
  const from = Math.max(0, position - DELIMITER_LOOKBEHIND);
  return [src.slice(0, DELIMITER_WINDOW), maskedSrc.slice(from, position + DELIMITER_WINDOW)];
}

function searchDelimited<T extends Token>(
  src: string,
  maskedSrc: string,
  opener: RegExp,
  search: (src: string, maskedSrc: string) => T | undefined,
): T | undefined {
  if (delimiterBudget <= 0) return undefined;
  const [windowSrc, windowMasked] = windowed(src, maskedSrc);
  const token = search(windowSrc, windowMasked);
  // A failed search from a real opener scanned the whole window; other failures return at once.
  if (token) delimiterBudget -= token.raw.length;
  else if (opener.test(src)) delimiterBudget -= windowSrc.length;
  return token;
}

/**
 * Marked's inline-text rule looks ahead over every email-ish character for an `@` from each start of a
 * text run, which is quadratic on long runs like `*a*a*a…`. Text is lexed in windows cut at a space
 * (URLs and emails have none), and Marked merges adjacent text back together.
 */
const TEXT_WINDOW = 256;

function textWindow(src: string): string {
  if (src.length <= TEXT_WINDOW) return src;
  const space = src.lastIndexOf(" ", TEXT_WINDOW);
  return src.slice(0, space > TEXT_WINDOW / 2 ? space + 1 : TEXT_WINDOW);
}

/**
 * Marked tries its bare-URL/email rule at every position, and the email branch scans the whole run of
 * local-part characters before failing: quadratic on `_a_a_a…`. Only positions that can start a match
 * get the full rule (an email's local part is at most 64 characters).
 */
const URL_START = /^(?:mailto:|xmpp:|[hH][tT][tT][pP][sS]?:\/\/|[fF][tT][pP]:\/\/|www\.|[\w.+-]{1,64}@)/;
/** Longer bare URLs stay text; a link cut short would lead somewhere else. */
const MAX_URL_LENGTH = 4096;
/**
 * Marked drops a URL's trailing punctuation one character per pass over the URL: quadratic on
 * `http://x/.....`. It would drop all of a long run anyway, so it is only shown the run's start.
 */
const MAX_URL_TRAILING_PUNCTUATION = 32;
const URL_TRAILING_PUNCTUATION = new Set(["?", "!", ".", ",", ":", ";", "*", "_", "'", '"', "~", ")"]);

/** What the bare-URL rule may see from here, or undefined where no bare URL can start. */
function urlCandidate(src: string): string | undefined {
  if (!URL_START.test(src)) return undefined;
  const head = src.slice(0, MAX_URL_LENGTH + 1);
  const stop = head.search(/[\s<]/);
  const end = stop === -1 ? head.length : stop;
  if (end > MAX_URL_LENGTH) return undefined;
  let kept = end;
  while (kept > 0 && URL_TRAILING_PUNCTUATION.has(src.charAt(kept - 1))) kept--;
  return end - kept > MAX_URL_TRAILING_PUNCTUATION ? src.slice(0, kept + MAX_URL_TRAILING_PUNCTUATION) : src;
}

/** Deep `>`/list nesting recurses once per level and overflows the stack near a thousand levels. */
const MAX_CONTAINER_DEPTH = 32;
let containerDepth = 0;

/** Runs a container tokenizer unless nested too deep; declining makes Marked treat the line as text. */
function nested<T>(parse: () => T | undefined): T | undefined {
  if (containerDepth >= MAX_CONTAINER_DEPTH) return undefined;
  containerDepth++;
  try {
    return parse();
  } finally {
    containerDepth--;
  }
}

/** An image nested in a link would become a link inside a link; its alt text is enough there. */
function imagesToText(tokens: Token[]): Token[] {
  return tokens.map((token) =>
    token.type === "image" ? { type: "text", raw: token.raw, text: token.text || "image", escaped: false } : token,
  );
}

const marked = new Marked(
  { gfm: true, breaks: true, async: false },
  markedHighlight({ highlight, langPrefix: "hljs language-", emptyLangClass: "hljs" }),
  {
    tokenizer: {
      blockquote(src) {
        return nested(() => Tokenizer.prototype.blockquote.call(this, src));
      },
      list(src) {
        return nested(() => Tokenizer.prototype.list.call(this, src));
      },
      emStrong(src, maskedSrc, prevChar) {
        return searchDelimited(src, maskedSrc, this.rules.inline.emStrongLDelim, (s, m) =>
          Tokenizer.prototype.emStrong.call(this, s, m, prevChar),
        );
      },
      del(src, maskedSrc, prevChar) {
        return searchDelimited(src, maskedSrc, this.rules.inline.delLDelim, (s, m) =>
          Tokenizer.prototype.del.call(this, s, m, prevChar),
        );
      },
      url(src) {
        const candidate = urlCandidate(src);
        return candidate === undefined ? undefined : Tokenizer.prototype.url.call(this, candidate);
      },
      inlineText(src) {
        return Tokenizer.prototype.inlineText.call(this, textWindow(src));
      },
    },
    walkTokens(token) {
      if (token.type === "link" && token.tokens) token.tokens = imagesToText(token.tokens);
    },
    renderer: {
      // Raw HTML is shown as text, not stripped: people and models often mention tags in prose.
      html(token: Tokens.HTML | Tokens.Tag) {
        if (token.type === "html" && token.block) {
          return `<p>${escapeHtml(token.text.trimEnd()).replace(/\n/g, "<br>")}</p>\n`;
        }
        return escapeHtml(token.text);
      },
      // A personal assistant must not load remote images: they are tracking pixels and can leak the
      // conversation through the URL. An image becomes an ordinary link the person can choose to open.
      image(token: Tokens.Image) {
        const alt = this.parser.parseInline(token.tokens, this.parser.textRenderer) || token.href;
        const href = encodedHref(token.href);
        if (href === undefined || !isAllowedHref(href)) return escapeHtml(alt);
        const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
        return `<a href="${escapeHtml(href)}"${title}>Image: ${escapeHtml(alt)}</a>`;
      },
      // A refused link is its text, rendered here rather than dropped by the sanitizer: the sanitizer
      // renames the closing tag of every later link at the same depth (sanitize-html keeps the rename).
      link(token: Tokens.Link) {
        const text = this.parser.parseInline(token.tokens);
        const href = encodedHref(token.href);
        if (href === undefined || !isAllowedHref(href)) return text;
        const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
        return `<a href="${escapeHtml(href)}"${title}>${text}</a>`;
      },
      // Form controls are not allowed through the sanitizer, so task-list boxes are drawn as glyphs.
      checkbox(token: Tokens.Checkbox) {
        return `<span class="task-checkbox">${token.checked ? "☑" : "☐"}</span> `;
      },
    },
  },
);

const ALLOWED_LINK = /^(?:https?|mailto):$/;

/**
 * Links must be absolute http(s) or mailto. The WHATWG parser is the one browsers use, so what passes
 * here is what a browser would follow (it strips tabs/newlines as in `java\tscript:`). Relative links
 * are refused too: a model has no business linking into ARES's own pages. A refused link keeps its text.
 */
function isAllowedHref(href: string): boolean {
  try {
    return ALLOWED_LINK.test(new URL(href).protocol);
  } catch {
    return false;
  }
}

/** As Marked does for links: percent-encode, but keep existing escapes; undefined when it cannot. */
function encodedHref(href: string): string | undefined {
  try {
    return encodeURI(href).replace(/%25/g, "%");
  } catch {
    return undefined;
  }
}

/** Second line of defence behind the link renderer: the sanitizer sees only what Marked produced. */
function secureLink(_tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const href = attribs.href ?? "";
  // An allowed, attribute-less tag: a disallowed one would leave the rename behind for later links.
  if (!isAllowedHref(href)) return { tagName: "span", attribs: {} };
  const link: sanitizeHtml.Attributes = { href, rel: "noopener nofollow noreferrer", target: "_blank" };
  if (attribs.title) link.title = attribs.title;
  return { tagName: "a", attribs: link };
}

const TABLE_ALIGN = { name: "align", multiple: false, values: ["left", "center", "right"] };

/** Exactly the elements Marked emits for GFM, nothing else: no forms, media, embeds, styles or ids. */
const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "li",
    "pre",
    "code",
    "span",
    "em",
    "strong",
    "del",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
  ],
  allowedAttributes: {
    a: ["href", "title", "rel", "target"],
    ol: ["start"],
    th: [TABLE_ALIGN],
    td: [TABLE_ALIGN],
  },
  allowedClasses: {
    code: ["hljs", /^language-[\w+#.-]{1,40}$/],
    span: [/^hljs-[\w-]{1,40}$/, "task-checkbox"],
  },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  // Legitimate replies nest a few levels; thousands of levels only slow the browser down.
  nestingLimit: 100,
  transformTags: { a: secureLink },
};

/** Markdown (GFM, single newlines kept as line breaks) to sanitized HTML. */
export function renderMarkdown(markdown: string): string {
  delimiterBudget = Math.max(500_000, markdown.length * 10);
  let html: string;
  try {
    // CommonMark: U+0000 is replaced, never passed on.
    html = marked.parse(markdown.replace(/\0/g, "\uFFFD"), { async: false });
  } catch {
    // A message that trips a Marked bug is still shown, as the text it is.
    return `<p>${renderPlainText(markdown)}</p>`;
  }
  return sanitizeHtml(html, SANITIZE_OPTIONS);
}

/** Plain text (e.g. an error message) to HTML: everything escaped, line breaks kept. */
export function renderPlainText(text: string): string {
  return escapeHtml(text).replace(/\r\n?|\n/g, "<br>\n");
}
