/**
 * `npm run bench`: runs every benchmark in bench/ in turn, at modest sizes (about 15 minutes on two
 * cores), collects each one's figures and writes docs/benchmarks.md — each figure, its target, pass or
 * miss, the command that produced it and the machine it ran on (cores, memory, node, load average).
 *
 *   npm run bench                        modest sizes (the SCRIPTS table below)
 *   npm run bench -- --full              every script at its own full default size (about an hour)
 *   npm run bench -- --only memory,load  some of them; the others keep their last figures (docs/benchmarks.json)
 *   npm run bench -- --out /tmp/b.md     write the report elsewhere
 *
 * A benchmark reports its figures on one line of its output, which this script reads (bench/summary.ts
 * prints it):
 *
 *   BENCH {"script":"<name>","figures":[{"name":"<what>","value":<number>,"unit":"<ms|MB|req/s|×|…>",
 *          "target":"<e.g. ≤ 1.3>"|null,"pass":true|false|null}]}
 *
 * `target` and `pass` are null for a figure given for context. A script that prints no such line (or
 * fails before it) is reported as "no figure" with its exit code; the run carries on with the next.
 * Every bench/*.ts is run except the helpers in HELPERS; one missing from SCRIPTS runs with no arguments.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import * as prettier from "prettier";
import type { BenchFigure } from "../bench/summary";

const root = path.resolve(import.meta.dirname, "..");

/** Modules in bench/ that other benchmarks import; not benchmarks themselves. */
const HELPERS = new Set(["support", "summary", "production-server", "ttft"]);

/** Each benchmark's arguments: modest (for `npm run bench`) and full (its own defaults, as documented in it). */
const SCRIPTS: Record<string, { modest: string[]; full: string[]; what: string }> = {
  "chat-ttft": { modest: ["200"], full: [], what: "time to first token: ARES's overhead over the provider" },
  "memory-ttft": { modest: ["100"], full: [], what: "time to first token with a full memory vs none" },
  "conversation-page": { modest: ["200"], full: [], what: "conversation page p95 at 50 vs 5,000 messages" },
  "calendar-views": { modest: ["300"], full: [], what: "calendar month/week p95 at 20 vs 2,000 events; SQL per page" },
  "signup-timing": { modest: ["40"], full: [], what: "sign-up timing: taken vs new address" },
  "job-lag": { modest: ["200"], full: [], what: "job lag: due time to handler start" },
  runtime: { modest: ["200"], full: [], what: "cold start, idle RSS, peak RSS with 200 streams" },
  memory: {
    modest: ["10000", "2000", "200"],
    full: ["10000", "10000", "200"],
    what: "RSS idle, after 10,000 messages, with 200 streams, 60 s after",
  },
  load: { modest: ["60", "20", "10"], full: [], what: "mixed signed-in load: req/s, latency, errors; page/liveness" },
  throughput: { modest: ["10", "20", "50", "200"], full: [], what: "req/s of the main pages back to back; TTFT" },
};

const { values } = parseArgs({
  options: {
    full: { type: "boolean", default: false },
    only: { type: "string" },
    out: { type: "string", default: path.join(root, "docs/benchmarks.md") },
  },
});

const available = fs
  .readdirSync(path.join(root, "bench"))
  .filter((file) => file.endsWith(".ts"))
  .map((file) => file.replace(/\.ts$/, ""))
  .filter((name) => !HELPERS.has(name))
  .sort();
const only = values.only?.split(",").map((name) => name.trim());
const unknown = only?.filter((name) => !available.includes(name)) ?? [];
if (unknown.length > 0) {
  console.error(`npm run bench: no bench/${unknown.join(".ts, bench/")}.ts (there are: ${available.join(", ")})`);
  process.exit(2);
}
const chosen = only ?? available;

type Outcome = {
  name: string;
  command: string;
  code: number | null;
  seconds: number;
  figures: BenchFigure[] | undefined;
  loadBefore: number[];
  loadAfter: number[];
  finishedAt: string;
};

/** Runs one benchmark, its output shown as it comes and kept to find the BENCH line. */
function run(name: string): Promise<Outcome> {
  const args = (values.full ? SCRIPTS[name]?.full : SCRIPTS[name]?.modest) ?? [];
  const command = ["npx", "tsx", `bench/${name}.ts`, ...args].join(" ");
  const loadBefore = os.loadavg();
  const started = performance.now();
  console.log(`\n▶ ${command}   (load average ${loadBefore.map((value) => value.toFixed(2)).join(" ")})`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", `bench/${name}.ts`, ...args], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on("close", (code) => {
      const line = output
        .split("\n")
        .reverse()
        .find((candidate) => candidate.startsWith("BENCH "));
      let figures: BenchFigure[] | undefined;
      try {
        figures = line ? (JSON.parse(line.slice("BENCH ".length)) as { figures: BenchFigure[] }).figures : undefined;
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        console.error(`bench/${name}.ts printed a BENCH line that is not JSON: ${line}`);
      }
      resolve({
        name,
        command,
        code,
        seconds: (performance.now() - started) / 1000,
        figures,
        loadBefore,
        loadAfter: os.loadavg(),
        finishedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      });
    });
  });
}

