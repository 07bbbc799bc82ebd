import { useSyncExternalStore } from "react";

// Nothing to subscribe to: the value only changes once, from the server's to the client's.
const subscribe = () => () => {};

/**
 * False on the server and while the page first hydrates, true ever after. Shared by every component:
 * one mounted later (a client navigation into a conversation, a new Edit link after a send) renders its
 * JS markup at once, rather than the no-JS one for a frame and then a remount that loses focus.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
