/**
 * `npm test`: every check, in the order that fails fastest — typecheck, lint, the production build,
 * unit + integration tests (Vitest, with coverage), then the end-to-end suite (Playwright, JS on
 * and off). Stops at the first failing step and exits non-zero.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { findChromium } from "../e2e/support/browser";

type Step = { name: string; command: string; args: string[] };

const steps: Step[] = [
  { name: "typecheck", command: "npx", args: ["tsc", "--noEmit"] },
  { name: "lint", command: "npm", args: ["run", "--silent", "lint"] },
  // Before the tests: a test proves the production build has no test-only route, and the integration
  // and end-to-end suites start the test build (the same plus app/routes/test-only.*).
  { name: "production build", command: "node", args: ["scripts/build.ts"] },
  { name: "test build", command: "node", args: ["scripts/build.ts", "--test"] },
  {
    name: "unit and integration tests",
    command: "npx",
    args: [
      "vitest",
      "run",
      "--coverage",
      "--reporter=default",
      "--reporter=json",
      "--outputFile.json=reports/vitest.json",
      "--exclude=tests/faults/**",
    ],
  },
  // The fault suites compare latency before and during an outage: they run alone, one file at a time,
  // so that the other worker's tests cannot make one phase slower than the other.
  {
    name: "fault tests (alone)",
    command: "npx",
    args: [
      "vitest",
      "run",
      "tests/faults",
      "--poolOptions.forks.maxForks=1",
      "--reporter=default",
      "--reporter=json",
      "--outputFile.json=reports/vitest-faults.json",
    ],
  },
  { name: "end-to-end tests", command: "npx", args: ["playwright", "test", "--reporter=list,json"] },
];

// Fail before anything runs when the e2e suite could not: never a silent skip.
try {
  findChromium();
} catch (error) {
  console.error(`npm test: ${(error as Error).message}`);
  process.exit(1);
}

fs.mkdirSync("reports", { recursive: true });
const started = Date.now();
for (const step of steps) {
  const stepStarted = Date.now();
  console.log(`\n▶ ${step.name}`);
  const env = { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: "reports/e2e.json" };
  const result = spawnSync(step.command, step.args, { stdio: "inherit", env });
  const seconds = ((Date.now() - stepStarted) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✗ ${step.name} failed after ${seconds}s`);
    process.exit(result.status ?? 1);
  }
  console.log(`✓ ${step.name} (${seconds}s)`);
}

type VitestReport = { numPassedTests: number; numFailedTests: number };
type PlaywrightReport = { stats: { expected: number; unexpected: number; flaky: number } };
const vitest = ["reports/vitest.json", "reports/vitest-faults.json"].map(
  (report) => JSON.parse(fs.readFileSync(report, "utf8")) as VitestReport,
);
const e2e = JSON.parse(fs.readFileSync("reports/e2e.json", "utf8")) as PlaywrightReport;
const passed = vitest.reduce((sum, report) => sum + report.numPassedTests, 0) + e2e.stats.expected + e2e.stats.flaky;
const failed = vitest.reduce((sum, report) => sum + report.numFailedTests, 0) + e2e.stats.unexpected;
console.log(`\nAll checks passed in ${((Date.now() - started) / 1000).toFixed(0)}s.`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
