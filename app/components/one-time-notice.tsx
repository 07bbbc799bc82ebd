import { useLocation } from "@remix-run/react";
import { useEffect, useState } from "react";
import type { ShownNotice } from "~/http/shown-notice";

/**
 * The notice a page got from its loader (app/http/notice.server.ts), kept while the person stays on
 * this page: with JavaScript a fetcher or a later submission revalidates the loader, which no longer
 * has the (already taken) notice — that must not make it vanish. A new notice (new id) replaces it;
 * a navigation to another location drops it.
 */
function useKeptNotice(notice: ShownNotice | null): ShownNotice | null {
  const { key } = useLocation();
  const [kept, setKept] = useState({ location: key, notice });
  let next = kept;
  if (notice && notice.id !== kept.notice?.id) next = { location: key, notice };
  else if (!notice && kept.notice && kept.location !== key) next = { location: key, notice: null };
  if (next !== kept) setKept(next);
  return next.notice;
}

/**
 * A one-time notice ("Saved.") at the top of a page.
 *
 * Screen readers announce a live region's changes, not what it holds when the page loads (or when it
 * is inserted with its content already in it). So the well-known pattern: the `role="status"` region
 * is rendered empty, and once the page runs (hydrated, or mounted after a client navigation) the
 * notice moves into it a moment later, which is a change they announce. Without JavaScript the notice
 * is a plain paragraph at the top of the page, read in order right after the heading; it looks the
 * same either way.
 */
export function OneTimeNotice({ notice, hidden = false }: { notice: ShownNotice | null; hidden?: boolean }) {
  const kept = useKeptNotice(notice);
  const [announced, setAnnounced] = useState<string | null>(null);
  const id = kept?.id ?? null;
  useEffect(() => {
    if (!id) return;
    // A short pause so that assistive technology has seen the empty region before it changes.
    const timer = setTimeout(() => setAnnounced(id), 150);
    return () => clearTimeout(timer);
  }, [id]);
  // A new submission makes the old notice stale: "Saved." must not stand above the next attempt's
  // error. `hidden` (the action answered) misses the attempts the browser checks itself (Conform's
  // client validation stops the submit, so no action runs): a submit seen in the capture phase,
  // before any handler can stop it, or a field the browser refuses, dismisses it too.
  const [dismissed, setDismissed] = useState<string | null>(null);
  useEffect(() => {
    if (!id) return;
    const dismiss = () => setDismissed(id);
    document.addEventListener("submit", dismiss, true);
    document.addEventListener("invalid", dismiss, true);
    return () => {
      document.removeEventListener("submit", dismiss, true);
      document.removeEventListener("invalid", dismiss, true);
    };
  }, [id]);
  const shown = kept && !hidden && dismissed !== kept.id ? kept : null;
  const inRegion = shown !== null && announced === shown.id;
  return (
    <>
      <div role="status" className="notice-region" data-notice-region="">
        {inRegion ? <p className="notice">{shown.text}</p> : null}
      </div>
      {shown && !inRegion ? <p className="notice">{shown.text}</p> : null}
    </>
  );
}
