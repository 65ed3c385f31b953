-- Ranking an article read its whole search_vector (~6 kB at the bench's sizes, compressed and
-- stored out of line): a broad query that matched 10,000 articles spent most of its time
-- fetching and decompressing vectors to rank them. Articles are still found by their whole
-- text (search_vector and its index) but ranked by a small vector kept in the row: the title
-- (A), the summary (B) and the body's opening (C), the text the search snippet shows.
create function article_body_opening(body jsonb) returns text
    language sql immutable parallel safe
    return left(coalesce((select string_agg(block ->> 'text', ' ') from jsonb_array_elements(body) block), ''), 400);

create function article_rank_vector(title text, summary text, body jsonb) returns tsvector
    language sql immutable parallel safe
    return setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', summary), 'B')
        || setweight(to_tsvector('english', article_body_opening(body)), 'C');

-- Through the helper of sql/before-migrations: PostgreSQL 15.20 refuses this ALTER while
-- article_is_public(a articles) and the other shape functions use the row type.
select alter_table_with_row_type_functions('articles', $$alter table articles add column rank_vector tsvector not null default ''$$);

create or replace function articles_search_vector() returns trigger language plpgsql as $$
begin
    new.search_vector := article_search_vector(new.title, new.summary, new.body);
    new.rank_vector := article_rank_vector(new.title, new.summary, new.body);
    return new;
end $$;

-- The backfill is no edit: the row triggers that would count it as one (versions, documents,
-- the changes feed's outbox) stay off for it. The statement trigger still moves the content
-- watermark once, as search results' ranks do change.
alter table articles disable trigger articles_before_update, disable trigger articles_document,
    disable trigger articles_before_document_first_published, disable trigger articles_outbox;
update articles set rank_vector = article_rank_vector(title, summary, body);
alter table articles enable trigger articles_before_update, enable always trigger articles_document,
    enable always trigger articles_before_document_first_published, enable trigger articles_outbox;

-- The snippet's text, from the same opening (was spelled inline in migration 0003).
create or replace function search_snippet(kind text, item_id bigint, query tsquery) returns text
    language sql stable parallel safe cost 10000
as $$
    select case kind
        when 'article' then (
            select ts_headline('english', a.title || '. ' || a.summary || ' ' || article_body_opening(a.body),
                               query, 'StartSel=⟦, StopSel=⟧, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')
            from articles a where a.id = item_id)
        when 'person' then (
            select ts_headline('english', p.name || coalesce('. ' || p.description, ''), query,
                               'StartSel=⟦, StopSel=⟧, MaxWords=30, MinWords=12')
            from people p where p.id = item_id)
        when 'organisation' then (
            select ts_headline('english', o.name || coalesce(' (' || o.acronym || ')', '') || coalesce('. ' || o.description, ''), query,
                               'StartSel=⟦, StopSel=⟧, MaxWords=30, MinWords=12')
            from organisations o where o.id = item_id)
        when 'event' then (
            select ts_headline('english', e.name || coalesce(', ' || e.city, '') || coalesce('. ' || e.description, ''), query,
                               'StartSel=⟦, StopSel=⟧, MaxWords=30, MinWords=12')
            from events e where e.id = item_id)
    end
$$;
