-- One series head per UID among a person's own events (not expressible in schema.prisma: a partial
-- index). A series' exceptions share its UID ("seriesId" set) and a subscribed calendar's events belong
-- to their feed ("subscriptionId" set): neither counts. The predicate is importEvents' own
-- (lockImportedHeads, app/calendar/events.server.ts): the rows an import of that UID replaces. Without
-- it, two imports of a file with a new UID at the same time both found no copy to replace and both
-- created one, and the person saw the event twice; now the second one's insert fails and it replaces
-- the first one's copy instead.
--
-- A database may already hold such copies. None is deleted (one may have been edited since): the
-- oldest keeps the UID, each later copy gets a new one of ARES's own (as a new event does), its
-- exceptions with it. An import of the file replaces the oldest from then on.
WITH copies AS (
  SELECT id, row_number() OVER (PARTITION BY "userId", uid ORDER BY "createdAt", id) AS n
    FROM "Event"
   WHERE "subscriptionId" IS NULL AND "seriesId" IS NULL
), renamed AS (
  UPDATE "Event" AS head
     SET uid = gen_random_uuid()::text || '@ares', "updatedAt" = now() AT TIME ZONE 'UTC'
    FROM copies
   WHERE head.id = copies.id AND copies.n > 1
  RETURNING head.id, head.uid
)
UPDATE "Event" AS exception
   SET uid = renamed.uid, "updatedAt" = now() AT TIME ZONE 'UTC'
  FROM renamed
 WHERE exception."seriesId" = renamed.id;

CREATE UNIQUE INDEX "Event_userId_uid_own_series_key" ON "Event"("userId", "uid")
  WHERE "subscriptionId" IS NULL AND "seriesId" IS NULL;
