import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderMarkdown, renderPlainText } from "./markdown.server";

type Element = { tag: string; attributes: Map<string, string> };

const ALLOWED: Record<string, string[]> = {
  p: [],
  br: [],
  hr: [],
  h1: [],
  h2: [],
  h3: [],
  h4: [],
  h5: [],
  h6: [],
  blockquote: [],
  ul: [],
  ol: ["start"],
  li: [],
  pre: [],
  code: ["class"],
  span: ["class"],
  em: [],
  strong: [],
  del: [],
  a: ["href", "title", "rel", "target"],
  table: [],
  thead: [],
  tbody: [],
  tr: [],
  th: ["align"],
  td: ["align"],
};

const TAG = /<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*(\/?)>/g;
const ATTRIBUTE = /\s+([a-z-]+)(?:="([^"<>]*)")?/g;

function decodeEntities(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/**
 * Reads the renderer's output as a browser would tokenize it. The sanitizer's serialization is regular
 * (double-quoted attributes, `<`/`>` always escaped in text and values), so a tag pattern is exact, and
 * any `<` or `>` left outside a recognised tag means the output is not what we think it is.
 */
function parse(html: string): Element[] {
  const elements: Element[] = [];
  const text = html.replace(TAG, (_match, closing: string, tag: string, attributes: string) => {
    if (!closing) {
      const map = new Map<string, string>();
      for (const [, name, value] of attributes.matchAll(ATTRIBUTE)) map.set(name!, decodeEntities(value ?? ""));
      elements.push({ tag, attributes: map });
    }
    return "";
  });
  expect(text, "stray markup outside recognised tags").not.toMatch(/[<>]/);
  return elements;
}

/** The output contains nothing a browser would execute, load or let restyle the page. */
function expectInert(html: string): Element[] {
  const elements = parse(html);
  for (const { tag, attributes } of elements) {
    expect(Object.keys(ALLOWED), `<${tag}> is not allowed`).toContain(tag);
    for (const [name, value] of attributes) {
      expect(ALLOWED[tag], `${name} on <${tag}>`).toContain(name);
      expect(name).not.toMatch(/^on/);
      // Browsers ignore whitespace and control characters inside a URL's scheme.
      const compact = [...value].filter((char) => char.charCodeAt(0) > 0x20).join("");
      if (name === "href" || name === "src") {
        // What a URL does is its scheme: `javascript:` later in an http address (its path, or the user
        // part of `http://x(javascript:y)z@example.com`, which GFM autolinks) runs nothing.
        expect(compact).not.toMatch(/^(?:java|vb)script:|^data:/i);
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(compact)?.[1]?.toLowerCase();
        expect(["http", "https", "mailto", undefined], `${name}="${value}"`).toContain(scheme);
      } else {
        expect(compact).not.toMatch(/(?:java|vb)script:|data:/i);
      }
    }
    if (tag === "a") {
      expect(attributes.get("href")).toMatch(/^(?:https?:\/\/|mailto:)/);
      expect(attributes.get("rel")).toBe("noopener nofollow noreferrer");
      expect(attributes.get("target")).toBe("_blank");
    }
  }
  return elements;
}

const XSS_VECTORS: [string, string][] = [
  ["script tag", "<script>alert(1)</script>"],
  ["uppercase script with src", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>"],
  ["img onerror", "<img src=x onerror=alert(1)>"],
  ["svg onload", "<svg onload=alert(1)>"],
  ["script inside svg", "<svg><script>alert(1)</script></svg>"],
  ["markdown javascript link", "[x](javascript:alert(1))"],
  ["uppercase javascript link", "[x](JAVASCRIPT:alert(1))"],
  ["decimal entity colon", "[x](javascript&#58;alert(1))"],
  ["hex entity colon", "[x](javascript&#x3A;alert(1))"],
  ["entity-encoded scheme letter", "[x](&#106;avascript:alert(1))"],
  ["tab inside scheme", "[x](<java\tscript:alert(1)>)"],
  ["leading space in href", "[x](< javascript:alert(1)>)"],
  ["reference-style javascript link", "[x][r]\n\n[r]: javascript:alert(1)"],
  ["raw anchor with javascript href", '<a href="javascript:alert(1)">x</a>'],
  ["raw anchor with entity-encoded href", '<a href="&#x6A;avascript:alert(1)">x</a>'],
  ["raw anchor with onclick", '<a href="https://ok.example" onclick="alert(1)">x</a>'],
  ["iframe", '<iframe src="https://evil.example"></iframe>'],
  ["style element", "<style>body{display:none}</style>"],
  ["form and inputs", '<form action="https://evil.example"><input name="password"><button>go</button></form>'],
  ["style attribute", '<p style="position:fixed;inset:0">x</p>'],
  ["data: html link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"],
  ["vbscript link", "[x](vbscript:msgbox(1))"],
  ["markdown image with javascript src", "![x](javascript:alert(1))"],
  ["markdown image alt breaking out", '![x" onerror="alert(1)](https://img.example/a.png)'],
  ["markdown image src breaking out", '![x](https://img.example/a.png"onerror="alert(1))'],
  ["link title breaking out", '[x](https://ok.example "t\\" onmouseover=\\"alert(1)")'],
  ["unclosed tags", '<div><img src=x onerror=alert(1)//<a href="javascript:alert(1)"'],
  ["nested script tags", "<<script>script>alert(1)<</script>/script>"],
  ["math namespace confusion", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"],
  ["svg style confusion", "<svg><style><img src=x onerror=alert(1)></style></svg>"],
  ["svg xlink href", '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'],
  ["comment breaking out", "<!-- --><script>alert(1)</script> -->"],
  ["short comment trick", "<!--><img src=x onerror=alert(1)>-->"],
  ["html in a fenced block", "```html\n<img src=x onerror=alert(1)>\n```"],
  ["attributes in the fence info", '```js" onmouseover="alert(1)\nconst x = 1;\n```'],
  ["html in inline code", "`<img src=x onerror=alert(1)>`"],
  ["object and embed", '<object data="x.swf"></object><embed src="x.swf">'],
  [
    "base and meta refresh",
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  ],
  ["autolink with quotes", '<https://ok.example/"onmouseover="alert(1)>'],
  ["protocol-relative link", "[x](//evil.example/path)"],
  ["details ontoggle", "<details open ontoggle=alert(1)>"],
  ["textarea wrapping script", "<textarea><script>alert(1)</script></textarea>"],
  ["noscript attribute trick", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'],
  ["table cell background", '<table><tr><td background="javascript:alert(1)">x</td></tr></table>'],
  ["gfm bare url breaking out", 'www.example.com/"><script>alert(1)</script>'],
  ["unknown element with handler", "<x onclick=alert(1)>x</x>"],
  ["null byte in tag name", "<scr\0ipt>alert(1)</scr\0ipt>"],
  ["dom clobbering ids", '<a id="__proto__" name="location" href="https://ok.example">x</a>'],
];

describe("renderMarkdown: untrusted input comes out inert", () => {
  it.each(XSS_VECTORS)("%s", (_name, vector) => {
    const html = renderMarkdown(vector);
    expectInert(html);
    expect(html).not.toMatch(
      /<(?:script|style|iframe|object|embed|form|input|button|textarea|img|svg|math|base|meta)\b/i,
    );
  });

  it("shows raw HTML as text rather than dropping it", () => {
    const html = renderMarkdown('Use <b>bold</b> and <img src=x onerror="alert(1)">');
    expectInert(html);
    expect(html).toBe('<p>Use &lt;b&gt;bold&lt;/b&gt; and &lt;img src=x onerror="alert(1)"&gt;</p>\n');
  });

  it("replaces NUL characters, as CommonMark requires", () => {
    expect(renderMarkdown("a\0b")).toBe("<p>a\uFFFDb</p>\n");
  });

  it("keeps a refused link's text but not the link", () => {
    const html = renderMarkdown("[click me](javascript:alert(1)) and [home](/settings)");
    expect(expectInert(html).filter((element) => element.tag === "a")).toHaveLength(0);
    expect(html).toBe("<p>click me and home</p>\n");
  });

  it("turns images into links instead of loading them", () => {
    const html = renderMarkdown('![a chart](https://img.example/chart.png "Sales")');
    const [link] = expectInert(html).filter((element) => element.tag === "a");
    expect(link?.attributes.get("href")).toBe("https://img.example/chart.png");
    expect(link?.attributes.get("title")).toBe("Sales");
    expect(html).toContain(">Image: a chart</a>");
  });

  it("percent-encodes quotes in an image URL like any other link", () => {
    const elements = expectInert(renderMarkdown('![x](https://img.example/a.png"onerror="alert(1))'));
    const link = elements.find((element) => element.tag === "a");
    expect(link?.attributes.get("href")).toBe("https://img.example/a.png%22onerror=%22alert(1)");
  });

  it("does not nest a link inside a linked image", () => {
    const html = renderMarkdown("[![logo](https://img.example/logo.png)](https://example.com)");
    expect(expectInert(html).filter((element) => element.tag === "a")).toHaveLength(1);
    expect(html).toContain('href="https://example.com"');
    expect(html).toContain(">logo</a>");
  });
});

describe("renderMarkdown: Markdown features", () => {
  it("renders headings, emphasis, strikethrough and line breaks", () => {
    const html = renderMarkdown("# Title\n\n## Sub\n\n**bold** *em* ~~gone~~\nnext line");
    expectInert(html);
    expect(html).toContain("<h1>Title</h1>");
    expect(html).toContain("<h2>Sub</h2>");
    expect(html).toContain("<p><strong>bold</strong> <em>em</em> <del>gone</del><br />next line</p>");
  });

  it("renders lists, numbered lists that start elsewhere, and task lists", () => {
    const html = renderMarkdown("- one\n- two\n\n3. three\n4. four\n\n- [ ] todo\n- [x] done");
    expectInert(html);
    expect(html).toContain("<ul>\n<li>one</li>\n<li>two</li>\n</ul>");
    expect(html).toContain('<ol start="3">\n<li>three</li>');
    expect(html).toContain('<li><span class="task-checkbox">☐</span> todo</li>');
    expect(html).toContain('<li><span class="task-checkbox">☑</span> done</li>');
  });

  it("renders tables with column alignment", () => {
    const html = renderMarkdown("| a | b |\n|:--|:-:|\n| 1 | 2 |");
    expectInert(html);
    expect(html).toContain('<th align="left">a</th>');
    expect(html).toContain('<td align="center">2</td>');
  });

  it("renders blockquotes and inline code", () => {
    const html = renderMarkdown("> quoted `a < b`");
    expectInert(html);
    expect(html).toBe("<blockquote>\n<p>quoted <code>a &lt; b</code></p>\n</blockquote>\n");
  });

  it("highlights fenced code in the fence's language", () => {
    const html = renderMarkdown("```ts\nconst answer: number = 42; // why\n```");
    expectInert(html);
    expect(html).toContain('<pre><code class="hljs language-ts">');
    expect(html).toContain('<span class="hljs-keyword">const</span>');
    expect(html).toContain('<span class="hljs-number">42</span>');
    expect(html).toContain('<span class="hljs-comment">// why</span>');
  });

  it("leaves unlabelled and unknown-language blocks plain, escaped, and undetected", () => {
    const plain = renderMarkdown("```\nconst x = '<b>';\n```");
    expect(plain).toBe("<pre><code class=\"hljs\">const x = '&lt;b&gt;';\n</code></pre>");
    const unknown = renderMarkdown("```klingon\nif (x < 1) {}\n```");
    expect(unknown).toBe('<pre><code class="hljs language-klingon">if (x &lt; 1) {}\n</code></pre>');
    expect(renderMarkdown("```constructor\nx\n```")).toContain("x\n</code>");
  });

  it("links explicit links and bare URLs and emails, opening them safely", () => {
    const html = renderMarkdown(
      '[docs](https://docs.example/a?b=1&c=2 "The docs") www.example.org https://x.example/path. me@example.com',
    );
    const links = expectInert(html).filter((element) => element.tag === "a");
    expect(links.map((link) => link.attributes.get("href"))).toEqual([
      "https://docs.example/a?b=1&c=2",
      "http://www.example.org",
      "https://x.example/path",
      "mailto:me@example.com",
    ]);
    expect(links[0]?.attributes.get("title")).toBe("The docs");
    expect(html).toContain("https://x.example/path</a>.");
  });

  it("keeps emphasis that spans most of a long paragraph", () => {
    const sentence = "a fairly long sentence that keeps going ".repeat(20);
    const html = renderMarkdown(`intro ${"word ".repeat(400)} **${sentence.trim()}** outro`);
    expect(html).toContain(`<strong>${sentence.trim()}</strong>`);
  });

  it("treats containers nested absurdly deep as text instead of recursing", () => {
    const html = renderMarkdown(`${"> ".repeat(200)}deep`);
    expectInert(html);
    expect(html).toContain("deep");
    expect(html.match(/<blockquote>/g)?.length).toBeLessThanOrEqual(32);
  });
});

describe("renderMarkdown: large and adversarial input", () => {
  const size = 100 * 1024;
  const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  const realistic = fill(
    "## Heading\n\nSome **bold** text, a [link](https://example.com), `code`, and www.example.org.\n\n" +
      "```ts\nconst x: number = 1;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- item\n- item\n\n",
  );

  // Each of these was quadratic or overflowed the stack in Marked before the guards in markdown.server.
  it.each([
    ["realistic reply", realistic],
    ["unmatched emphasis", fill("*a _")],
    ["emphasis runs", fill("*a")],
    ["alternating delimiters", fill("_*")],
    ["strikethrough runs", fill("~a ~~")],
    ["email-like runs", fill("_a")],
    ["url with trailing dots", `http://a.example/${".".repeat(size)}`],
    ["url with trailing parens", `http://a.example/${")".repeat(size)}`],
    ["nested quotes", fill("> ")],
    ["nested list markers", fill("1. ")],
    ["list inside quote", fill("- > ")],
    ["open brackets", fill("[")],
    ["open tags", fill("<a b ")],
    ["one huge code block", "```ts\n" + fill("let a = 1;\n") + "```"],
  ])("renders a 100 KB %s", (_name, input) => {
    const html = renderMarkdown(input);
    expect(html.length).toBeGreaterThan(0);
    expect(html).not.toMatch(/<(?:script|img|iframe)\b/);
  });
});

describe("renderPlainText", () => {
  it("escapes everything and keeps line breaks", () => {
    expect(renderPlainText('No provider answered.\r\nSet <OPENROUTER_API_KEY> & "retry"\nor wait')).toBe(
      "No provider answered.<br>\nSet &lt;OPENROUTER_API_KEY&gt; &amp; &quot;retry&quot;<br>\nor wait",
    );
  });

  it("passes text through unchanged when nothing needs escaping", () => {
    expect(renderPlainText("plain")).toBe("plain");
  });
});

const VOID_ELEMENTS = new Set(["br", "hr"]);

/**
 * Reads the output inside the chat message's container as a browser's tree builder would see it: every
 * closing tag must close the element opened last (else the browser re-parents what follows), nothing may
 * close the container, and a link never opens inside another one.
 */
function expectBalanced(html: string): void {
  const stack: string[] = ["message-container"];
  for (const [, closing, tag] of html.matchAll(TAG) as Iterable<RegExpMatchArray & [string, string, string]>) {
    if (VOID_ELEMENTS.has(tag)) continue;
    if (closing) {
      expect(stack.length, `</${tag}> would close the message container`).toBeGreaterThan(1);
      expect(stack.at(-1), `</${tag}> closes <${String(stack.at(-1))}>`).toBe(tag);
      stack.pop();
    } else {
      if (tag === "a") expect(stack, "a link inside a link").not.toContain("a");
      stack.push(tag);
    }
  }
  expect(stack, "elements left open").toEqual(["message-container"]);
}

const MARKDOWN_PIECES = [
  "[",
  "]",
  "(",
  ")",
  "](",
  "[a](/x)",
  "[b](javascript:alert(1))",
  "[ok](https://ok.example)",
  "![i](/img.png)",
  "![j](https://img.example/j.png)",
  "<https://auto.example>",
  "www.bare.example",
  "mail@example.com",
  "[r][ref]",
  "\n\n[ref]: /relative",
  "\n\n[ref]: https://ref.example",
  "*",
  "**",
  "_",
  "~~",
  "`",
  "```",
  "\n",
  "\n\n",
  "> ",
  "- ",
  "1. ",
  "| a | b |\n|---|---|\n| c | d |",
  "<a href=x>",
  "</a>",
  "</p>",
  "<div>",
  "&",
  "text",
  " ",
];

const arbitraryMarkdown = fc.oneof(
  fc.array(fc.constantFrom(...MARKDOWN_PIECES), { maxLength: 40 }).map((pieces) => pieces.join("")),
  fc.string({ maxLength: 200 }),
);

describe("renderMarkdown: balanced output (finding 3, link spill)", () => {
  it("finding 3: a refused link does not turn later links' closing tags into something else", () => {
    const html = renderMarkdown("[a](/x) [ok](https://ok.example) after");
    expect(html).toBe(
      '<p>a <a href="https://ok.example" rel="noopener nofollow noreferrer" target="_blank">ok</a> after</p>\n',
    );
    expectBalanced(renderMarkdown("[a](javascript:x) [b](https://b.example) [c](/c) [d](https://d.example)"));
    // Found by the property below (seed 1396284347): GFM autolinks the whole run as one http address.
    const autolinked = renderMarkdown("www.bare.example[b](javascript:alert(1))mail@example.com");
    expectBalanced(autolinked);
    expect(
      expectInert(autolinked)
        .find(({ tag }) => tag === "a")
        ?.attributes.get("href"),
    ).toMatch(/^http:\/\//);
  });

  it("finding 3: rendered output of arbitrary Markdown has balanced links and stays in its container", () => {
    fc.assert(
      fc.property(arbitraryMarkdown, (markdown) => {
        const html = renderMarkdown(markdown);
        expectBalanced(html);
        expectInert(html);
      }),
      { numRuns: 400 },
    );
  });
});
