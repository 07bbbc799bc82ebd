import { UAParser } from "ua-parser-js";

type DeviceSummary = {
  /** e.g. "Chrome 140", "Mobile Safari 17" */
  browser: string;
  /** e.g. "Apple iPhone", "Desktop" */
  device: string;
  /** e.g. "iOS 17.0", "Linux" */
  os: string;
};

const UNKNOWN: DeviceSummary = { browser: "Unknown browser", device: "Unknown device", os: "Unknown system" };

function joined(...parts: Array<string | undefined>): string {
  return parts.filter(Boolean).join(" ");
}

/** What a person recognises in a session list; the raw user agent stays available as a tooltip. */
export function describeUserAgent(userAgent: string | null | undefined): DeviceSummary {
  if (!userAgent) return UNKNOWN;
  const { browser, os, device } = UAParser(userAgent);
  const model = joined(device.vendor, device.model);
  const kind = device.type ? device.type.charAt(0).toUpperCase() + device.type.slice(1) : undefined;
  return {
    browser: joined(browser.name, browser.major) || UNKNOWN.browser,
    // ua-parser-js reports no device type for desktops.
    device: model || kind || (os.name ? "Desktop" : UNKNOWN.device),
    os: joined(os.name, os.version) || UNKNOWN.os,
  };
}
