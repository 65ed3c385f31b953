-- Highlighted snippets for search hits. Matches are wrapped in ⟦ and ⟧ (U+27E6, U+27E7):
-- plain text, no HTML, and characters news text does not use. The high cost makes the planner
-- compute it only for the rows of the page, after ORDER BY and LIMIT.
-- ts_headline's cost grows with the text it reads (~0.6 ms for a 3,000-character article,
-- measured), so an article's snippet comes from its title, summary and the first 400
-- characters of its body, where news puts what a search is for (0.25 ms per hit). A match
-- further down still finds and ranks the article; its snippet may then show the opening
-- without a highlight.
create function search_snippet(kind text, item_id bigint, query tsquery) returns text
    language sql stable parallel safe cost 10000
as $$
    select case kind
        when 'article' then (
            select ts_headline('english',
                       a.title || '. ' || a.summary || ' '
                       || left(coalesce((select string_agg(block ->> 'text', ' ') from jsonb_array_elements(a.body) block), ''), 400),
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
