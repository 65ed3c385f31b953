-- Two costs of each search that did not need paying on every request.
--
-- Ranking read every match's rank_vector out of line: an article's row (~13 kB at the bench's
-- sizes) is far over the 2 kB TOAST target, so each wide column, rank_vector (~1 kB compressed)
-- included, went to the TOAST table: one more index probe and page read per match ranked, as
-- many as the page reads of the rows themselves (explain (analyze, buffers) of a search that
-- matched 1,235 of 100,000 articles: 1,243 extra buffers). MAIN keeps it in the row, compressed,
-- unless nothing else can be moved out. The list item (summary_document, ~0.4 kB) needs the
-- same: with rank_vector kept in, the toaster moved the summary out instead, and every list
-- read four more buffers per item (a page of the newest articles: 238 -> 803 µs of PostgreSQL
-- CPU in the bench). With both MAIN, 101 rows read 39 buffers for either column (4.7 and 4.6
-- per row with one or the other out of line); the row stays ~2 kB.
alter table articles alter column rank_vector set storage main, alter column summary_document set storage main;

-- Each hit's snippet rebuilt its text from the body on every request (the body read and
-- unnested for its first 400 characters: a third of the snippet's cost). The text is now kept
-- beside the vectors, set by the same trigger.
create function article_snippet_source(title text, summary text, body jsonb) returns text
    language sql immutable parallel safe
    return title || '. ' || summary || ' ' || article_body_opening(body);

select alter_table_with_row_type_functions('articles', $$alter table articles add column snippet_source text not null default ''$$);

create or replace function articles_search_vector() returns trigger language plpgsql as $$
begin
    new.search_vector := article_search_vector(new.title, new.summary, new.body);
    new.rank_vector := article_rank_vector(new.title, new.summary, new.body);
    new.snippet_source := article_snippet_source(new.title, new.summary, new.body);
    return new;
end $$;

-- Stored values keep their TOAST pointer until rewritten. The rewrite is no edit (as in 0018):
-- the row triggers that would count it as one stay off for it.
alter table articles disable trigger articles_before_update, disable trigger articles_document,
    disable trigger articles_before_document_first_published, disable trigger articles_outbox;
update articles set rank_vector = article_rank_vector(title, summary, body),
                    snippet_source = article_snippet_source(title, summary, body);
alter table articles enable trigger articles_before_update, enable always trigger articles_document,
    enable always trigger articles_before_document_first_published, enable trigger articles_outbox;

create or replace function search_snippet(kind text, item_id bigint, query tsquery) returns text
    language sql stable parallel safe cost 10000
as $$
    select case kind
        when 'article' then (
            select ts_headline('english', a.snippet_source,
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
