import { remember } from "@epic-web/remember";
import { describeError } from "~/db/availability.server";
import { logger } from "~/observability/logger.server";
import { activeSessionIds } from "./sessions.server";

/**
 * Open reply streams end when their session stops letting its holder in (revoked, expired, account
 * disabled), whichever process did it: only the database can tell. One loop checks every watched
 * session in ONE query per beat, instead of a query per open stream (200 streams were 400 queries a
 * second, and most of the memory they cost).
 */
const CHECK_MS = 500;

type Watchers = { sessions: Map<string, Set<() => void>>; timer: NodeJS.Timeout | undefined; checking: boolean };

// Kept across `npm run dev`'s hot reloads, so a reload does not leave a second loop running.
const watchers: Watchers = remember("ares-session-watch", () => ({
  sessions: new Map<string, Set<() => void>>(),
  timer: undefined,
  checking: false,
}));

async function check(): Promise<void> {
  // A slow database must not pile checks up: the next beat starts after this one ends.
  if (watchers.checking) return;
  watchers.checking = true;
  const ids = [...watchers.sessions.keys()];
  try {
    const active = await activeSessionIds(ids);
    for (const id of ids) {
      if (active.has(id)) continue;
      for (const ended of [...(watchers.sessions.get(id) ?? [])]) ended();
    }
  } catch (error) {
    // The database is unreachable (or the query failed): keep the streams; the next beat asks again.
    logger.warn({ error: describeError(error), sessions: ids.length }, "could not re-check open streams' sessions");
  } finally {
    watchers.checking = false;
  }
}

/** Calls `onEnded` within about CHECK_MS once the session no longer lets its holder in. Returns an unwatch. */
export function watchSession(sessionId: string, onEnded: () => void): () => void {
  let callbacks = watchers.sessions.get(sessionId);
  if (!callbacks) watchers.sessions.set(sessionId, (callbacks = new Set()));
  callbacks.add(onEnded);
  if (!watchers.timer) {
    watchers.timer = setInterval(() => void check(), CHECK_MS);
    // Open streams keep the process alive, not this loop.
    watchers.timer.unref();
  }
  return () => {
    callbacks.delete(onEnded);
    if (callbacks.size === 0 && watchers.sessions.get(sessionId) === callbacks) watchers.sessions.delete(sessionId);
    if (watchers.sessions.size === 0) {
      clearInterval(watchers.timer);
      watchers.timer = undefined;
    }
  };
}
