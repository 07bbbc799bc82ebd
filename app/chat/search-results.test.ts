import { describe, expect, it } from "vitest";
import { SNIPPET_START as S, SNIPPET_STOP as E } from "./snippet";
import { groupByConversation, snippetAtWordBoundaries } from "./search-results";

describe("snippetAtWordBoundaries", () => {
  it("widens a fragment cut inside a word to the whole word and shows the cut as an ellipsis", () => {
    const source = "On Saturday morning, well, we didn't go to the beach because the weather was awful that weekend.";
    // ts_headline's parser splits "didn't": a fragment can start at its "t".
    expect(snippetAtWordBoundaries(`t go to the ${S}beach${E} because`, source)).toBe(
      `… didn't go to the ${S}beach${E} because …`,
    );
  });

  it("joins fragments with an ellipsis and adds none at the ends of the text", () => {
    const source = "alpha beta gamma delta epsilon zeta";
    expect(snippetAtWordBoundaries(`${S}alpha${E} beta ... epsilon ${S}zeta${E}`, source)).toBe(
      `${S}alpha${E} beta … epsilon ${S}zeta${E}`,
    );
  });

  it("shows the last or first few words ts_headline left out of a fragment, where the text ends soon after", () => {
    // What PostgreSQL 15's ts_headline (MaxFragments=2) answers for these texts.
    expect(snippetAtWordBoundaries(`the ${S}code${E}`, "the code is 7731")).toBe(`the ${S}code${E} is 7731`);
    expect(snippetAtWordBoundaries(`${S}Meeting${E} moved to room`, "Meeting moved to room 42")).toBe(
      `${S}Meeting${E} moved to room 42`,
    );
    expect(
      snippetAtWordBoundaries(`paid 39 dollars for the ${S}filler${E} today`, "I paid 39 dollars for the filler today"),
    ).toBe(`I paid 39 dollars for the ${S}filler${E} today`);
    // More than a few words left: still an ellipsis.
    expect(snippetAtWordBoundaries(`the ${S}code${E}`, "the code is in the drawer by the door")).toBe(
      `the ${S}code${E} …`,
    );
  });

  it("cuts a very long word after all, and keeps a fragment it cannot place as it is", () => {
    const long = `see https://example.test/${"x".repeat(100)} for the ${S}quokka${E}`;
    const widened = snippetAtWordBoundaries(
      `${"x".repeat(10)} for the ${S}quokka${E}`,
      long.replace(/[\uE000\uE001]/g, ""),
    );
    expect(widened.startsWith("… ")).toBe(true);
    expect(widened.length).toBeLessThan(80);
    expect(snippetAtWordBoundaries(`a ${S}b${E}`, "nothing alike")).toBe(`a ${S}b${E}`);
  });
});

describe("groupByConversation", () => {
  it("puts each conversation once, newest hit first, with the title leading and mine/reply named", () => {
    const groups = groupByConversation([
      { conversationId: "a", title: "Trip", matched: "assistant" },
      { conversationId: "b", title: "Food", matched: "user" },
      { conversationId: "a", title: "Trip", matched: "user" },
      { conversationId: "a", title: "Trip", matched: "title" },
    ]);
    expect(groups.map((group) => group.conversationId)).toEqual(["a", "b"]);
    expect(groups[0]!.hits.map((hit) => hit.kind)).toEqual(["title", "reply", "mine"]);
    expect(groups[1]!.hits.map((hit) => hit.kind)).toEqual(["mine"]);
  });
});
