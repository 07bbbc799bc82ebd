import { EventEmitter } from "node:events";
import { remember } from "@epic-web/remember";

/**
 * Live tokens of replies being generated in THIS process, for Server-Sent Events subscribers in the
 * same process — the fast path. The database holds the durable state (content persisted as it grows),
 * so a reader in another process, or after a reload, follows the reply from there instead.
 */
export type StreamEvent =
  | { type: "token"; text: string }
  /** `html`: the finished reply's text as stored, rendered once by its writer, so followers need not render it again. */
  | { type: "done"; status: string; html?: string };

type Generation = { controller: AbortController; done: Promise<void> };

type Bus = { emitter: EventEmitter; generations: Map<string, Generation> };

// One bus per process, kept across `npm run dev`'s hot reloads (a reload must not orphan live replies).
const shared: Bus = remember("ares-stream-bus", () => {
  const emitter = new EventEmitter();
  // One listener per open SSE connection on a reply; there is no meaningful upper bound to warn at.
  emitter.setMaxListeners(0);
  return { emitter, generations: new Map<string, Generation>() };
});

function bus(): Bus {
  return shared;
}

export function publish(messageId: string, event: StreamEvent): void {
  bus().emitter.emit(messageId, event);
}

export function subscribe(messageId: string, listener: (event: StreamEvent) => void): () => void {
  const { emitter } = bus();
  emitter.on(messageId, listener);
  return () => emitter.off(messageId, listener);
}

/** Registers a generation so Stop (in this process) can abort it and shutdown can wait for it. */
export function trackGeneration(messageId: string, controller: AbortController, done: Promise<void>): void {
  const { generations } = bus();
  generations.set(messageId, { controller, done });
  // Handles both outcomes: a rejected `done` (its owner logs it) must not become an unhandled rejection here.
  const forget = () => void generations.delete(messageId);
  done.then(forget, forget);
}

/** Replies being generated in this process, for the heartbeat that tells other processes they are alive. */
export function localGenerationIds(): string[] {
  return [...bus().generations.keys()];
}

export function isGeneratingHere(messageId: string): boolean {
  return bus().generations.has(messageId);
}

export function abortLocalGeneration(messageId: string): boolean {
  const generation = bus().generations.get(messageId);
  generation?.controller.abort();
  return Boolean(generation);
}

/** Resolves when every reply being generated here has finished, or after `timeoutMs`. */
export async function waitForGenerations(timeoutMs: number): Promise<number> {
  const pending = [...bus().generations.values()].map((generation) => generation.done);
  if (pending.length === 0) return 0;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(pending),
    new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  return pending.length;
}
