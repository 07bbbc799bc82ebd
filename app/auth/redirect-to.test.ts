import { describe, expect, it } from "vitest";
import { safeRedirectTo } from "./redirect-to";

describe("safeRedirectTo", () => {
  it("keeps a local path with its query and fragment", () => {
    expect(safeRedirectTo("/chat/abc?panel=rename#m-1")).toBe("/chat/abc?panel=rename#m-1");
    expect(safeRedirectTo("/settings")).toBe("/settings");
  });

  it("refuses anything a browser would take to another site", () => {
    for (const hostile of [
      "//evil.example",
      "/\\evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "/\u007f/evil.example",
      "https://evil.example",
      "javascript:alert(1)",
      "evil.example",
      "",
    ]) {
      expect(safeRedirectTo(hostile)).toBe("/");
    }
    expect(safeRedirectTo(null, "/chat")).toBe("/chat");
  });
});
