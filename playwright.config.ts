import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, findChromium } from "./e2e/support/browser";

const port = Number(process.env.E2E_PORT ?? 3900);
export const baseURL = `http://127.0.0.1:${port}`;
const launchOptions = { executablePath: findChromium(), args: CHROMIUM_ARGS };

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  workers: 2,
  // Sign-up is two form posts with two password hashes now (it never signs in); multi-person flows need room.
  timeout: 60_000,
  reporter: [["list"]],
  // The stand-in Auth0 (https://127.0.0.1) has a self-signed certificate.
  use: { baseURL, trace: "retain-on-failure", screenshot: "only-on-failure", ignoreHTTPSErrors: true },
  projects: [
    { name: "js", use: { javaScriptEnabled: true, launchOptions } },
    // Every flow is also run as a browser without JavaScript sees it: forms post and redirect.
    { name: "no-js", use: { javaScriptEnabled: false, launchOptions }, testIgnore: /\.js-only\.spec\.ts$/ },
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
