import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, findChromium } from "./e2e/support/browser";

const port = Number(process.env.E2E_PORT ?? 3900);
export const baseURL = `http://127.0.0.1:${port}`;
const launchOptions = { executablePath: findChromium(), args: CHROMIUM_ARGS };
const DESKTOP = { width: 1280, height: 800 };
// A 390 px phone (iPhone 12–15 size), touch and all.
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const LAYOUT = /\.layout\.spec\.ts$/;

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  workers: 2,
  // Sign-up is two form posts with two password hashes now (it never signs in); multi-person flows need room.
  timeout: 60_000,
  // A save that redirects and renders the next page took over 5 s (the default) on a loaded 2-core CI run.
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  // The stand-in Auth0 (https://127.0.0.1) has a self-signed certificate.
  use: { baseURL, trace: "retain-on-failure", screenshot: "only-on-failure", ignoreHTTPSErrors: true },
  projects: [
    // Flows run on a desktop, with JS and without (forms post and redirect); the layout and
    // accessibility sweep (*.layout.spec.ts) runs on a phone, where layouts break first.
    // *.no-js-only: answers only a page without scripts gets (with JS a form posts to the route's data address).
    {
      name: "js",
      use: { javaScriptEnabled: true, viewport: DESKTOP, launchOptions },
      testIgnore: [LAYOUT, /\.no-js-only\.spec\.ts$/],
    },
    {
      name: "no-js",
      use: { javaScriptEnabled: false, viewport: DESKTOP, launchOptions },
      testIgnore: [/\.js-only\.spec\.ts$/, LAYOUT],
    },
    { name: "phone-js", use: { javaScriptEnabled: true, ...PHONE, launchOptions }, testMatch: LAYOUT },
    { name: "phone-no-js", use: { javaScriptEnabled: false, ...PHONE, launchOptions }, testMatch: LAYOUT },
  ],
  webServer: {
    command: "node --import tsx e2e/support/start-server.ts",
    url: `${baseURL}/api/v1/health/live`,
    env: { E2E_PORT: String(port) },
    reuseExistingServer: false,
    // Builds build-test/ first when sources changed (scripts/build.ts --test).
    timeout: 240_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
