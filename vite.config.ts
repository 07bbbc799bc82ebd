import { execFileSync } from "node:child_process";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

// `scripts/build.ts --test` (ARES_BUILD=test) builds into build-test/ with the routes that exist only for
// tests (app/routes/test-only.*); every other build, and `npm run dev`, leaves them out.
const testBuild = process.env.ARES_BUILD === "test";

/** The commit being built, for error reports' release name: ARES_COMMIT (a Docker build argument) or git's. */
function gitCommit(): string {
  if (process.env.ARES_COMMIT) return process.env.ARES_COMMIT;
  try {
    return execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8", stdio: "pipe" }).trim();
  } catch {
    return "";
  }
}

export default defineConfig({
  plugins: [
    remix({
      buildDirectory: testBuild ? "build-test" : "build",
      ignoredRouteFiles: testBuild ? [] : ["**/test-only.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
    tsconfigPaths(),
  ],
  // Server-only database packages must never be pre-bundled for the browser (dev reloads otherwise).
  optimizeDeps: { exclude: ["@prisma/client", "@prisma/adapter-pg", "pg"] },
  build: { target: "es2022" },
  define: { __ARES_COMMIT__: JSON.stringify(gitCommit()) },
});
