import vm from "node:vm";

/**
 * Lets V8 give freed heap back to the system once the process goes quiet (ADR 012).
 *
 * V8's memory reducer runs a compacting collection, and releases the heap pages it keeps pooled for
 * reuse, when it sees a low allocation rate. Node 24's V8 (13.6) counts three rates, one of them its
 * C++ heap's, which Node only allocates on for `node:vm` scripts: in ARES that rate is exactly 0, which
 * V8 reads as "allocating fast" (its trace: `Embedder mutator utilization = 0.000`, `high alloc` on
 * every check). The reducer then never starts; the pooled pages — ~150 MB of RSS after
 * bench/memory.ts's sends — wait for a 100 s watchdog that every ordinary full collection postpones.
 * One empty script compiled now and then keeps that rate above 0. V8 checks it every 8 s, over the last
 * 8 s: a check whose window holds a compile reads "high" (every 10 s most do: in one bench run no check
 * read "low" for 60 s), and ~100 s after the last one the decaying rate is 0 again. Every 30 s, ~3
 * checks in 4 read "low": the reducer runs ~10–20 s after the process goes quiet, as on Node 22.
 */
const NUDGE_INTERVAL_MS = 30_000;

function compileEmptyScript(): vm.Script {
  return new vm.Script("0");
}

export function startMemoryReducerNudge(): () => void {
  const timer = setInterval(compileEmptyScript, NUDGE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
