-- Public visibility of an article, spelled once: published, and its publication time has come
-- (a published article with a future publishedAt is scheduled). Migration 0023 wrote the same
-- condition a second time for the read rows; both row types now call this one. The planner
-- inlines all three, so every query keeps the condition it had (and with it the partial
-- indexes on status = 'published').
create function article_status_is_public(status text, published_at timestamptz) returns boolean
    language sql stable parallel safe
    return status = 'published' and published_at <= now();

create or replace function article_is_public(a articles) returns boolean
    language sql stable parallel safe
    return article_status_is_public(a.status, a.published_at);

create or replace function article_is_public(a article_reads) returns boolean
    language sql stable parallel safe
    return article_status_is_public(a.status, a.published_at);
