-- A public full-text list beside a link filter (`q=security&tag=tag-1`) read its page and
-- counted its total in statements planned for parameters: the planner took every query for one
-- that 0.5% of the articles match, read the word's matches by the search index, through a bitmap
-- gone lossy at the default work_mem, and kept those linked to the entity. At 1,000,000 articles
-- a word in 88,589 of them beside a tag of 6,000 was answered 503 in any order (by hand, without
-- the statements' 5 s: its total 13.6 s, its page by date 7.9 s, by title 7.1 s). So was one
-- beside an event date range (`q=security&eventFrom=2020-03-01&eventTo=2020-03-07`).
--
-- Such a list (one link filter or an event range, and at most the article's own columns: its
-- language and publication time) now reads the matches among the published links of the entity,
-- or of the events in range, with these functions (ArticleQueries), each statement planned for
-- its values, and its total is counted among them. There are three ways to read them all:
-- - the query's matches through the search index, each looked up in the links by its id: its
--   cost grows with the matches alone (a word in two articles beside a year's events, 89,384 of
--   them, at 1,000,000 articles).
-- - the query's matches through the search index as a bitmap, with the linked articles' ids in
--   the primary key, and only the articles in both read (a BitmapAnd): a word's 89,640 matches
--   and a tag's 6,000 articles by hand at 1,000,000, 70 ms warm, 250 ms cold.
-- - or each linked article read and checked by its whole text's terms: 7 µs warm, up to 600 µs
--   cold an article (its terms from TOAST): a tag's 6,000, 42 ms warm, 1.7 s cold.
-- A match read through the search index is taken to cost a twentieth of an article checked
-- (between the two ratios), so the linked articles are checked one by one only where the query
-- matches many times as many articles as are linked (a word in every article).
--
-- A page by date or title may also walk its order from its position, as a list of the matches
-- alone does (migration 0048), where the matches among the linked articles are many enough that
-- the walk is short: by date, one entity's links in the order of their index, each one's article
-- checked; by title, or by date among the events in a range, the articles' index of the order,
-- each article looked up in the links and checked when linked.
--
-- The links: `links` (a table of links from articles to entities, `entity_column` naming the
-- entity) to the entity entity_id; without one, the links of the events that the days from
-- event_from to event_to overlap (both included, null for no bound). No entity and no range:
-- none (a list whose entity's slug names none).

-- The costs the functions below compare, in matches read through the search index.
-- An article read and checked by its whole text's terms.
create function article_check_cost() returns double precision
    language sql immutable parallel safe
    return 20;

-- The published links, as a condition on a link `l` with its values written in.
create function article_link_condition(entity_column text, entity_id bigint, event_from date, event_to date) returns text
    language sql immutable parallel safe
    return case
        when entity_id is not null then format('l.%I = %s', entity_column, entity_id)
        when event_from is not null or event_to is not null then format(
            'l.event_id in (select e.id from events e where daterange(e.start_date, e.end_date, ''[]'') && daterange(%L::date, %L::date, ''[]''))',
            event_from, event_to)
        else 'false'
    end || ' and l.published_at <= now()';

-- Whether an article `a` has such a link, looked up for each article by its id: a subquery with
-- a limit, which the planner keeps as it is (as an `exists`, it joined the links to the articles,
-- and for a word in two articles beside a year's events read every link of those events).
create function article_link_probe(links regclass, condition text) returns text
    language sql immutable parallel safe
    return format('coalesce((select true from %s l where l.article_id = a.id and %s limit 1), false)', links, condition);

-- The articles of such links, null when there are none.
create function article_linked_ids(links regclass, condition text) returns bigint[]
    language plpgsql stable parallel safe
as $$
declare
    linked bigint[];
begin
    execute format('select array_agg(l.article_id) from %s l where %s', links, condition) into linked;
    return linked;
end $$;

-- How many such links the planner expects (at least one).
create function article_linked_total(links regclass, condition text) returns double precision
    language sql volatile parallel safe
    return greatest(planned_rows(format('select from %s l where %s', links, condition)), 1);

-- What each way of reading the articles that match a query among linked ones costs, `matches`
-- the query's matches among all and `linked` the linked articles: a probe, each match read
-- through the search index and looked up in the links (a match read, its row and a lookup: 8),
-- `probed` of them; a bitmap, the matches through the search index and the linked ids in the
-- primary key, and only the articles in both read (1 a match, 3 a linked id); a check, each
-- linked article read by its id and checked by its whole text's terms (article_check_cost()).
create function article_linked_read_costs(matches double precision, linked double precision, probed double precision)
    returns double precision[]
    language sql immutable parallel safe
    return array[8 * probed, matches + 3 * linked, article_check_cost() * linked];

-- The cheapest of those reads: 'probe', 'bitmap' or 'check'.
create function article_linked_read(matches double precision, linked double precision, probed double precision) returns text
    language sql immutable parallel safe
    return (select case when c[1] <= least(c[2], c[3]) then 'probe' when c[2] <= c[3] then 'bitmap' else 'check' end
            from (select article_linked_read_costs(matches, linked, probed)) r(c));

-- The statement of such a read, giving `columns` of each article `a` read: its parameters are q
-- ($1), the linked articles' ids but for a probe ($2), the article's own filters ($3, $4, $5),
-- and how many rows at most ($6, null for all).
create function article_linked_statement(read text, links regclass, condition text, columns text) returns text
    language sql immutable parallel safe
    return format(
        'select %s
         from articles a
         where %s
           and article_is_public(a) and article_passes_own_filters(a, $3, $4, $5)
         limit $6',
        columns,
        case read
            when 'probe' then 'article_search_terms(a.search_vector, a.rank_vector, a.id) @@ $1 and ' || article_link_probe(links, condition)
            when 'bitmap' then 'article_search_terms(a.search_vector, a.rank_vector, a.id) @@ $1 and a.id = any($2)'
            -- By the whole text's terms, which no index holds: each linked article read by its id.
            else 'a.id = any($2) and a.search_vector @@ $1'
        end);

-- Every public article of those links that matches q and the article's own filters (each null
-- for none), in no order. total_matches: how many the caller expects, null when unknown; it says
-- which read is the cheaper.
create function article_linked_matches(q tsquery, links regclass, entity_column text, entity_id bigint, event_from date, event_to date,
                                       language text, published_from timestamptz, published_to timestamptz,
                                       total_matches bigint)
    returns table (id bigint)
    language plpgsql stable parallel safe
    set work_mem = '32MB'
    set plan_cache_mode = force_custom_plan
as $$
declare
    condition constant text := article_link_condition(entity_column, entity_id, event_from, event_to);
    linked_total double precision;
    articles_total double precision;
    matches double precision;
    read text;
    linked bigint[];
begin
    if total_matches = 0 then
        return;
    end if;

    linked_total := article_linked_total(links, condition);
    -- The query's matches among all the articles, as many again as among the linked ones (a table
    -- never vacuumed nor analysed has reltuples -1).
    articles_total := greatest((select c.reltuples from pg_class c where c.oid = 'articles'::regclass), linked_total);
    matches := coalesce(total_matches, linked_total) * articles_total / linked_total;
    read := article_linked_read(matches, linked_total, matches);
    if read <> 'probe' then
        linked := article_linked_ids(links, condition);
        if linked is null then
            return;
        end if;
    end if;

    return query execute article_linked_statement(read, links, condition, 'a.id')
        using q, linked, language, published_from, published_to, null::bigint;
end $$;

-- The total of such a list, as (total, estimated): exact up to exact_up_to; past that, read
-- through the search index and the links one by one, estimated from a count in 16 slices of the
-- articles' ids (as article_match_total's), as a bitmap exact, and with each linked article
-- checked, estimated from the share of those checked that matched. matches_expected: how many
-- articles q matches with the filters, as far as the caller knows; by default, as the planner
-- expects.
create function article_linked_match_total(q tsquery, links regclass, entity_column text, entity_id bigint, event_from date, event_to date,
                                           exact_up_to int, language text, published_from timestamptz, published_to timestamptz,
                                           matches_expected double precision default null)
    returns table (total bigint, estimated boolean)
    language plpgsql stable parallel safe
    set work_mem = '32MB'
    set plan_cache_mode = force_custom_plan
