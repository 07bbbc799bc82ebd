import { Prisma } from "~/generated/prisma/client";

/**
 * An event's UTC span as the GiST index of the event_range_gist migration holds it (with "userId"):
 * queries must write this very expression for the planner to use the index. A NULL "rangeEnd" is an
 * unbounded upper end (a series that never ends); an end before the start is read as an empty span, so
 * such a row — which earlier code could store for a rule that ended before it began — has no occurrence
 * and cannot fail the index.
 */
export function eventSpanSql(alias?: string): Prisma.Sql {
  const column = (name: string) => Prisma.raw(alias ? `${alias}."${name}"` : `"${name}"`);
  return Prisma.sql`tsrange(${column("rangeStart")}, CASE WHEN ${column("rangeEnd")} < ${column("rangeStart")} THEN ${column("rangeStart")} ELSE ${column("rangeEnd")} END)`;
}