function machine(): string[] {
  const cpus = os.cpus();
  const commit = (() => {
    try {
      return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    } catch {
      return "unknown";
    }
  })();
  return [
    `- Date: ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}, commit ${commit}`,
    `- CPU: ${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown"}`,
    `- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB (${(os.freemem() / 1024 ** 3).toFixed(1)} GB free at the end)`,
    `- Node ${process.version}, ${os.type()} ${os.release()}`,
    `- Load average when the run began: ${loads(startLoad)} (1, 5, 15 min); the machine is shared, so figures are noisy`,
    `- Sizes: ${values.full ? "full (`npm run bench -- --full`)" : "modest (`npm run bench`)"}`,
  ];
}

const format = (value: number) =>
  Number.isInteger(value)
    ? String(value)
    : Math.abs(value) >= 100
      ? value.toFixed(0)
      : Math.abs(value) >= 10
        ? value.toFixed(1)
        : value.toFixed(2);
const verdict = (figure: BenchFigure) => (figure.pass === null ? "—" : figure.pass ? "pass" : "**miss**");
const loads = (values: number[]) => values.map((value) => value.toFixed(2)).join(" ");

function report(outcomes: Outcome[]): string {
  const lines = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (scripts/bench.ts), which runs every script in `bench/` in turn and collects the",
    "figures each prints. Absolute figures follow the machine and its load (the load average before and after each",
    "script is given); ratios measured within one run are what the targets are about. A target missed is stated",
    "as a miss with its figure. Run one script alone with its command; `npm run bench -- --full` runs every",
    "script at its full size (each script's own default; `bench/memory.ts 10000 10000` sends all 10,000",
    "messages through the app).",
    "",
    "## Machine",
    "",
    ...machine(),
    "",
    "## Figures",
    "",
  ];
  const misses = outcomes.flatMap((outcome) =>
    (outcome.figures ?? [])
      .filter((figure) => figure.pass === false)
      .map((figure) => `${outcome.name}: ${figure.name}`),
  );
  const noFigure = outcomes.filter((outcome) => !outcome.figures).map((outcome) => outcome.name);
  lines.push(
    `Targets met: ${outcomes.reduce((sum, outcome) => sum + (outcome.figures ?? []).filter((figure) => figure.pass).length, 0)}; ` +
      `missed: ${misses.length}${misses.length ? ` (${misses.join("; ")})` : ""}; ` +
      `scripts with no figure: ${noFigure.length}${noFigure.length ? ` (${noFigure.join(", ")})` : ""}.`,
    "",
  );
  for (const outcome of outcomes) {
    lines.push(`### ${outcome.name}`, "");
    const what = SCRIPTS[outcome.name]?.what;
    if (what) lines.push(`${what[0]!.toUpperCase()}${what.slice(1)}.`, "");
    lines.push(
      `\`${outcome.command}\` — ${outcome.finishedAt}, ${outcome.seconds.toFixed(0)} s, exit ${outcome.code}, load average ${loads(outcome.loadBefore)} before, ${loads(outcome.loadAfter)} after.`,
      "",
    );
    if (!outcome.figures) {
      lines.push("No figure: the script printed no `BENCH` line (see scripts/bench.ts for its format).", "");
      continue;
    }
    lines.push("| Figure | Value | Target | Result |", "| --- | --- | --- | --- |");
    for (const figure of outcome.figures) {
      const unit = figure.unit ? ` ${figure.unit}` : "";
      lines.push(`| ${figure.name} | ${format(figure.value)}${unit} | ${figure.target ?? "—"} | ${verdict(figure)} |`);
    }
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}

const startLoad = os.loadavg();
console.log(`npm run bench: ${chosen.join(", ")} (${values.full ? "full" : "modest"} sizes)`);
const outcomes: Outcome[] = [];
for (const name of chosen) outcomes.push(await run(name));
// The figures are also kept as JSON beside the report: `--only` re-runs some scripts and keeps the
// others' last figures (each section says when and under what load it ran).
const dataFile = values.out.replace(/\.md$/, "") + ".json";
if (only && fs.existsSync(dataFile)) {
  const previous = JSON.parse(fs.readFileSync(dataFile, "utf8")) as Outcome[];
  for (const kept of previous.filter((old) => !chosen.includes(old.name)).reverse()) outcomes.unshift(kept);
  outcomes.sort((a, b) => available.indexOf(a.name) - available.indexOf(b.name));
}
// Formatted as the repository formats docs (npm run lint checks them with prettier).
const formatted = async (file: string, text: string) =>
  prettier.format(text, { ...(await prettier.resolveConfig(file)), filepath: file });
fs.writeFileSync(dataFile, await formatted(dataFile, JSON.stringify(outcomes)));
fs.writeFileSync(values.out, await formatted(values.out, report(outcomes)));
console.log(`\nwrote ${path.relative(root, values.out)}`);
for (const outcome of outcomes) {
  const figures = outcome.figures;
  const state = !figures
    ? `no figure (exit ${outcome.code})`
    : figures.some((figure) => figure.pass === false)
      ? "miss"
      : "ok";
  console.log(`  ${outcome.name.padEnd(18)} ${state}`);
}
// A miss is a figure to read in the report; a script that crashed is a failed run.
if (outcomes.some((outcome) => outcome.code !== 0 && !outcome.figures)) process.exitCode = 1;
