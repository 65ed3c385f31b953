-- A list with `q` beside one metadata filter and an event range was read as the lists beside more
-- filters are: its statements, planned for parameters, read the word's matches through a bitmap
-- gone lossy at the default work_mem and kept those linked to the entity and to an event in range.
-- At 1,000,000 articles `q=security&tag=tag-1&eventFrom=2018-01-01` (88,589 matches, a tag of
-- 6,000) was answered 503 past the statements' 5 s. It is now read as the lists beside one
-- filter are (migration 0050): among the entity's links, each link kept where its article is
-- about an event in range, looked up by the article's id (a subquery with a limit, which the
-- planner keeps as it is: as an `in` it hashed every link of the range, 890,000 for
-- `eventFrom=2018-01-01`). The functions tell an entity's links, named by their entity's column,
-- from the events' in range alone (no column): an entity not found has no links.
create or replace function article_link_condition(entity_column text, entity_id bigint, event_from date, event_to date) returns text
    language sql immutable parallel safe
    return (
        select case
                   when entity_column is null and (event_from is not null or event_to is not null)
                       then format('l.event_id in (select e.id from events e where %s)', o.overlaps)
                   when entity_column is null or entity_id is null then 'false'
                   when event_from is null and event_to is null then format('l.%I = %s', entity_column, entity_id)
                   else format('l.%I = %s and coalesce((select true from article_events v join events e on e.id = v.event_id
                                                        where v.article_id = l.article_id and %s limit 1), false)',
                               entity_column, entity_id, o.overlaps)
               end || ' and l.published_at <= now()'
        from (select format('daterange(e.start_date, e.end_date, ''[]'') && daterange(%L::date, %L::date, ''[]'')', event_from, event_to) as overlaps) o);
