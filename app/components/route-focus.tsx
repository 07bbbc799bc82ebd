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
  const viaForm = useRef(false);

  useEffect(() => {
    if (navigation.state !== "idle") viaForm.current = navigation.formMethod !== undefined;
  }, [navigation.state, navigation.formMethod]);

  useEffect(() => {
    if (location.pathname === shownPath.current) return;
    shownPath.current = location.pathname;
    const submitted = viaForm.current;
    viaForm.current = false;
    if (submitted) return;
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
