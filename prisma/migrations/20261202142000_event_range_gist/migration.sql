-- The calendar's window query ("my events overlapping this window") as one range test the planner can
-- estimate: with two btree range conditions it multiplies their selectivities as if independent and
-- scans the table at a few thousand events. Expression indexes are not expressible in schema.prisma,
-- so they live here; listOccurrences (app/calendar/events.server.ts) must use the same expressions.
-- A NULL "rangeEnd" is an unbounded upper end: a series that never ends. Core GiST only (no
-- btree_gist), so the embedded PGlite builds it too.
CREATE INDEX "Event_range_gist_idx" ON "Event" USING GIST (tsrange("rangeStart", "rangeEnd"));
