import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// `npm run screenshots`: docs/screenshots/ at phone and desktop width, light and dark (e2e/screenshots.shots.ts).
export default defineConfig({
  ...base,
  testMatch: "**/*.shots.ts",
  timeout: 180_000,
  projects: [{ name: "screenshots", use: { ...base.projects?.[0]?.use, viewport: { width: 1280, height: 800 } } }],
});
