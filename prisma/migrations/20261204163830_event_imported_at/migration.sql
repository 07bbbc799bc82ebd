-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "importedVersion" TEXT;


-- Families imported before this was kept (a head with source 'import'): taken as unchanged since their
-- import, so that importing their file again still updates them as it did, unless their rows tell
-- otherwise: an import writes a family in one transaction, so a row written more than a minute apart from
-- the others (an exception made here later) or one not from the import is a change made here, and ''
-- (which no fingerprint equals) keeps the family. Subscribed and local events are never imported (null).
-- The fingerprint is familyFingerprints' in app/calendar/events.server.ts: keep the two alike.
UPDATE "Event" h
   SET "importedVersion" = CASE WHEN f.unchanged THEN f.version ELSE '' END
  FROM (SELECT COALESCE(r."seriesId", r.id) AS id,
               md5(string_agg(jsonb_build_array(r.id, r.uid, r.title, r.description, r.location, r."allDay",
                                                r."startLocal", r."endLocal", r."timeZone", r.rrule, r.exdates,
                                                r."seriesId", r."recurrenceId", r.reminders, r.source,
                                                r."subscriptionId")::text, ',' ORDER BY r.id)) AS version,
               bool_and(r.source = 'import') AND max(r."updatedAt") - min(r."updatedAt") <= interval '1 minute'
                 AS unchanged
          FROM "Event" r
         GROUP BY 1) f
 WHERE h.id = f.id AND h."seriesId" IS NULL AND h.source = 'import' AND h."subscriptionId" IS NULL;
