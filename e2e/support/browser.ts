import fs from "node:fs";
import { chromium } from "@playwright/test";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

function playwrightsOwnChromium(): string | undefined {
  const candidate = chromium.executablePath();
  return candidate && fs.existsSync(candidate) ? candidate : undefined;
}

/** CHROMIUM_PATH, else Debian's chromium, else a browser Playwright installed; never a silent skip. */
export function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  const found = candidates.find((candidate) => candidate && fs.existsSync(candidate)) ?? playwrightsOwnChromium();
  if (!found) {
    throw new Error(
      "No Chromium found for the end-to-end tests. Install one with `sudo apt-get install -y chromium` " +
        "(Debian/Ubuntu), or point CHROMIUM_PATH at a Chromium or Chrome binary.",
    );
  }
  return found;
}
