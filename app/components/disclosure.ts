import type { KeyboardEvent } from "react";

/**
 * Escape closes an open `<details>` menu or drawer and hands focus back to its toggle (the usual
 * disclosure behaviour; without JS the toggle still opens and closes it). Where the toggle is not shown
 * (wide screens show the drawer's content inline) Escape is left alone: there is nothing to close.
 */
export function closeOnEscape(event: KeyboardEvent<HTMLDetailsElement>): void {
  const details = event.currentTarget;
  if (event.key !== "Escape" || event.defaultPrevented || !details.open) return;
  const toggle = details.querySelector(":scope > summary");
  if (!(toggle instanceof HTMLElement) || toggle.getClientRects().length === 0) return;
  event.preventDefault();
  details.open = false;
  toggle.focus();
}
