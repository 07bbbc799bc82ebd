import { describe, expect, it } from "vitest";
import { TOKEN_COUNT_MAX, tokenCount } from "./token-count";

describe("tokenCount: a provider's token count as a whole number from 0 to TOKEN_COUNT_MAX", () => {
  it.each([
    [12, 12],
    [12.4, 12],
    [6.6, 7],
    [-5, 0],
    [3e9, TOKEN_COUNT_MAX],
    [Infinity, TOKEN_COUNT_MAX],
    [-Infinity, 0],
    [NaN, 0],
  ])("the number %s counts %s", (sent, counted) => {
    expect(tokenCount(sent)).toBe(counted);
  });

  it.each([
    ["12", 12],
    [" 12 ", 12],
    ["6.6", 7],
    ["007", 7],
    ["99999999999", TOKEN_COUNT_MAX],
  ])("a decimal in a string, %j, counts %s", (sent, counted) => {
    expect(tokenCount(sent)).toBe(counted);
  });

  // Number() reads these as numbers too: no provider means them as counts, and "Infinity" was the
  // largest int, a whole day's budget.
  it.each(["Infinity", "-Infinity", "0x10", "0b11", "0o7", "1e3", "-3", "+4", "1_000", ".5", "5.", "", "  ", "lots"])(
    "%j counts nothing",
    (sent) => {
      expect(tokenCount(sent)).toBe(0);
    },
  );

  it.each([null, undefined, true, {}, [12], 12n])("%s counts nothing", (sent) => {
    expect(tokenCount(sent)).toBe(0);
  });
});
