import { describe, expect, it } from "vitest";
import "~/validation/messages";
import { runCalendarTool } from "./tools.server";

const context = { userId: "u1", messageId: "m1", timeZone: "Europe/Berlin" };

describe("the calendar tools' answers to a malformed call", () => {
  it("name the options the assistant may choose from (people's plain wording would drop them)", async () => {
    const answer = await runCalendarTool(context, {
      id: "call-1",
      name: "update_event",
      arguments: JSON.stringify({ event_id: "e1", scope: "everything" }),
    });
    const { error } = JSON.parse(answer) as { error: string };
    expect(error).toMatch(/^scope: /);
    for (const scope of ["this", "following", "all"]) expect(error).toContain(`"${scope}"`);
  });
});
