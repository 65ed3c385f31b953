-- Editors' lists of drafts and archived articles (GET /v1/articles?status=draft, archived), newest
-- or oldest first: ordered by the publication time or, without one, the last change, which no
-- index gave, nor their status alone, so each page read the whole table (by hand at 100,000
-- articles, none of them drafts: 105 ms). ArticleQueries.EditorialSorts.
create index articles_editorial_idx on articles (status, (coalesce(published_at, updated_at)) desc, id desc)
    where status in ('draft', 'archived');