as $$
declare
    condition constant text := article_link_condition(entity_column, entity_id, event_from, event_to);
    buckets constant bigint := coalesce((select max(a.id) from articles a), 0) / 1000 + 1;
    stride constant bigint := (buckets + 15) / 16;
    matches double precision;
    linked_total double precision;
    articles_total double precision;
    read text;
    linked bigint[];
    counted bigint;
    checked bigint := 0;
    found bigint := 0;
    article record;
begin
    -- The planner knows the most common words (in over about a tenth of the articles at
    -- 1,000,000), and takes the others for rare ones.
    matches := coalesce(matches_expected, planned_rows(format(
        'select from articles a
         where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ %L::tsquery
           and article_is_public(a) and article_passes_own_filters(a, %L::text, %L::timestamptz, %L::timestamptz)',
        q, language, published_from, published_to)));
    linked_total := article_linked_total(links, condition);
    articles_total := greatest((select c.reltuples from pg_class c where c.oid = 'articles'::regclass), linked_total);
    -- A count by probes reads the matches until one more than exact_up_to are linked (as many as
    -- the linked articles' share says), then a sixteenth of them.
    read := article_linked_read(matches, linked_total,
                                case when matches * linked_total / articles_total > exact_up_to
                                     then least(matches, (exact_up_to + 1) * articles_total / linked_total + matches / 16)
                                     else matches end);
    if read = 'probe' then
        execute format('select count(*) from (%s) m', article_linked_statement(read, links, condition, '1'))
            into counted
            using q, null::bigint[], language, published_from, published_to, exact_up_to + 1;
        if counted <= exact_up_to then
            return query select counted, false;
            return;
        end if;

        execute format('select count(*) from (%s) m', article_linked_statement(read, links, condition, '1'))
            into counted
            using q && search_buckets(0, buckets - 1, stride), null::bigint[], language, published_from, published_to, null::bigint;
        return query select greatest(counted * buckets / ((buckets + stride - 1) / stride), exact_up_to + 1), true;
        return;
    end if;

    linked := article_linked_ids(links, condition);
    if linked is null then
        return query select 0::bigint, false;
        return;
    end if;
    if read = 'bitmap' then
        return query execute format('select count(*), false from (%s) m', article_linked_statement(read, links, condition, '1'))
            using q, linked, language, published_from, published_to, null::bigint;
        return;
    end if;

    -- In the links' order, so that the share checked is spread over the linked articles.
    for article in execute
        'select a.search_vector @@ $1 and article_passes_own_filters(a, $3, $4, $5) as matches
         from unnest($2) l(id) join articles a on a.id = l.id
         where article_is_public(a)'
        using q, linked, language, published_from, published_to
    loop
        checked := checked + 1;
        if article.matches then
            found := found + 1;
            if found > exact_up_to then
                return query select greatest(round(found::numeric * cardinality(linked) / checked)::bigint, found), true;
                return;
            end if;
        end if;
    end loop;
    return query select found, false;
end $$;

-- The matches among the linked articles that a page by date or title at its position can show,
-- as article_matches_in_order (migration 0048) gives the matches of all: key_column names the
-- order ('published_at' or 'title'), position_key and position_id the keys of the item the page
-- starts past (both null for the first page), in that order's direction; total_matches is the
-- list's total. The rows come in any order, the page sorts them.
create function article_linked_matches_in_order(q tsquery, links regclass, entity_column text, entity_id bigint, event_from date, event_to date,
                                                reach int, key_column text, position_key anyelement, position_id bigint,
                                                descending boolean, total_matches bigint,
                                                language text, published_from timestamptz, published_to timestamptz)
    returns table (id bigint, key anyelement)
    language plpgsql stable parallel safe
    set work_mem = '32MB'
    set plan_cache_mode = force_custom_plan
as $$
declare
    direction constant text := case when descending then 'desc' else 'asc' end;
    past constant text := case when descending then '<' else '>' end;
    condition constant text := article_link_condition(entity_column, entity_id, event_from, event_to);
    -- By date, one entity's links are walked in the order of their index; else the articles' index
    -- of the order, each article looked up in the links.
    along_links constant boolean := key_column = 'published_at' and entity_id is not null;
    -- An entry of the articles' index walked and looked up in the links (by hand at 1,000,000
    -- articles, 6.5 µs an entry against 0.7 µs a match in a bitmap).
    lookup_cost constant double precision := 9;
    linked_total double precision;
    articles_total double precision;
    matches double precision;
    all_matches double precision;
    -- What the walk pays for each linked article it reaches.
    entry_cost double precision;
    read text;
    read_cost double precision;
    linked bigint[];
    walk_statement text;
    from_key position_key%type := position_key;
    from_id bigint := position_id;
    window_size bigint;
    window_rows bigint;
    walk_left double precision;
    walked bigint := 0;
    found bigint := 0;
    article record;
