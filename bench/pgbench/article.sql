-- The database's own ceiling: the statement the article endpoint runs (ArticleQueries.
-- GetDocumentAsync), for a random slug (pgbench -D articles=N).
\set n random(1, :articles)
select a.id, a.content_version, a.content_modified_at, a.document
from articles a
where a.slug = 'article-' || :n and article_is_public(a);
