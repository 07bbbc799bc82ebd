import { describe, expect, it } from "vitest";
import { eventFormSchema } from "./schemas";

const event = {
  title: "Dentist",
  startDate: "2026-03-10",
  endDate: "2026-03-10",
  startTime: "09:00",
  endTime: "10:00",
  timeZone: "UTC",
};

const messages = (input: Record<string, unknown>) => {
  const result = eventFormSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
};

describe("the event form", () => {
  it("says only what is wrong with a time that is no time, not also that the end is before it", () => {
    expect(messages({ ...event, startTime: "25:61" })).toEqual(["startTime: Enter a start time such as 09:00."]);
    expect(messages({ ...event, endTime: "7 pm" })).toEqual(["endTime: Enter an end time such as 10:00."]);
  });

  it("counts a no-JS textarea's CRLF line breaks once: a full description box is accepted, stored with LF", () => {
    const full = `${"x".repeat(9)}\r\n`.repeat(500).slice(0, -2) + "y";
    expect(full.replace(/\r\n/g, "\n").length).toBeLessThanOrEqual(5000);
    const result = eventFormSchema.safeParse({ ...event, description: full });
    expect(result.success).toBe(true);
    expect(result.data?.description).not.toContain("\r");
    expect(messages({ ...event, description: "x".repeat(5001) })).toEqual([
      "description: Use at most 5,000 characters.",
    ]);
  });

  it("still refuses an end before the start", () => {
    expect(messages({ ...event, startTime: "11:00" })).toEqual(["endDate: The end cannot be before the start."]);
    expect(messages({ ...event, allDay: true, endDate: "2026-03-09" })).toEqual([
      "endDate: The end date cannot be before the start date.",
    ]);
  });

  it("tells a person that a time the clocks skip does not exist, instead of moving it silently", () => {
    const springForward = { ...event, startDate: "2026-03-29", endDate: "2026-03-29", timeZone: "Europe/Berlin" };
    expect(messages({ ...springForward, startTime: "02:30", endTime: "02:45" })).toEqual([
      "startTime: 02:30 does not exist on 2026-03-29 in Europe/Berlin: the clocks go forward then. Choose another time.",
      "endTime: 02:45 does not exist on 2026-03-29 in Europe/Berlin: the clocks go forward then. Choose another time.",
    ]);
    // The hour that happens twice in autumn is a real time (its first instant), and 03:30 after the gap too.
    expect(messages({ ...springForward, startTime: "03:30", endTime: "04:00" })).toEqual([]);
    expect(
      messages({
        ...springForward,
        startDate: "2026-10-25",
        endDate: "2026-10-25",
        startTime: "02:30",
        endTime: "02:45",
      }),
    ).toEqual([]);
  });
});
