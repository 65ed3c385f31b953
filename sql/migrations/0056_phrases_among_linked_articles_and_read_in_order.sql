-- A query with a phrase (`"city council"`) beside one metadata filter or an event range, or
-- read in order of date or title, was still given to the search index as it is: an AND of the
-- phrase's words, each article found checked for their positions by rebuilding the index's
-- expression (article_search_terms) from the row, ~57 µs an article at 1,000,000 (migration 0055
-- mended the ranked reads and the totals of the matches alone). `q="city council"` beside a tag
-- of 6,000 articles took 1.1 s on a first visit, beside the events of 2024 onwards it was
-- answered 503 past the statements' 5 s. These reads now give the index search_index_query(q),
-- which it answers exactly, and check what it finds against q by `search_vector`
-- (search_exact_query), as 0055's do.

-- As migration 0050's, the query's parameters now: the index's query ($1: search_index_query of
-- q, and of its sample's buckets for a sampled total) and what is left to check of q in each
-- article the index finds ($7: search_exact_query(q), null for none). An article checked by its
-- whole text's terms is checked against q itself.
create or replace function article_linked_statement(read text, links regclass, condition text, columns text) returns text
    language sql immutable parallel safe
    return format(
        'select %s
         from articles a
         where %s
           and article_is_public(a) and article_passes_own_filters(a, $3, $4, $5)
         limit $6',
        columns,
        case when read = 'check'
             -- By the whole text's terms, which no index holds: each linked article read by its id.
             then 'a.id = any($2) and a.search_vector @@ coalesce($7, $1)'
             else 'article_search_terms(a.search_vector, a.rank_vector, a.id) @@ $1 and ($7::tsquery is null or a.search_vector @@ $7) and '
                  || case when read = 'probe' then article_link_probe(links, condition) else 'a.id = any($2)' end
        end);

-- As migration 0050's, with the index's query and the check (article_linked_statement).
create or replace function article_linked_matches(q tsquery, links regclass, entity_column text, entity_id bigint, event_from date, event_to date,
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
        using search_index_query(q), linked, language, published_from, published_to, null::bigint, search_exact_query(q);
end $$;

-- As migration 0050's, with the index's query and the check (article_linked_statement).
create or replace function article_linked_match_total(q tsquery, links regclass, entity_column text, entity_id bigint, event_from date, event_to date,
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
            using search_index_query(q), null::bigint[], language, published_from, published_to, exact_up_to + 1, search_exact_query(q);
        if counted <= exact_up_to then
            return query select counted, false;
            return;
        end if;

        execute format('select count(*) from (%s) m', article_linked_statement(read, links, condition, '1'))
            into counted
            using search_index_query(q && search_buckets(0, buckets - 1, stride)), null::bigint[], language, published_from, published_to, null::bigint,
                  search_exact_query(q);
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
            using search_index_query(q), linked, language, published_from, published_to, null::bigint, search_exact_query(q);
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

-- As migration 0050's, every match read at once with the index's query and the check
-- (article_linked_statement).
create or replace function article_linked_matches_in_order(q tsquery, links regclass, entity_column text, entity_id bigint, event_from date, event_to date,
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
         where $8 is null or (m.key, m.id) %s ($8, $9)
         order by m.key %s, m.id %s
         limit $10', article_linked_statement(read, links, condition, format('a.id, a.%I as key', key_column)), past, direction, direction)
        using search_index_query(q), linked, language, published_from, published_to, null::bigint, search_exact_query(q), from_key, from_id, reach - found;
end $$;

-- As migration 0048's, every match read at once through search_index_query(q), checked by
-- search_exact_query(q).
create or replace function article_matches_in_order(q tsquery, reach int, key_column text, position_key anyelement, position_id bigint,
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
    -- What an article walked costs, in matches read by the search index.
    walk_cost constant double precision := 3;
    articles_total double precision;
    matches double precision;
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
        raise exception 'article_matches_in_order orders by published_at or title, not %', key_column;
    end if;
    -- A total is the list's in the page's own snapshot: none match.
    if total_matches = 0 then
        return;
    end if;

    -- The articles a walk passes, checking each: those the filters leave, as the planner expects.
    articles_total := greatest(
        case when language is null and published_from is null and published_to is null
             then (select c.reltuples from pg_class c where c.oid = 'articles'::regclass)
             else planned_rows(format(
                 'select from articles a where article_is_public(a) and article_passes_own_filters(a, %L::text, %L::timestamptz, %L::timestamptz)',
                 language, published_from, published_to))
        end, 1);
    matches := coalesce(total_matches, articles_total);
    -- Twice the walk the matches' share of the articles says the page needs: a window costs a
    -- plan of its own.
    window_size := least(greatest(ceil(2 * reach * articles_total / greatest(matches, 1)), 200), 100000);

    if matches * matches > walk_cost * reach * articles_total then
        -- Each window reads the index of the order from the position. An article is checked by its
        -- whole text's terms alone: the search index's other terms (article_search_terms) are
        -- marked and match no query, and building them for each article cost four times as
        -- much (by hand at 100,000 articles, 5,000 walked: 284 → 67 ms).
        loop
            window_rows := 0;
            for article in execute format(
                'select a.id, a.%1$I as key, a.search_vector @@ $1 as matches
                 from articles a
                 where article_is_public(a) and ($2 is null or (a.%1$I, a.id) %2$s ($2, $3)) and article_passes_own_filters(a, $5, $6, $7)
                 order by a.%1$I %3$s, a.id %3$s
                 limit $4', key_column, past, direction)
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
            exit when walk_cost * walk_left > matches - found;
            window_size := ceil(walk_left * 1.5);
        end loop;
    end if;

    -- The matches past the position, read by the search index alone (`offset 0`: not in the
    -- order's index) and sorted.
    return query execute format(
        'select m.id, m.key
         from (select a.id, a.%1$I as key
               from articles a
               where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ $1 and ($8::tsquery is null or a.search_vector @@ $8)
                 and article_is_public(a) and ($2 is null or (a.%1$I, a.id) %2$s ($2, $3)) and article_passes_own_filters(a, $5, $6, $7)
               offset 0) m
         order by m.key %3$s, m.id %3$s
         limit $4', key_column, past, direction)
        using search_index_query(q), from_key, from_id, reach - found, language, published_from, published_to, search_exact_query(q);
end $$;
