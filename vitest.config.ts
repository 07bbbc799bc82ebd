import tsconfigPaths from "vite-tsconfig-paths";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["app/**/*.test.{ts,tsx}", "tests/**/*.test.ts", "e2e/stand-ins/**/*.test.ts", "scripts/**/*.test.ts"],
    globalSetup: ["tests/setup/global-database.ts"],
    setupFiles: ["tests/setup/worker-database.ts"],
    environment: "node",
    // Each worker owns a database; two cores make two workers the sweet spot.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 20_000,
    hookTimeout: 60_000,
    coverage: {
      provider: "v8",
      include: ["app/**/*.{ts,tsx}"],
      exclude: ["app/generated/**", "app/**/*.test.{ts,tsx}"],
      reporter: ["text-summary", "html", "json-summary"],
    },
  },
});
