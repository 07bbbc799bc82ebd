import { useLocation, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";

/** Attribute on the heading this component made focusable, so a later page's heading is not confused with it. */
const FOCUS_TARGET = "data-route-focus";

/**
 * After a client-side navigation to another page (a link or the browser's back and forward), focus moves
 * to the new page's main heading (or `main`), as a full page load would reset it: a screen reader then
 * reads where the person now is, and Tab starts from the page's content. Left alone: the first load, a
 * change of query only (`?edit=…` opens a form in place), revalidations and fetchers (no location
 * change), any form submission and its redirect (the page answering it decides, e.g. the chat's message
 * box after a send), and a page that already put focus into its content.
 */
export function RouteFocus() {
  const location = useLocation();
  const navigation = useNavigation();
  const shownPath = useRef(location.pathname);
  // Where the pending navigation goes and whether a form sent it. Kept with its destination: a
  // navigation with no loader to run never leaves "idle", so a flag alone would still describe the
  // last form's navigation (one that stayed on its page) when the next link is followed.
  const pending = useRef<{ to: string; submitted: boolean } | null>(null);

  useEffect(() => {
    if (navigation.state !== "idle")
      pending.current = { to: navigation.location.pathname, submitted: navigation.formMethod !== undefined };
  }, [navigation.state, navigation.location, navigation.formMethod]);

  useEffect(() => {
    if (location.pathname === shownPath.current) return;
    shownPath.current = location.pathname;
    const last = pending.current;
    pending.current = null;
    if (last?.submitted && last.to === location.pathname) return;
    const main = document.getElementById("main");
    if (!main) return;
    // The new page focused a field of its own (autofocus, the chat's message box): it knows best.
    if (document.activeElement?.matches("input, textarea, select, [contenteditable]")) return;
    const heading = main.querySelector<HTMLElement>("h1");
    const target = heading ?? main;
    if (heading && !heading.hasAttribute("tabindex")) {
      heading.setAttribute("tabindex", "-1");
      heading.setAttribute(FOCUS_TARGET, "");
    }
    target.focus({ preventScroll: true });
  }, [location.pathname]);

  return null;
}
