/**
 * Load: signed-in people over the conversation page, the calendar's month view, the conversation list
 * API and sending a message (API, the reply streamed by the stand-in provider in the background), all
 * at once from `connections` connections for `seconds`, against the production server as `npm start`
 * runs it, on PostgreSQL. Then, in the same run, the liveness route alone and the conversation page
 * alone for a quarter of that time each, for their ratio. Prints req/s, p50/p95/p99 and the answers
 * that were not 2xx/3xx (plus connection errors and timeouts), per route and in total.
 * Targets: 0 answers outside 2xx/3xx; conversation page req/s / liveness req/s ≥ 0.3.
 *   npx tsx bench/load.ts [seconds=60] [connections=20] [people=10]
 * `connections` should saturate the machine's cores: the server, PostgreSQL and this load generator share
 * them (watch `top` during a run; 20 does on two cores).
 */
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import autocannon from "autocannon";
import pg from "pg";
import { startProductionServer } from "./production-server";
import { printBenchSummary } from "./summary";
import { machineCpuTicks, percentile, processCpuMs, signedIn } from "./support";

const seconds = Number(process.argv[2] ?? 60);
const connections = Number(process.argv[3] ?? 20);
const peopleCount = Number(process.argv[4] ?? 10);
const MONTH = "2026-06-15";
const ratioSeconds = Math.max(5, Math.round(seconds / 4));

type Person = { cookie: string; conversationId: string; sendTo: string };
type Figure = { label: string; requests: number; rps: number; p50: number; p95: number; p99: number; failed: number };

