-- A public full-text list beside a link filter (`q=security&tag=tag-1`) read its page and
-- counted its total in statements planned for parameters: the planner took every query for one
-- that 0.5% of the articles match, read the word's matches by the search index, through a bitmap
-- gone lossy at the default work_mem, and kept those linked to the entity. At 1,000,000 articles
-- a word in 88,589 of them beside a tag of 6,000 was answered 503 in any order (by hand, without
-- the statements' 5 s: its total 13.6 s, its page by date 7.9 s, by title 7.1 s).
--
-- Such a list (one link filter, and at most the article's own columns: its language and
-- publication time) now reads the matches among the entity's published links with these
-- functions (ArticleQueries), each statement planned for its values, and its total is counted
-- among them. There are two ways to read them all:
-- - through the search index: the query's matches as a bitmap, and with it the linked ids' in the
--   primary key, and only the articles in both read (a BitmapAnd). Its cost grows with the
--   query's matches: a word's 89,640 by hand at 1,000,000 articles, 70 ms warm, 250 ms cold.
-- - or each linked article read and checked by its whole text's terms: 7 µs warm, 65–280 µs
--   cold an article (its terms from TOAST): a tag's 6,000, 42 ms warm, 1.7 s cold.
-- A match read through the search index is taken to cost a twentieth of an article checked
-- (between the two ratios), so the entity's articles are checked one by one only where the query
-- matches over twenty times as many articles as the entity has (a word in every article).
--
-- A page by date or title may also walk its order from its position, as a list of the matches
-- alone does (migration 0048), where the matches among the entity's articles are many enough
-- that the walk is short: by date, the entity's links in the order of their index, each one's
-- article checked; by title, the title index, each article looked up in the entity's links and
-- checked when linked.

-- The costs the functions below compare, in matches read through the search index.
-- An article read and checked by its whole text's terms.
create function article_check_cost() returns double precision
    language sql immutable parallel safe
    return 20;

-- The articles of the entity entity_id's published links (the rows of `links` whose
-- `entity_column` names it), null when there are none or no entity.
create function article_linked_ids(links regclass, entity_column text, entity_id bigint) returns bigint[]
    language plpgsql stable parallel safe
as $$
declare
    linked bigint[];
begin
    execute format('select array_agg(l.article_id) from %s l where l.%I = $1 and l.published_at <= now()', links, entity_column)
        into linked
        using entity_id;
    return linked;
end $$;

-- Every public article linked to the entity entity_id (a row of `links` whose `entity_column`
-- names it, a published link) that matches q and the article's own filters (each null for none),
-- in no order. total_matches: how many the caller expects, null when unknown; it says which read
-- is the cheaper.
create function article_linked_matches(q tsquery, links regclass, entity_column text, entity_id bigint,
                                       language text, published_from timestamptz, published_to timestamptz,
                                       total_matches bigint)
    returns table (id bigint)
    language plpgsql stable parallel safe
    set work_mem = '32MB'
    set plan_cache_mode = force_custom_plan
as $$
declare
    linked bigint[];
    articles_total double precision;
    matches double precision;
begin
    if total_matches = 0 then
        return;
    end if;

    linked := article_linked_ids(links, entity_column, entity_id);
    if linked is null then
        return;
    end if;

    -- The query's matches among all the articles, as many again as among the entity's (a table
    -- never vacuumed nor analysed has reltuples -1).
    articles_total := greatest((select c.reltuples from pg_class c where c.oid = 'articles'::regclass), cardinality(linked));
    matches := coalesce(total_matches, cardinality(linked)) * articles_total / cardinality(linked);
    if matches <= article_check_cost() * cardinality(linked) then
        return query execute
            'select a.id
             from articles a
             where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ $1 and a.id = any($2)
               and article_is_public(a) and article_passes_own_filters(a, $3, $4, $5)'
            using q, linked, language, published_from, published_to;
    else
        -- By the whole text's terms, which no index holds: each linked article read by its id.
        return query execute
            'select a.id
             from articles a
             where a.id = any($2) and a.search_vector @@ $1
               and article_is_public(a) and article_passes_own_filters(a, $3, $4, $5)'
            using q, linked, language, published_from, published_to;
    end if;
end $$;

-- The total of such a list, as (total, estimated): exact where the query's matches are read
-- through the search index; where the entity's articles are checked one by one, exact up to
-- exact_up_to, then estimated from the share of those checked that matched. matches_expected:
-- how many articles q matches with the filters, as far as the caller knows; by default, as the
-- planner expects.
create function article_linked_match_total(q tsquery, links regclass, entity_column text, entity_id bigint, exact_up_to int,
                                           language text, published_from timestamptz, published_to timestamptz,
                                           matches_expected double precision default null)
    returns table (total bigint, estimated boolean)
    language plpgsql stable parallel safe
    set work_mem = '32MB'
    set plan_cache_mode = force_custom_plan
as $$
declare
    linked bigint[];
    matches double precision;
    checked bigint := 0;
    found bigint := 0;
    article record;
