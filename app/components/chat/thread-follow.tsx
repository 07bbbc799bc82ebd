import { useCallback, useEffect, useRef, useState, type RefObject } from "react";

/** How close to the end counts as "at the newest message", in pixels. */
const NEAR_END_PX = 120;
/** A scroll this soon after the person's own input is theirs (a smooth wheel scroll lasts a while). */
const PERSON_SCROLL_MS = 1_000;

function distanceFromEnd(): number {
  const root = document.documentElement;
  return root.scrollHeight - (window.scrollY + window.innerHeight);
}

/** Whether scrolling to the end would take the focused element of the thread (not its message box) out of view. */
function focusWouldLeaveView(thread: HTMLElement): boolean {
  const focused = document.activeElement;
  if (!(focused instanceof HTMLElement) || !thread.contains(focused) || focused.closest(".composer-form")) return false;
  const endTop = document.documentElement.scrollHeight - window.innerHeight;
  return focused.getBoundingClientRect().top + window.scrollY < endTop;
}

function scrollToEnd(): void {
  window.scrollTo({ top: document.documentElement.scrollHeight, behavior: "instant" });
}

/**
 * Keeps the thread at its newest message while it grows (a streaming reply, a new message) unless the
 * person has scrolled up to read; then a "Jump to latest" button brings them back. The page scrolls
 * as a whole (the composer is sticky), so this works on the window. Without JS, `#latest` does the
 * opening part.
 */
export function useThreadFollow(thread: RefObject<HTMLElement>): { awayFromEnd: boolean; jumpToLatest: () => void } {
  const following = useRef(true);
  const [awayFromEnd, setAwayFromEnd] = useState(false);

  useEffect(() => {
    // Opened at a particular message (a search hit): stay there.
    if (!window.location.hash || window.location.hash === "#latest") scrollToEnd();
    following.current = distanceFromEnd() <= NEAR_END_PX;
    // Only the person scrolling up stops following: a scroll that moved up within a moment of their own
    // input (wheel, touch, a press, a key outside the message box). Far from the end is not enough — a
    // fast reply grows by many lines between our scroll and its event — nor is any upward move: a reply
    // swapped for its stored copy, or a shorter version, moves the page up by itself.
    let lastY = window.scrollY;
    let lastInput = -Infinity;
    const onInput = () => {
      lastInput = performance.now();
    };
    const onKey = (event: KeyboardEvent) => {
      const typing = event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLInputElement;
      if (!typing) onInput();
    };
    const onScroll = () => {
      const near = distanceFromEnd() <= NEAR_END_PX;
      const byPerson = performance.now() - lastInput < PERSON_SCROLL_MS;
      if (near) following.current = true;
      else if (byPerson && window.scrollY < lastY) following.current = false;
      lastY = window.scrollY;
      setAwayFromEnd(!near && !following.current);
    };
    const inputs = ["wheel", "touchmove", "pointerdown"] as const;
    for (const type of inputs) window.addEventListener(type, onInput, { passive: true });
    window.addEventListener("keydown", onKey);
    window.addEventListener("scroll", onScroll, { passive: true });
    const element = thread.current;
    const observer = new ResizeObserver(() => {
      if (!following.current) return;
      // Focus on something earlier in the thread (Tab to a Copy button, a screen reader's cursor) is
      // where the person is: following would scroll it out of view.
      if (element && focusWouldLeaveView(element)) {
        following.current = false;
        setAwayFromEnd(true);
        return;
      }
      scrollToEnd();
    });
    if (element) observer.observe(element);
    return () => {
      window.removeEventListener("scroll", onScroll);
      for (const type of inputs) window.removeEventListener(type, onInput);
      window.removeEventListener("keydown", onKey);
      observer.disconnect();
    };
  }, [thread]);

  const jumpToLatest = useCallback(() => {
    following.current = true;
    scrollToEnd();
    setAwayFromEnd(false);
  }, []);
  return { awayFromEnd, jumpToLatest };
}

export { scrollToEnd };
