import { describe, expect, it } from "vitest";
import { describeUserAgent } from "./user-agent";

describe("describing a user agent", () => {
  it("names browser, system and device as a person would recognise them", () => {
    expect(
      describeUserAgent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
      ),
    ).toEqual({ browser: "Chrome 140", os: "Windows 10", device: "Desktop" });
    expect(
      describeUserAgent(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
      ),
    ).toEqual({ browser: "Mobile Safari 17", os: "iOS 17.0", device: "Apple iPhone" });
    expect(describeUserAgent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")).toEqual({
      browser: "Firefox 128",
      os: "Linux",
      device: "Desktop",
    });
  });

  it("says so when it cannot tell", () => {
    expect(describeUserAgent(null)).toEqual({
      browser: "Unknown browser",
      device: "Unknown device",
      os: "Unknown system",
    });
    expect(describeUserAgent("curl/8.5.0").device).toBe("Unknown device");
  });
});