begin
    linked := article_linked_ids(links, entity_column, entity_id);
    if linked is null then
        return query select 0::bigint, false;
        return;
    end if;

    -- The planner knows the most common words (in over about a tenth of the articles at
    -- 1,000,000), and takes the others for rare ones.
    matches := coalesce(matches_expected, planned_rows(format(
        'select from articles a
         where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ %L::tsquery
           and article_is_public(a) and article_passes_own_filters(a, %L::text, %L::timestamptz, %L::timestamptz)',
        q, language, published_from, published_to)));
    if matches <= article_check_cost() * cardinality(linked) then
        return query execute
            'select count(*), false
             from articles a
             where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ $1 and a.id = any($2)
               and article_is_public(a) and article_passes_own_filters(a, $3, $4, $5)'
            using q, linked, language, published_from, published_to;
        return;
    end if;

    -- In the links' order, so that the share checked is spread over the entity's articles.
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

-- The matches among the entity's articles that a page by date or title at its position can show,
-- as article_matches_in_order (migration 0048) gives the matches of all: key_column names the
-- order ('published_at' or 'title'), position_key and position_id the keys of the item the page
-- starts past (both null for the first page), in that order's direction; total_matches is the
-- list's total. The rows come in any order, the page sorts them.
create function article_linked_matches_in_order(q tsquery, links regclass, entity_column text, entity_id bigint,
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
    -- A title index entry walked and looked up in the entity's links.
    lookup_cost constant double precision := 3;
    linked_total double precision;
    articles_total double precision;
    matches double precision;
    -- What the walk pays for each of the entity's articles it reaches.
    entry_cost double precision;
    read_cost double precision;
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
    if entity_id is null or total_matches = 0 then
        return;
    end if;

    linked_total := greatest(planned_rows(format('select from %s l where l.%I = %s and l.published_at <= now()', links, entity_column, entity_id)), 1);
    articles_total := greatest(
        case when language is null and published_from is null and published_to is null
             then (select c.reltuples from pg_class c where c.oid = 'articles'::regclass)
             else planned_rows(format(
                 'select from articles a where article_is_public(a) and article_passes_own_filters(a, %L::text, %L::timestamptz, %L::timestamptz)',
                 language, published_from, published_to))
        end, linked_total);
    matches := greatest(coalesce(total_matches, linked_total), 1);
    -- Reading every match among the entity's articles (article_linked_matches), and sorting them.
    read_cost := least(matches * articles_total / linked_total, article_check_cost() * linked_total) + matches;
    -- Each of the entity's articles is checked; by title, the walk also looks up in the links
    -- every article it passes.
    entry_cost := article_check_cost() + case when key_column = 'title' then lookup_cost * articles_total / linked_total else 0 end;
    -- Twice the entity's articles the matches' share says the page needs: a window costs a plan
    -- of its own.
    window_size := least(greatest(ceil(2 * reach * linked_total / matches), 200), 100000);

    if entry_cost * reach * linked_total / matches < read_cost then
        -- Each window's articles are checked once the window is chosen: by title, the planner
        -- may read the entity's links and sort their articles rather than walk the title index,
        -- and checking each one before the sort checked them all (by hand at 1,000,000 articles,
        -- a tag of 6,000: 450 ms a window of 200).
        walk_statement := format(
            'select w.id, w.key, a.search_vector @@ $1 and article_passes_own_filters(a, $5, $6, $7) as matches
             from (%s) w join articles a on a.id = w.id
             order by w.key %s, w.id %s',
            case when key_column = 'published_at'
                 then format(
                     'select l.article_id as id, l.published_at as key
                      from %1$s l
                      where l.%2$I = $8 and l.published_at <= now() and ($2 is null or (l.published_at, l.article_id) %3$s ($2, $3))
                      order by l.published_at %4$s, l.article_id %4$s
                      limit $4', links, entity_column, past, direction)
                 else format(
                     'select a.id, a.title as key
                      from articles a
                      where article_is_public(a) and ($2 is null or (a.title, a.id) %3$s ($2, $3)) and article_passes_own_filters(a, $5, $6, $7)
                        and exists (select from %1$s l where l.article_id = a.id and l.%2$I = $8 and l.published_at <= now())
                      order by a.title %4$s, a.id %4$s
                      limit $4', links, entity_column, past, direction)
            end,
            direction, direction);
        loop
            window_rows := 0;
            for article in execute walk_statement
                using q, from_key, from_id, window_size, language, published_from, published_to, entity_id
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

    -- Every match among the entity's articles past the position, sorted.
    return query execute format(
        'select m.id, m.key
         from (select a.id, a.%1$I as key
               from article_linked_matches($1, $8, $9, $10, $5, $6, $7, $11) f join articles a on a.id = f.id
               where $2 is null or (a.%1$I, a.id) %2$s ($2, $3)
               offset 0) m
         order by m.key %3$s, m.id %3$s
         limit $4', key_column, past, direction)
        using q, from_key, from_id, reach - found, language, published_from, published_to, links, entity_column, entity_id, total_matches;
end $$;
