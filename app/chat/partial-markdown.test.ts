import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown.server";
import { closeOpenMarkdown } from "./partial-markdown";

const visibleText = (markdown: string) => renderMarkdown(closeOpenMarkdown(markdown)).replace(/<[^>]*>/g, "");

describe("closeOpenMarkdown: a reply cut anywhere renders without raw markers", () => {
  const reply =
    "## Plan\n\nThis is **very important** and `inline code` here.\n\n```ts\nconst a = 1;\n```\n\nDone *now*.";

  it("leaves no ##, **, ` or ``` visible at any cut", () => {
    for (let end = 1; end <= reply.length; end++) {
      const text = visibleText(reply.slice(0, end));
      // Inside the code block the text is code: markers there are the code itself.
      const withoutCode = text.replace(/const a = 1;\n?/, "");
      expect(withoutCode, `cut at ${end}: ${JSON.stringify(reply.slice(0, end))}`).not.toMatch(/##|\*|`/);
    }
  });

  it("closes bold and code spans that are still open", () => {
    expect(closeOpenMarkdown("Say **hello wor")).toBe("Say **hello wor**");
    expect(closeOpenMarkdown("Run `npm te")).toBe("Run `npm te`");
  });

  it("drops an opener with nothing after it yet", () => {
    expect(closeOpenMarkdown("Say **")).toBe("Say ");
    expect(closeOpenMarkdown("Intro\n\n##")).toBe("Intro\n\n");
  });

  it("leaves finished Markdown and list bullets alone", () => {
    expect(closeOpenMarkdown("**done** and *this*")).toBe("**done** and *this*");
    expect(closeOpenMarkdown("* one\n* two")).toBe("* one\n* two");
  });

  it("shows an unfinished link's text", () => {
    expect(closeOpenMarkdown("See [the docs](https://exa")).toBe("See the docs");
  });
});
