/**
 * The calendar's views cost the same SQL statements whatever the number of events: 20 or 2,000 (50 of
 * them repeating series), for the month, week, day and agenda views and a search.
 */
import { describe, expect, it } from "vitest";
import { calendarPage } from "~/calendar/page.server";
import { VIEWS } from "~/calendar/views";
import { makeUser } from "../support/accounts";
import { seedCalendar } from "../support/calendar-seed";
import { countQueries } from "../support/query-counter";
import { occurrenceWindowSql } from "~/calendar/events.server";
import { upcomingEventsColumn } from "~/calendar/prompt-block.server";
import { pool } from "~/db/db.server";
import { Prisma } from "~/generated/prisma/client";

describe("calendar view query counts", () => {
  it("every view is a constant number of statements at 20 and at 2,000 events", async () => {
    const small = await makeUser({ timeZone: "Europe/Berlin" });
    const large = await makeUser({ timeZone: "Europe/Berlin" });
    await seedCalendar(small.id, 20, 1);
    await seedCalendar(large.id, 2_000, 50);
    for (const view of VIEWS) {
      const query = { view, date: "2026-06-15" };
      const few = await countQueries(() => calendarPage(small, query));
      const many = await countQueries(() => calendarPage(large, query));
      expect([view, many.statements.length]).toEqual([view, few.statements.length]);
      expect(many.statements.length).toBeLessThanOrEqual(2);
      // The large calendar really is busier in the window: the count is not constant by being empty.
      // Every item carries its start with its UTC offset.
      const items = (page: typeof few.result) =>
        page.lists.join("").match(/<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"/g)?.length ?? 0;
      expect(items(many.result)).toBeGreaterThan(items(few.result));
    }
    const search = { view: "month" as const, q: "Room" };
    const few = await countQueries(() => calendarPage(small, search));
    const many = await countQueries(() => calendarPage(large, search));
    expect(many.statements.length).toBe(few.statements.length);
  });

  it("finds a window's events through the GiST index of (userId, span), with custom and generic plans", async () => {
    const busy = await makeUser({ timeZone: "Europe/Berlin" });
    const other = await makeUser({ timeZone: "Europe/Berlin" });
    await seedCalendar(busy.id, 2_000, 50);
    await seedCalendar(other.id, 2_000, 50);
    const client = await pool().connect();
    try {
      await client.query('ANALYZE "Event"');
      const window = occurrenceWindowSql(busy.id, new Date("2026-06-07T22:00:00Z"), new Date("2026-07-12T22:00:00Z"));
      const prompt = Prisma.sql`SELECT ${upcomingEventsColumn(busy.id)}`;
      for (const statement of [window, prompt]) {
        for (const mode of ["force_custom_plan", "force_generic_plan"]) {
          await client.query(`SET plan_cache_mode = ${mode}`);
          const { rows } = await client.query<{ "QUERY PLAN": unknown }>({
            text: `EXPLAIN (FORMAT JSON) ${statement.text}`,
            values: statement.values,
          });
          // The query's span expression must be the index's, or the planner scans the table again.
          expect(JSON.stringify(rows[0]!["QUERY PLAN"]), mode).toContain("Event_user_range_gist_idx");
        }
      }
    } finally {
      await client.query("RESET plan_cache_mode");
      client.release();
    }
  });
});
