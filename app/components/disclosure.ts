import type { KeyboardEvent } from "react";

/** The `<details>` that work as menus or drawers: Escape closes them (closeMenusOnEscape). */
const MENU = "details.menu, details.main-nav__menu, details.chat-drawer";

/**
 * Closes an open `<details>` and hands focus back to its toggle; false when there is nothing to close
 * (closed, or its toggle not shown: wide screens show the drawer's content inline).
 */
function closeDisclosure(details: HTMLDetailsElement): boolean {
  if (!details.open) return false;
  const toggle = details.querySelector(":scope > summary");
  if (!(toggle instanceof HTMLElement) || toggle.getClientRects().length === 0) return false;
  details.open = false;
  toggle.focus();
  return true;
}

/**
 * Escape closes an open `<details>` menu or drawer and hands focus back to its toggle (the usual
 * disclosure behaviour; without JS the toggle still opens and closes it). Where the toggle is not shown
 * (wide screens show the drawer's content inline) Escape is left alone: there is nothing to close.
 */
export function closeOnEscape(event: KeyboardEvent<HTMLDetailsElement>): void {
  // Not while an input method is composing: its Escape cancels the composition.
  if (event.key !== "Escape" || event.defaultPrevented || event.nativeEvent.isComposing) return;
  if (closeDisclosure(event.currentTarget)) event.preventDefault();
}

/**
 * The same for every menu on every page (the conversation menu had no handler of its own, and Escape
 * left it open): one listener on the document, for the innermost open menu the focus is in. Returns
 * the function that removes it.
 */
export function closeMenusOnEscape(doc: Document): () => void {
  const onKeyDown = (event: globalThis.KeyboardEvent) => {
    if (event.key !== "Escape" || event.defaultPrevented || event.isComposing || !(event.target instanceof Element))
      return;
    const menu = event.target.closest(MENU);
    if (menu instanceof HTMLDetailsElement && closeDisclosure(menu)) event.preventDefault();
  };
  // Capture: before the page's own Escape (the chat's "stop the reply" shortcut, a document listener
  // that may have been added first), so Escape in an open menu closes the menu and nothing else.
  doc.addEventListener("keydown", onKeyDown, true);
  return () => doc.removeEventListener("keydown", onKeyDown, true);
}
