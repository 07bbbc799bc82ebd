/**
 * p95 time to render the calendar's month and week views for a person with 20 events vs one with
 * 2,000 (50 of them repeating series), measured in one run (requests interleaved), and the SQL
 * statements each view costs at both sizes (which must be the same). Target: p95 ratio ≤ 1.3.
 * Requests run one at a time, strictly alternating the two sizes (which goes first swaps every round,
 * so neither size always follows the other's work), after a warm-up of its own. A p95 over a few dozen
 * requests is mostly the machine's noise, hence 300 a view and size by default; the server's CPU time
 * per request (from /proc, Linux only) is printed with its ratio too, as a busy machine disturbs it far
 * less than the wall-clock time, and so is the load average.
 * Statements are counted in this process around the page's domain function (calendarPage), on the
 * same database the server uses; requests run against the production build (on a free port).
 *   npx tsx bench/calendar-views.ts [requests=300]
 */
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { countQueries } from "../tests/support/query-counter";
import { benchDatabase, benchServer, loadAverage, ms, percentile, processCpuMs, signedIn } from "./support";
import { type BenchFigure, printBenchSummary } from "./summary";

const requests = Number(process.argv[2] ?? 300);
const WARMUP = 50;
const DATE = "2026-06-15";
const ZONE = "Europe/Berlin";

const database = await benchDatabase("calendar");
// The page's domain code runs in this process too, to count its statements on the same database.
process.env.DATABASE_URL = database.url;
const server = await benchServer({ DATABASE_URL: database.url, JOBS_WORKER: "false" });
try {
  const fewClient = await signedIn(server.url);
  const manyClient = await signedIn(server.url);
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM "User" ORDER BY "createdAt", id`);
  await db.query(`UPDATE "User" SET "timeZone" = $1`, [ZONE]);
  const [few, many] = rows.map((row) => ({ id: row.id, timeZone: ZONE })) as [
    { id: string; timeZone: string },
    { id: string; timeZone: string },
  ];
  const { seedCalendar } = await import("../tests/support/calendar-seed");
  const { calendarPage } = await import("~/calendar/page.server");
  const { listOccurrences } = await import("~/calendar/events.server");
  const { viewRange, windowOf } = await import("~/calendar/views");
  const { Temporal } = await import("~/calendar/time");
  const { prisma } = await import("~/db/db.server");
  await seedCalendar(few.id, 20, 1);
  await seedCalendar(many.id, 2_000, 50);
  await db.query("ANALYZE");
  await db.end();

  const views = ["month", "week"] as const;
  const statements: Record<string, number> = {};
  const occurrences: Record<string, number> = {};
  for (const view of views) {
    for (const [label, user] of [
      ["20", few],
      ["2,000", many],
    ] as const) {
      const counted = await countQueries(() => calendarPage(user, { view, date: DATE }));
      statements[`${view} ${label}`] = counted.statements.length;
      const window = windowOf(viewRange(view, Temporal.PlainDate.from(DATE)), ZONE);
      occurrences[`${view} ${label}`] = (await listOccurrences(user.id, window, ZONE)).length;
    }
  }
  await prisma.$disconnect();

  const timings: Record<string, number[]> = {};
  const cpu: Record<string, number> = {};
  const pid = server.child.pid;
  const sizes = [
    ["20", fewClient],
    ["2,000", manyClient],
  ] as const;
  const loadBefore = loadAverage();
  for (let round = 0; round < requests + WARMUP; round++) {
    for (const view of views) {
      for (const [label, client] of round % 2 ? [...sizes].reverse() : sizes) {
        const path = `/calendar?view=${view}&date=${DATE}`;
        const cpuBefore = processCpuMs(pid);
        const started = performance.now();
        const response = await client.get(path);
        await response.text();
        const elapsed = performance.now() - started;
        const cpuAfter = processCpuMs(pid);
        if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
        if (round < WARMUP) continue;
        const key = `${view} ${label}`;
        (timings[key] ??= []).push(elapsed);
        if (cpuBefore !== null && cpuAfter !== null) cpu[key] = (cpu[key] ?? 0) + cpuAfter - cpuBefore;
      }
    }
  }
  const loadAfter = loadAverage();
  const cpuPerRequest = (key: string) => (cpu[key] === undefined ? null : cpu[key]! / requests);
  const figures: BenchFigure[] = [];
  console.log(
    `calendar views over ${requests} requests each after ${WARMUP} warm-up rounds (PostgreSQL, production build, ${DATE}, ${ZONE})`,
  );
  console.log(`  load average before: ${loadBefore}   after: ${loadAfter}`);
  const cores = availableParallelism();
  if (Math.max(...[loadBefore, loadAfter].map((load) => Number(load.split(" ")[0]))) > cores) {
    // Others' work then lands on some requests and not others: the p95s (and so their ratio) follow it.
    console.log(`  the machine was busy (1-min load above its ${cores} cores): compare the CPU ratios, not the p95s`);
  }
  for (const view of views) {
    for (const label of ["20", "2,000"]) {
      const key = `${view} ${label}`;
      console.log(
        `  ${view.padEnd(5)} ${label.padStart(5)} events  p50 ${ms(percentile(timings[key]!, 50))}   p95 ${ms(percentile(timings[key]!, 95))}   ${occurrences[key]} occurrences in view   ${statements[key]} SQL statements (page data; the session lookup adds the same for both)`,
      );
    }
    const ratio = percentile(timings[`${view} 2,000`]!, 95) / percentile(timings[`${view} 20`]!, 95);
    const constant = statements[`${view} 2,000`] === statements[`${view} 20`];
    const [cpuFew, cpuMany] = [cpuPerRequest(`${view} 20`), cpuPerRequest(`${view} 2,000`)];
    const cpuRatio = cpuFew !== null && cpuMany !== null && cpuFew > 0 ? cpuMany / cpuFew : null;
    const cpuLine =
      cpuRatio === null
        ? ""
        : `   server CPU per request ${cpuFew!.toFixed(1)} vs ${cpuMany!.toFixed(1)} ms (CPU ratio ${cpuRatio.toFixed(2)})`;
    console.log(
      `  ${view} p95 ratio 2,000/20: ${ratio.toFixed(2)} (target ≤ 1.3)${cpuLine}   statements constant: ${constant ? "yes" : "NO"}`,
    );
    figures.push(
      { name: `${view} view p95 ratio 2,000/20 events`, value: ratio, unit: "×", target: "≤ 1.3", pass: ratio <= 1.3 },
      ...(cpuRatio === null
        ? []
        : [
            {
              name: `${view} view server CPU per request ratio 2,000/20 events`,
              value: cpuRatio,
              unit: "×",
              target: null,
              pass: null,
            },
          ]),
      {
        name: `${view} view SQL statements (2,000 events)`,
        value: statements[`${view} 2,000`] ?? Number.NaN,
        unit: "statements",
        target: "same as at 20 events",
        pass: constant,
      },
    );
  }
  printBenchSummary("calendar-views", figures);
} finally {
  await server.stop();
  await database.drop();
}
