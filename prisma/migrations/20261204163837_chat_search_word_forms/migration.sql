-- Custom SQL (expression indexes are not expressible in schema.prisma). Chat search indexes each title and
-- message with its words as the 'simple' parser reads them, plus the forms a person may type for words
-- joined by hyphens or dots between letters, which the parser keeps whole: "e-mail" is also 'email',
-- "node.js" also 'nodejs', 'node' and 'js'. Only lexemes the text does not already have are added. ASCII
-- letters only: [[:alpha:]] would depend on the database's locale, and an index expression must not.
-- app/chat/conversations.server.ts must query the same expression (chat_search_vector(column)) to use them.
CREATE FUNCTION chat_search_vector(body text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN to_tsvector('simple'::regconfig, body) || ts_delete(
    to_tsvector('simple'::regconfig,
      regexp_replace(body, '([A-Za-z])[-.](?=[A-Za-z])', '\1', 'g') || ' ' ||
      regexp_replace(body, '([A-Za-z])\.(?=[A-Za-z])', '\1 ', 'g')),
    tsvector_to_array(to_tsvector('simple'::regconfig, body)));

DROP INDEX "Message_content_fts_idx";
DROP INDEX "Conversation_title_fts_idx";
CREATE INDEX "Message_content_fts_idx" ON "Message" USING GIN (chat_search_vector("content"));
CREATE INDEX "Conversation_title_fts_idx" ON "Conversation" USING GIN (chat_search_vector("title"));