begin
    if key_column not in ('published_at', 'title') then
        raise exception 'article_linked_matches_in_order orders by published_at or title, not %', key_column;
    end if;
    if total_matches = 0 then
        return;
    end if;

    linked_total := article_linked_total(links, condition);
    articles_total := greatest(
        case when language is null and published_from is null and published_to is null
             then (select c.reltuples from pg_class c where c.oid = 'articles'::regclass)
             else planned_rows(format(
                 'select from articles a where article_is_public(a) and article_passes_own_filters(a, %L::text, %L::timestamptz, %L::timestamptz)',
                 language, published_from, published_to))
        end, linked_total);
    matches := greatest(coalesce(total_matches, linked_total), 1);
    -- Reading every match among the linked articles the cheapest way, and sorting them.
    -- The query's matches among all the articles, as many again as among the linked ones.
    all_matches := matches * articles_total / linked_total;
    read := article_linked_read(all_matches, linked_total, all_matches);
    read_cost := (select min(c) from unnest(article_linked_read_costs(all_matches, linked_total, all_matches)) c) + matches;
    -- Each linked article is checked; along the articles' index, the walk also looks up in the
    -- links every article it passes.
    entry_cost := article_check_cost() + case when along_links then 0 else lookup_cost * articles_total / linked_total end;
    -- Twice the linked articles the matches' share says the page needs: a window costs a plan of
    -- its own.
    window_size := least(greatest(ceil(2 * reach * linked_total / matches), 200), 100000);

    if entry_cost * reach * linked_total / matches < read_cost then
        -- Each window's articles are checked once the window is chosen: along the articles'
        -- index, the planner may read the links and sort their articles rather than walk the
        -- index, and checking each one before the sort checked them all (by hand at 1,000,000
        -- articles, a tag of 6,000 by title: 450 ms a window of 200).
        walk_statement := format(
            'select w.id, w.key, a.search_vector @@ $1 and article_passes_own_filters(a, $5, $6, $7) as matches
             from (%s) w join articles a on a.id = w.id
             order by w.key %s, w.id %s',
            case when along_links
                 then format(
                     'select l.article_id as id, l.published_at as key
                      from %1$s l
                      where %2$s and ($2 is null or (l.published_at, l.article_id) %3$s ($2, $3))
                      order by l.published_at %4$s, l.article_id %4$s
                      limit $4', links, condition, past, direction)
                 else format(
                     'select a.id, a.%5$I as key
                      from articles a
                      where article_is_public(a) and ($2 is null or (a.%5$I, a.id) %3$s ($2, $3)) and article_passes_own_filters(a, $5, $6, $7)
                        and %2$s
                      order by a.%5$I %4$s, a.id %4$s
                      limit $4', links, article_link_probe(links, condition), past, direction, key_column)
            end,
            direction, direction);
        loop
            window_rows := 0;
            for article in execute walk_statement
                using q, from_key, from_id, window_size, language, published_from, published_to
            loop
                window_rows := window_rows + 1;
                from_key := article.key;
                from_id := article.id;
                if article.matches then
                    id := article.id;
                    key := article.key;
                    return next;
                    found := found + 1;
                    exit when found >= reach;
                end if;
            end loop;
            walked := walked + window_rows;
            if found >= reach or window_rows < window_size then
                return;
            end if;
            -- The walk left at the rate found so far; none found yet, at least as far again.
            walk_left := case when found > 0 then (reach - found)::double precision * walked / found else walked end;
            exit when entry_cost * walk_left > read_cost;
            window_size := ceil(walk_left * 1.5);
        end loop;
    end if;

    -- Every match among the linked articles past the position, sorted.
    if read <> 'probe' then
        linked := article_linked_ids(links, condition);
    end if;
    return query execute format(
        'select m.id, m.key
         from (%s) m
         where $7 is null or (m.key, m.id) %s ($7, $8)
         order by m.key %s, m.id %s
         limit $9', article_linked_statement(read, links, condition, format('a.id, a.%I as key', key_column)), past, direction, direction)
        using q, linked, language, published_from, published_to, null::bigint, from_key, from_id, reach - found;
end $$;
