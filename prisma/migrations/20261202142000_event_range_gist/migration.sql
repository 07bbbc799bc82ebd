-- The calendar's window query ("my events overlapping this window") as one range test the planner can
-- estimate: with two btree range conditions it multiplies their selectivities as if independent and
-- scans the table at a few thousand events. Expression indexes are not expressible in schema.prisma,
-- so they live here; listOccurrences (app/calendar/events.server.ts) must use the same expressions.
-- btree_gist lets the index lead with "userId" (core GiST has no operator class for text): without it,
-- the index returned every person's events in the window. It is a trusted contrib extension (PostgreSQL
-- ships it; the embedded PGlite loads it, app/db/embedded.server.ts).
-- A NULL "rangeEnd" is an unbounded upper end: a series that never ends. A span whose end precedes its
-- start (earlier code stored one for a rule that ended before it began) is read as empty, not an error.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE INDEX "Event_user_range_gist_idx" ON "Event" USING GIST (
  "userId",
  tsrange("rangeStart", CASE WHEN "rangeEnd" < "rangeStart" THEN "rangeStart" ELSE "rangeEnd" END)
);
