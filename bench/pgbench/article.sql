-- The database's own ceiling: the statement the article endpoint runs (ArticleQueries.
-- GetDocumentAsync), for one random slug (pgbench -D articles=N). The API sends the slugs
-- asked together in one such statement (CoalescedLookups): this is its cost for a lone request.
\set n random(1, :articles)
select a.slug, a.id, a.content_version, a.content_modified_at, a.document
from article_reads a
where a.slug = any(array['article-' || :n]) and article_is_public(a);
