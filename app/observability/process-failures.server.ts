import { describeError } from "~/db/availability.server";
import { reportFailure } from "./error-reporting.server";
import { logger } from "./logger.server";
import { countUnhandledRejection } from "./metrics.server";
import { currentRequestId } from "./request-scope.server";

/**
 * A promise rejection that no code handled is a bug to log and count, not a reason to drop every
 * request and stream this process is serving: Node's default would exit with status 1. Each one is a
 * single JSON line with the request id when the work started while serving a request.
 */
export function logUnhandledRejections(): void {
  process.on("unhandledRejection", (reason: unknown) => {
    countUnhandledRejection();
    logger.error(
      {
        requestId: currentRequestId(),
        err: reason instanceof Error ? reason : { message: describeError(reason) },
      },
      "unhandled promise rejection",
    );
    reportFailure(reason, { source: "unhandled_rejection" });
  });
}
