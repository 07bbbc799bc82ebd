-- DropIndex
DROP INDEX "ConversationSummary_searchVector_idx";

-- Custom SQL. The relevant summaries are "mine, matching these words": one GIN index holds both the owner
-- and the words, so the lookup is a single index search whose cost follows my matching summaries, not the
-- table, and the plan stays the same from 10 to 10,000 summaries (tests/integration/
-- memory-summaries-plan.test.ts; docs/decisions/008). Alone on the words, the old index lost to the
-- (userId, createdAt) btree for a person with few summaries, so the plan changed as they grew.
-- - The owner is indexed as a one-element array: core GIN indexes arrays but not text (btree_gin would,
--   as an extension the embedded PGlite must load, and Prisma cannot describe a GIN over text without
--   reporting drift). Prisma ignores expression indexes: schema.prisma only mentions this one.
-- - fastupdate off: new entries go straight into the index instead of a pending list that every search
--   scans until the next vacuum, which made the index look costly, and the planner skip it, after a batch
--   of inserts. Summaries are written by a background job, once per idle conversation: slower inserts do
--   not matter.
CREATE INDEX "ConversationSummary_owner_search_idx" ON "ConversationSummary"
  USING GIN ((ARRAY["userId"]), "searchVector") WITH (fastupdate = off);
