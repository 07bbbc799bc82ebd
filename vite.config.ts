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
});
