// Preloaded (`node --require`) into the Prisma CLI only: its WASM schema engine leaves 10 s and 60 s
// timers pending after it has finished, which keeps `migrate deploy` alive for up to a minute.
const originalSetTimeout = globalThis.setTimeout;
const originalSetInterval = globalThis.setInterval;
const LINGERING_MS = 10_000;
function unrefIfLong(timer, ms) {
  if (typeof ms === "number" && ms >= LINGERING_MS && timer && typeof timer.unref === "function") timer.unref();
  return timer;
}
globalThis.setTimeout = function patchedSetTimeout(fn, ms, ...rest) {
  return unrefIfLong(originalSetTimeout(fn, ms, ...rest), ms);
};
globalThis.setInterval = function patchedSetInterval(fn, ms, ...rest) {
  return unrefIfLong(originalSetInterval(fn, ms, ...rest), ms);
};
