import { expect, it, vi } from "vitest";
import { logger } from "./logger.server";
import { metricsRegistry } from "./metrics.server";
import { logUnhandledRejections } from "./process-failures.server";
import { runInRequestScope } from "./request-scope.server";

async function rejectionsCounted(): Promise<number> {
  const metric = await metricsRegistry.getSingleMetricAsString("ares_unhandled_rejections_total");
  return Number(/ares_unhandled_rejections_total (\d+)/.exec(metric)?.[1] ?? 0);
}

it("logs an unhandled rejection with the request it came from, counts it, and keeps the process up", async () => {
  const before = new Set(process.listeners("unhandledRejection"));
  logUnhandledRejections();
  const handler = process.listeners("unhandledRejection").find((listener) => !before.has(listener))!;
  // Called directly: emitting the event would also reach the test runner's own handler.
  process.off("unhandledRejection", handler);
  const logged = vi.spyOn(logger, "error").mockImplementation(() => undefined);
  const counted = await rejectionsCounted();

  runInRequestScope("req-1234abcd", () => handler(new Error("nobody caught me"), Promise.resolve()));

  expect(await rejectionsCounted()).toBe(counted + 1);
  expect(logged).toHaveBeenCalledWith(
    expect.objectContaining({
      requestId: "req-1234abcd",
      err: expect.objectContaining({ message: "nobody caught me" }),
    }),
    "unhandled promise rejection",
  );
  logged.mockRestore();
});
