import { z } from "zod";

/** What a person sees for a form sent by a page older than the server (or crafted): never zod's wording. */
export const OUT_OF_DATE_FORM = "This form is out of date — reload the page and try again.";

const count = (value: number | bigint) => Number(value).toLocaleString("en");

/**
 * Plain English for every check that does not name its own message. zod's defaults are written for
 * developers ("Too big: expected string to have <=200 characters", "Invalid discriminator value.
 * Expected 'add-fact' | …") and reached people's pages whenever a schema left a check without one.
 */
function plainMessage(issue: z.core.$ZodRawIssue): string {
  const field = issue.path?.at(-1);
  switch (issue.code) {
    case "invalid_union":
      // No form a page offers sends an intent no schema knows: the page is stale, or the form crafted.
      return "discriminator" in issue && issue.discriminator ? OUT_OF_DATE_FORM : "This value is not valid.";
    case "invalid_value":
      return field === "intent" ? OUT_OF_DATE_FORM : "Choose one of the options offered.";
    case "invalid_type":
      if (issue.input === undefined || issue.input === null || issue.input === "") return "Fill in this field.";
      if (issue.expected === "number" || issue.expected === "int") return "Enter a number.";
      if (issue.expected === "date") return "Enter a valid date.";
      return field === "intent" ? OUT_OF_DATE_FORM : "This value is not valid.";
    case "too_big":
      if (issue.origin === "string") return `Use at most ${count(issue.maximum)} characters.`;
      if (issue.origin === "array" || issue.origin === "set") return `Choose at most ${count(issue.maximum)}.`;
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint")
        return `Use ${count(issue.maximum)} or less.`;
      return "This value is too large.";
    case "too_small":
      if (issue.origin === "string")
        return Number(issue.minimum) <= 1 ? "Fill in this field." : `Use at least ${count(issue.minimum)} characters.`;
      if (issue.origin === "array" || issue.origin === "set") return `Choose at least ${count(issue.minimum)}.`;
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint")
        return `Use ${count(issue.minimum)} or more.`;
      return "This value is too small.";
    case "invalid_format":
      if (issue.format === "email") return "Enter an email address, like name@example.com.";
      if (issue.format === "url") return "Enter a web address, like https://example.com.";
      if (issue.format === "date") return "Enter a date, like 2026-12-31.";
      if (issue.format === "time") return "Enter a time, like 14:30.";
      if (issue.format === "datetime") return "Enter a date and time.";
      return "This value is not in the expected form.";
    case "not_multiple_of":
      return `Use a multiple of ${count(issue.divisor)}.`;
    case "unrecognized_keys":
    case "invalid_key":
    case "invalid_element":
    case "custom":
      return "This value is not valid.";
    default:
      return "This value is not valid.";
  }
}

z.config({ customError: plainMessage });

/**
 * zod's own English, for a parse whose reader is a program, not a person: the assistant correcting a
 * tool call needs the options it may choose from, an API client the expected type, an operator the
 * setting's constraint. Passed per parse, it comes before the plain messages above.
 */
export const DEVELOPER_WORDING = { error: z.locales.en().localeError };
