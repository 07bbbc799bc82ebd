-- AlterTable
ALTER TABLE "ConversationSummary" ADD COLUMN     "searchVector" tsvector;

-- CreateIndex
CREATE INDEX "ConversationSummary_searchVector_idx" ON "ConversationSummary" USING GIN ("searchVector");


-- Custom SQL. The vector is stored, kept by this trigger, so ranking the matches on the send path does not
-- parse every matching summary again (measured: bench/memory-ttft.ts); it replaces the expression index.
CREATE FUNCTION "ConversationSummary_searchVector"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."searchVector" := to_tsvector('english', NEW."searchText");
  RETURN NEW;
END $$;
CREATE TRIGGER "ConversationSummary_searchVector" BEFORE INSERT OR UPDATE OF "searchText" ON "ConversationSummary"
  FOR EACH ROW EXECUTE FUNCTION "ConversationSummary_searchVector"();
UPDATE "ConversationSummary" SET "searchVector" = to_tsvector('english', "searchText");
DROP INDEX "ConversationSummary_search_fts_idx";
