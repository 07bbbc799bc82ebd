import type { ReactNode } from "react";

/**
 * A wide table scrolls sideways inside this box, never the page. The box is focusable and named so a
 * keyboard user can reach and scroll it.
 */
export function ScrollBox({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