const server = await startProductionServer({ name: "load", port: 4315, tokenDelayMs: 0 });
const db = new pg.Client({ connectionString: server.databaseUrl });
try {
  await db.connect();
  process.env.DATABASE_URL = server.databaseUrl;
  const { seedCalendar } = await import("../tests/support/calendar-seed");
  const people: Person[] = [];
  for (let index = 0; index < peopleCount; index++) {
    const client = await signedIn(server.url);
    const cookie = client.jar.header();
    const { rows } = await db.query<{ id: string }>(
      `SELECT u.id FROM "User" u WHERE NOT EXISTS (SELECT 1 FROM "Conversation" c WHERE c."userId" = u.id) LIMIT 1`,
    );
    const userId = rows[0]!.id;
    await db.query(`UPDATE "User" SET "timeZone" = 'Europe/Berlin' WHERE id = $1`, [userId]);
    // A conversation of 50 messages to read, another to send into (so the page read stays the same size).
    const conversationId = randomUUID();
    await db.query(`INSERT INTO "Conversation" (id, "userId", title, "updatedAt") VALUES ($1, $2, 'read me', now())`, [
      conversationId,
      userId,
    ]);
    await db.query(
      `INSERT INTO "Message" (id, "conversationId", "userId", role, content, status, "createdAt", "updatedAt")
       SELECT gen_random_uuid()::text, $1, $2,
              (CASE WHEN n % 2 = 0 THEN 'user' ELSE 'assistant' END)::"MessageRole",
              'Message number ' || n || E'. Some **markdown**, a list:\\n- one\\n- two\\n\\n' || repeat('lorem ipsum ', 20),
              'complete', now() - ((50 - n) || ' seconds')::interval, now()
         FROM generate_series(1, 50) AS n`,
      [conversationId, userId],
    );
    const created = await client.postJson("/api/v1/conversations", {});
    const sendTo = ((await created.json()) as { id: string }).id;
    await seedCalendar(userId, 200, 10);
    people.push({ cookie, conversationId, sendTo });
  }
  await db.query("ANALYZE");

  const routes = [
    { label: "conversation page", request: (p: Person) => ({ method: "GET", path: `/chat/${p.conversationId}` }) },
    { label: "calendar month", request: () => ({ method: "GET", path: `/calendar?view=month&date=${MONTH}` }) },
    { label: "conversation list API", request: () => ({ method: "GET", path: "/api/v1/conversations" }) },
    {
      label: "send (API)",
      request: (p: Person) => ({
        method: "POST",
        path: `/api/v1/conversations/${p.sendTo}/messages`,
        body: JSON.stringify({ content: "a message under load: what is on my calendar?" }),
        headers: { "content-type": "application/json", origin: server.url },
      }),
    },
  ] as const;

  /** One autocannon run; each connection is one person, cycling through `cycle` (route indexes) in order. */
  async function run(cycle: number[], duration: number, signedInRequests = true): Promise<Figure[]> {
    const latencies = cycle.map(() => [] as number[]);
    const failed = cycle.map(() => 0);
    const perClient = new Map<unknown, { person: Person; count: number }>();
    let nextPerson = 0;
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: server.url,
          connections,
          duration,
          requests: cycle.map((route) => ({
            setupRequest: (request: autocannon.Request, context: object) => {
              const state = context as { person?: Person };
              state.person ??= people[nextPerson++ % people.length]!;
              const built: { method: string; path: string; body?: string; headers?: Record<string, string> } =
                route < 0 ? { method: "GET", path: "/api/v1/health/live" } : routes[route]!.request(state.person);
              const headers = {
                ...built.headers,
                ...(signedInRequests ? { cookie: state.person.cookie } : {}),
              };
              return { ...request, ...built, headers } as autocannon.Request;
            },
          })),
        },
        (error, done) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done)),
      );
      instance.on("response", (client, status, _bytes, responseTime) => {
        const state = perClient.get(client) ?? { person: people[0]!, count: 0 };
        perClient.set(client, state);
        const slot = state.count++ % cycle.length;
        latencies[slot]!.push(responseTime);
        if (status < 200 || status >= 400) failed[slot]! += 1;
      });
    });
    // Connection errors and timeouts (no answer within autocannon's 10 s) belong to no one route.
    unanswered += result.errors + result.timeouts;
    return cycle.map((route, slot) => ({
      label: route < 0 ? "liveness" : routes[route]!.label,
      requests: latencies[slot]!.length,
      rps: latencies[slot]!.length / duration,
      p50: percentile(latencies[slot]!, 50),
      p95: percentile(latencies[slot]!, 95),
      p99: percentile(latencies[slot]!, 99),
      failed: failed[slot]!,
    }));
  }

  let unanswered = 0;
  const loadBefore = loadavg();
  // Whether the mixed load saturates the machine: its cores' busy share, and the server's own CPU.
  const machineBefore = machineCpuTicks();
  const serverCpuBefore = processCpuMs(server.child.pid);
  const mixedStarted = performance.now();
  const mixed = await run([0, 1, 2, 3], seconds);
  const mixedMs = performance.now() - mixedStarted;
  const machineAfter = machineCpuTicks();
  const serverCpuAfter = processCpuMs(server.child.pid);
  const machineBusy =
    (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total || Number.POSITIVE_INFINITY);
  const serverCores =
    serverCpuBefore === null || serverCpuAfter === null ? null : (serverCpuAfter - serverCpuBefore) / mixedMs;
  const unansweredMixed = unanswered;
  const liveness = (await run([-1], ratioSeconds, false))[0]!;
  const pageAlone = (await run([0], ratioSeconds))[0]!;
  const loadAfter = loadavg();

  const total = {
    requests: mixed.reduce((sum, figure) => sum + figure.requests, 0),
    failed: mixed.reduce((sum, figure) => sum + figure.failed, 0),
  };
  const ratio = pageAlone.rps / liveness.rps;
  const row = (figure: Figure) =>
    `  ${figure.label.padEnd(22)} ${figure.rps.toFixed(1).padStart(8)} req/s   p50 ${figure.p50.toFixed(0).padStart(4)} ms   p95 ${figure.p95
      .toFixed(0)
      .padStart(4)} ms   p99 ${figure.p99.toFixed(0).padStart(4)} ms   not 2xx/3xx ${figure.failed}`;
  console.log(
    `load: ${connections} connections, ${people.length} signed-in people, ${seconds} s mixed (production build, PostgreSQL)`,
  );
  console.log(
    `  load average before ${loadBefore.map((v) => v.toFixed(2)).join(" ")}, after ${loadAfter.map((v) => v.toFixed(2)).join(" ")}`,
  );
  console.log(
    `  machine CPU busy ${(machineBusy * 100).toFixed(0)} % of ${machineBefore.cores} cores; server process ${serverCores === null ? "n/a" : serverCores.toFixed(2)} cores`,
  );
  for (const figure of mixed) console.log(row(figure));
  console.log(
    `  all (mixed)            ${(total.requests / seconds).toFixed(1).padStart(8)} req/s   not 2xx/3xx ${total.failed}   (target 0)`,
  );
  console.log(
    `  no answer (connection errors, timeouts after 10 s): ${unansweredMixed} mixed, ${unanswered - unansweredMixed} after   (target 0)`,
  );
  console.log(`then alone, ${ratioSeconds} s each:`);
  console.log(row(liveness));
  console.log(row({ ...pageAlone, label: "conversation page" }));
  console.log(`  conversation page / liveness req/s: ${ratio.toFixed(2)}   (target ≥ 0.3)`);
  printBenchSummary("load", [
    ...mixed.flatMap((figure) => [
      { name: `${figure.label} req/s (mixed)`, value: figure.rps, unit: "req/s", target: null, pass: null },
      { name: `${figure.label} p50 (mixed)`, value: figure.p50, unit: "ms", target: null, pass: null },
      { name: `${figure.label} p95 (mixed)`, value: figure.p95, unit: "ms", target: null, pass: null },
      { name: `${figure.label} p99 (mixed)`, value: figure.p99, unit: "ms", target: null, pass: null },
    ]),
    { name: "machine CPU busy (mixed)", value: machineBusy * 100, unit: "%", target: null, pass: null },
    ...(serverCores === null
      ? []
      : [{ name: "server process CPU (mixed)", value: serverCores, unit: "cores", target: null, pass: null }]),
    { name: "answers not 2xx/3xx (mixed)", value: total.failed, unit: "", target: "0", pass: total.failed === 0 },
    { name: "no answer within 10 s (all phases)", value: unanswered, unit: "", target: "0", pass: unanswered === 0 },
    { name: "liveness req/s (alone)", value: liveness.rps, unit: "req/s", target: null, pass: null },
    { name: "conversation page req/s (alone)", value: pageAlone.rps, unit: "req/s", target: null, pass: null },
    { name: "conversation page / liveness req/s", value: ratio, unit: "×", target: "≥ 0.3", pass: ratio >= 0.3 },
  ]);
} finally {
  await db.end();
  await server.stop();
}
