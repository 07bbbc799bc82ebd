/**
 * The production server's footprint, measured in one run: cold start to ready, idle RSS, and peak RSS
 * while 200 replies stream at once (the stand-in provider sends a token every 400 ms).
 * Targets: idle ≤ 200 MB, ≤ 300 MB with 200 streams. The server runs as `npm start` runs it: the
 * node flags of package.json's start script, then build/server.js.
 *   npx tsx bench/runtime.ts [streams=200]
 * Another checkout (e.g. an older commit, to compare) with its own start command:
 *   npx tsx bench/runtime.ts 200 --root /tmp/ares-old --entry="--import tsx server.ts"
 * bench/memory.ts follows the same server further: after 10,000 messages, and back to idle after the streams.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { concurrentStreams, startProductionServer } from "./production-server";
import { printBenchSummary } from "./summary";
import { signedIn } from "./support";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { root: { type: "string" }, entry: { type: "string" } },
});
const streams = Number(positionals[0] ?? 200);
const TOKEN_DELAY_MS = 400;

const server = await startProductionServer({
  name: "runtime",
  port: 4316,
  tokenDelayMs: TOKEN_DELAY_MS,
  root: values.root,
  entry: values.entry,
});
try {
  const client = await signedIn(server.url);
  // Idle: after a sign-up and one page (the routes a person touches first are loaded), then a pause.
  await client.get("/chat").then((response) => response.text());
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const idleMb = server.rssMb();
  const { peakMb } = await concurrentStreams(client, streams, server.rssMb);

  const entry = values.entry ?? "build/server.js (npm start's flags)";
  console.log(`ARES runtime footprint (${values.root ? `${path.resolve(values.root)}: ` : ""}node ${entry})`);
  console.log(`  cold start to ready      ${server.coldStartMs.toFixed(0)} ms`);
  console.log(`  idle RSS                 ${idleMb.toFixed(1)} MB   (target ≤ 200 MB)`);
  console.log(`  peak RSS, ${streams} streams    ${peakMb.toFixed(1)} MB   (target ≤ 300 MB)`);
  printBenchSummary("runtime", [
    { name: "cold start to ready", value: server.coldStartMs, unit: "ms", target: null, pass: null },
    { name: "idle RSS", value: idleMb, unit: "MB", target: "≤ 200 MB", pass: idleMb <= 200 },
    {
      name: `peak RSS, ${streams} streams`,
      value: peakMb,
      unit: "MB",
      target: "≤ 300 MB",
      pass: streams >= 200 ? peakMb <= 300 : null,
    },
  ]);
} finally {
  await server.stop();
}
