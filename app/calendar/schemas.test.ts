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

  it("still refuses an end before the start", () => {
    expect(messages({ ...event, startTime: "11:00" })).toEqual(["endDate: The end cannot be before the start."]);
    expect(messages({ ...event, allDay: true, endDate: "2026-03-09" })).toEqual([
      "endDate: The end date cannot be before the start date.",
    ]);
  });
});
