/**
 * Runs the Prisma CLI the way it works offline: WASM schema engine (prisma.config.ts), no telemetry
 * lookup, and lingering engine timers unref'd. Usage: tsx scripts/prisma-cli.ts <prisma args…>
 */
import { runPrismaCli } from "../app/db/prisma-cli.server";

const code = await runPrismaCli(process.argv.slice(2), { stdio: "inherit" });
process.exit(code);
