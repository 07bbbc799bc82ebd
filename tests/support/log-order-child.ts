/**
 * The end of a shutdown on a loaded machine, for tests/integration/shutdown-log-order.test.ts: libuv's
 * one thread (UV_THREADPOOL_SIZE=1) is busy when the last steps log, as it was at load ≈ 10 when
 * "job worker stopped" came after "stopped". Ends as server.ts does.
 */
import crypto from "node:crypto";

const { logger, logStopped } = await import("~/observability/logger.server");
logger.info("started");
await new Promise((resolve) => setTimeout(resolve, 50));
crypto.pbkdf2("busy", "thread pool", 300_000, 32, "sha256", () => {});
logger.info("job worker stopped");
await logStopped();
process.exit(0);
