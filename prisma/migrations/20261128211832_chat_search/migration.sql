-- Full-text search over a person's conversation titles and messages. Expression indexes are not
-- expressible in schema.prisma, so they live here; queries must use the same expressions.
-- 'simple' configuration: no stemming, so it works for every language a person writes in.
CREATE INDEX "Message_content_fts_idx" ON "Message" USING GIN (to_tsvector('simple', "content"));
CREATE INDEX "Conversation_title_fts_idx" ON "Conversation" USING GIN (to_tsvector('simple', "title"));
