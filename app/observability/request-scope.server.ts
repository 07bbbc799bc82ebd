import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The request a piece of work belongs to, carried through every await and timer started while serving
 * it — so a failure nobody handled can still be logged with the request id that caused it.
 */
const scope = new AsyncLocalStorage<{ requestId: string }>();

export function runInRequestScope<T>(requestId: string, run: () => T): T {
  return scope.run({ requestId }, run);
}

export function currentRequestId(): string | undefined {
  return scope.getStore()?.requestId;
}
