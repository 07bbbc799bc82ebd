import { describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { SNIPPET_START, SNIPPET_STOP, renderSnippet } from "./snippet";

const S = SNIPPET_START;
const E = SNIPPET_STOP;

describe("renderSnippet", () => {
  it("uses private-use characters as sentinels", () => {
    for (const sentinel of [S, E]) expect(sentinel).toMatch(/^[\uE000-\uF8FF]$/);
    expect(S).not.toBe(E);
  });

  it("turns sentinel pairs into marks", () => {
    expect(renderSnippet(`the ${S}quick${E} fox ... a ${S}quick${E} reply`)).toBe(
      "the <mark>quick</mark> fox ... a <mark>quick</mark> reply",
    );
  });

  it("escapes everything else, including markup inside a match", () => {
    expect(renderSnippet(`<img src=x onerror="alert(1)"> & ${S}<script>${E}'`)).toBe(
      "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; <mark>&lt;script&gt;</mark>&#39;",
    );
  });

  it("never produces unbalanced marks", () => {
    expect(renderSnippet(`a ${E}b`)).toBe("a b");
    expect(renderSnippet(`a ${S}b`)).toBe("a <mark>b</mark>");
    expect(renderSnippet(`${S}a ${S}b${E} c${E}`)).toBe("<mark>a b</mark> c");
    expect(renderSnippet(`${E}${E}${S}`)).toBe("<mark></mark>");
  });

  it("leaves text without sentinels as escaped text", () => {
    expect(renderSnippet("")).toBe("");
    expect(renderSnippet("plain words")).toBe("plain words");
  });
});

describe("renderSnippet with PostgreSQL's ts_headline", () => {
  it("receives the sentinels around every match", async () => {
    const options = `StartSel=${SNIPPET_START}, StopSel=${SNIPPET_STOP}`;
    const text = 'Ask ARES if 1 < 2 & "ares" agrees';
    const rows = await prisma.$queryRaw<{ headline: string }[]>`
      SELECT ts_headline('simple', ${text}, websearch_to_tsquery('simple', 'ares'), ${options}) AS headline`;
    expect(renderSnippet(rows[0]!.headline)).toBe(
      "Ask <mark>ARES</mark> if 1 &lt; 2 &amp; &quot;<mark>ares</mark>&quot; agrees",
    );
  });
});
