-- The database's own ceiling: one article row by a random slug (pgbench -D articles=N).
\set n random(1, :articles)
select id, slug, title, summary, body, language, status, published_at, updated_at, comments_open, comment_count
from articles
where slug = 'article-' || :n;
