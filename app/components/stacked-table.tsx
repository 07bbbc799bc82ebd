import type { ComponentProps, ReactNode } from "react";

/**
 * A data table that, on a phone, stacks each row's cells one under another, each cell named by its
 * column (app.css `table.data.stacked`: the `data-label` before it). The explicit ARIA roles keep it a
 * table for screen readers: `display: block` on a table's parts drops their implicit roles.
 *
 * `headings`: the column headings, in order (kept for screen readers; hidden on a phone). Rows are
 * StackedRow, cells StackedCell.
 */
export function StackedTable({ headings, children }: { headings: ReactNode[]; children: ReactNode }) {
  return (
    <table role="table" className="data stacked">
      <thead role="rowgroup">
        <tr role="row">
          {headings.map((heading, index) => (
            // The headings are fixed for a table's life: their place is their identity.
            <th role="columnheader" scope="col" key={index}>
              {heading}
            </th>
          ))}
        </tr>
      </thead>
      <tbody role="rowgroup">{children}</tbody>
    </table>
  );
}

/** One row of a StackedTable. */
export function StackedRow(props: Omit<ComponentProps<"tr">, "role">) {
  return <tr role="row" {...props} />;
}

/**
 * One cell of a StackedTable. `label`: the column's name shown before the value on a phone; leave it
 * out for a cell that names its row (the first) or holds only controls.
 */
export function StackedCell({ label, ...props }: Omit<ComponentProps<"td">, "role"> & { label?: string }) {
  return <td role="cell" data-label={label} {...props} />;
}
