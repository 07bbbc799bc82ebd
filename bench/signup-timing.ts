/**
 * Sign-up must not reveal which addresses have an account, by its answer or by its timing. This posts
 * the sign-up form N times with a new address and N times with a taken one, interleaved so both see
 * the same machine load, against the compiled server on PostgreSQL, and prints the p50/p95 of each
 * and their ratio. Target: the p50 ratio (taken / new) within 0.8–1.25, and the same status and
 * redirect for both (apart from the address typed, which the redirect carries to the sign-in form).
 *   npx tsx bench/signup-timing.ts [rounds=40]
 */
import { performance } from "node:perf_hooks";
import { browserClient } from "../tests/support/cookie-jar";
import { benchDatabase, benchServer, ms, percentile } from "./support";
import { printBenchSummary } from "./summary";

const rounds = Number(process.argv[2] ?? 40);
const WARMUP = 3;
const password = "correct horse battery staple";

const database = await benchDatabase("signup");
const server = await benchServer({ DATABASE_URL: database.url, RATE_LIMIT_AUTH_PER_15_MINUTES: "0" });
try {
  const taken = `taken-${process.pid}@example.test`;
  const first = await browserClient(server.url).post("/signup", { email: taken, password });
  if (first.status !== 302) throw new Error(`the first sign-up failed with ${first.status}`);

  const timings = { new: [] as number[], taken: [] as number[] };
  const answers = new Set<string>();
  for (let round = 0; round < WARMUP + rounds; round += 1) {
    // Alternate which kind goes first so neither always follows the other.
    const order: Array<keyof typeof timings> = round % 2 === 0 ? ["new", "taken"] : ["taken", "new"];
    for (const kind of order) {
      const email = kind === "taken" ? taken : `new-${process.pid}-${round}@example.test`;
      const started = performance.now();
      const response = await browserClient(server.url).post("/signup", { email, password });
      const elapsed = performance.now() - started;
      // Sign-up's answer carries the address typed (the sign-in form starts with it): the same for both
      // kinds once the address itself is set aside.
      const location = response.headers.get("location")?.replace(encodeURIComponent(email), "<typed address>");
      answers.add(`${response.status} ${location}`);
      if (round >= WARMUP) timings[kind].push(elapsed);
    }
  }

  const p50 = { new: percentile(timings.new, 50), taken: percentile(timings.taken, 50) };
  const ratio = p50.taken / p50.new;
  console.log(`sign-up, ${rounds} rounds each (compiled server, PostgreSQL)`);
  console.log(`  new address:   p50 ${ms(p50.new)}  p95 ${ms(percentile(timings.new, 95))}`);
  console.log(`  taken address: p50 ${ms(p50.taken)}  p95 ${ms(percentile(timings.taken, 95))}`);
  console.log(`  p50 ratio taken/new ${ratio.toFixed(3)} (target 0.8–1.25)`);
  console.log(`  distinct answers: ${[...answers].join(" | ")} (target: one)`);
  printBenchSummary("signup-timing", [
    { name: "sign-up p50 taken/new", value: ratio, unit: "×", target: "0.8–1.25", pass: ratio >= 0.8 && ratio <= 1.25 },
    { name: "distinct answers", value: answers.size, unit: "", target: "1", pass: answers.size === 1 },
  ]);
  if (ratio < 0.8 || ratio > 1.25 || answers.size !== 1) process.exitCode = 1;
} finally {
  await server.stop();
  await database.drop();
}
