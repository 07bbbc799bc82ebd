import { useCallback, useEffect, useRef, useState, type RefObject } from "react";

/** How close to the end counts as "at the newest message", in pixels. */
const NEAR_END_PX = 120;

function distanceFromEnd(): number {
  const root = document.documentElement;
  return root.scrollHeight - (window.scrollY + window.innerHeight);
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
    const onScroll = () => {
      const near = distanceFromEnd() <= NEAR_END_PX;
      following.current = near;
      setAwayFromEnd(!near);
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    const element = thread.current;
    const observer = new ResizeObserver(() => {
      if (following.current) scrollToEnd();
    });
    if (element) observer.observe(element);
    return () => {
      window.removeEventListener("scroll", onScroll);
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
