-- Session rows are keyed by the SHA-256 digest (hex) of the secret the cookie carries, no longer by the
-- secret itself. Existing sessions keep working: their cookies carry the old id, whose digest is the new id.
UPDATE "Session" SET "id" = encode(sha256(convert_to("id", 'UTF8')), 'hex');

-- Audit entries that named a session by its secret now name the session's row.
UPDATE "AuditEvent"
   SET "targetId" = encode(sha256(convert_to("targetId", 'UTF8')), 'hex')
 WHERE "targetType" = 'session' AND "targetId" IS NOT NULL;
