import { describe, expect, it } from "vitest";
import { safeRedirectTo } from "./redirect-to";

/** The probe's corpus: each of these must never leave the site, whatever a browser does with it. */
const HOSTILE = [
  "//evil.example",
  "//evil.example/phish",
  "/\\evil.example",
  "\\\\evil.example",
  "/\\/evil.example",
  "/./evil.example/..//evil.example",
  "/.//evil.example/phish",
  "/./\\evil.example",
  "/%2e%2e//evil.example",
  "/%2E%2E//evil.example",
  "/a/../..//evil.example",
  "/%2F%2Fevil.example",
  "%2F%2Fevil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r/evil.example",
  "/\r\n/evil.example",
  "/\u007f/evil.example",
  "/\u0000/evil.example",
  "https://evil.example",
  "https:evil.example",
  "http:/evil.example",
  "javascript:alert(1)",
  "evil.example",
  " //evil.example",
  "///evil.example",
  "",
];

describe("safeRedirectTo", () => {
  it("keeps a local path with its query and fragment", () => {
    expect(safeRedirectTo("/chat/abc?panel=rename#m-1")).toBe("/chat/abc?panel=rename#m-1");
    expect(safeRedirectTo("/settings")).toBe("/settings");
    expect(safeRedirectTo("/a/./b/../c")).toBe("/a/c");
  });

  it("finding 1 (open redirect after sign-in): refuses all 27 variants of the probe corpus", () => {
    expect(HOSTILE).toHaveLength(27);
    for (const hostile of HOSTILE) {
      const target = safeRedirectTo(hostile);
      expect({ hostile, target }).toEqual({ hostile, target: "/" });
    }
    expect(safeRedirectTo(null, "/chat")).toBe("/chat");
  });

  it("finding 1: whatever it returns, a browser resolves it on this site", () => {
    const origin = "https://ares.example";
    for (const candidate of [...HOSTILE, "/.//x", "/%2e/%2e//x", "/chat/../..//x?y#z"]) {
      expect(new URL(safeRedirectTo(candidate), origin).origin).toBe(origin);
    }
  });
});
