-- A public full-text list by date or title (not ranked) walked the date or title index
-- and checked each article against `q`, until its page was full: its statement gives `q` as a
-- parameter, so the planner took every query for one that 0.5% of the articles match. At
-- 1,000,000 articles (by hand, cache off) a word in one article or none walked the whole table
-- and was answered 503 after the statements' 5 s, a pair in 992 articles took 0.95 s, and the
-- tenth page of a word in 88,589 articles read them all through a lossy bitmap (503).
--
-- The page now reads from its position with this function (ArticleQueries), told how many
-- articles match (the list's total: exact up to 1,000, then sampled; migration 0035), and takes
-- the cheaper read. With many matches it walks the order's index from the position and checks
-- each article, expecting to walk reach × articles / matches of them; each costs its whole
-- text's terms, read from TOAST. With few, it reads every match by the search index, without
-- their terms, and sorts them. By hand at 1,000,000 articles, an article walked cost 7 µs warm
-- and 65–90 µs cold, a match read 2.6–3 µs warm and 16–32 µs cold (at 100,000 warm, 6 and 2).
-- So an article walked is taken to cost three matches read: the walk is chosen where
-- matches² > 3 × reach × articles, at 1,000,000 above about 7,900 matches for a first page of
-- 20 (of 21 items: one more says whether there is a next). A walk that finds its matches fewer
-- than it expected (an order that holds them late) moves to the search index once its rest
-- would cost more than reading the matches left.
--
-- Reading the matches, a bitmap of a word's 89,640 articles at 1,000,000 outgrew the default
-- work_mem (4 MB) and went lossy: each article on a lossy page was checked again, its terms read
-- from TOAST. With 32 MB a bitmap holds every page of the table (253,119) exact: by hand, a
-- word's matches in one year 1.55 → 0.49 s, in one language 2.4 → 0.17 s, the total of a word
-- in one language 1.6 → 0.18 s. The functions set it for themselves alone.
--
-- And each of their statements is planned for its values (as migration 0019's): under the
-- sessions' generic plans a walk from a position, or through a publication range, read the
-- order's index from its start and checked the position and the range on each entry (a year's
-- matches at 1,000,000: 4.6 s a window).

-- The rows the planner expects a statement to give, as EXPLAIN shows them (volatile: PostgreSQL
-- runs no EXPLAIN in a function declared otherwise).
create function planned_rows(statement text) returns double precision
    language plpgsql volatile parallel safe
as $$
declare
    plan json;
begin
    execute 'explain (format json) ' || statement into plan;
    return (plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision;
end $$;

-- Whether an article passes the filters of its own columns (each null for no filter): its
-- language, and its publication from one time and before another. Inlined where it is named, so
-- that a statement planned for its values keeps only the filters given.
create function article_passes_own_filters(a articles, language text, published_from timestamptz, published_to timestamptz) returns boolean
    language sql immutable parallel safe
    return (language is null or a.language = language)
       and (published_from is null or a.published_at >= published_from)
       and (published_to is null or a.published_at < published_to);

-- key_column names the order: 'published_at' or 'title', each with its index of published
-- articles. position_key and position_id are the keys of the item the page starts past (both
-- null for the first page), in that order's direction, descending or not; the rows come in any
-- order, the page sorts them. The list may be filtered by the article's own columns too (null
-- for no filter): its language, and its publication from published_from, before published_to.
-- Beside a link or event filter the lists are read as before (ranked: migration 0049).
create function article_matches_in_order(q tsquery, reach int, key_column text, position_key anyelement, position_id bigint,
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
               where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ $1
                 and article_is_public(a) and ($2 is null or (a.%1$I, a.id) %2$s ($2, $3)) and article_passes_own_filters(a, $5, $6, $7)
               offset 0) m
         order by m.key %3$s, m.id %3$s
         limit $4', key_column, past, direction)
        using q, from_key, from_id, reach - found, language, published_from, published_to;
end $$;

-- The total of such a list: article_match_total (migration 0035) with the same filters of the
-- article's own columns, each statement planned for its values: counted through the search
-- index, or the language's or publication time's where the planner finds those fewer (a word in
-- 88,589 articles with `language=en` was counted by reading every match, over 5 s at 1,000,000).
drop function article_match_total(tsquery, int);
create function article_match_total(q tsquery, exact_up_to int,
                                    language text default null, published_from timestamptz default null, published_to timestamptz default null)
    returns table (total bigint, estimated boolean)
    language plpgsql stable parallel safe
    set work_mem = '32MB'
    set plan_cache_mode = force_custom_plan
as $$
declare
    buckets constant bigint := coalesce((select max(a.id) from articles a), 0) / 1000 + 1;
    stride constant bigint := (buckets + 15) / 16;
    counted bigint;
    sampled bigint;
begin
    execute 'select count(*)
             from (select
                   from articles a
                   where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ $1 and article_is_public(a)
                     and article_passes_own_filters(a, $2, $3, $4)
                   limit $5) m'
        into counted
        using q, language, published_from, published_to, exact_up_to + 1;
    if counted <= exact_up_to then
        return query select counted, false;
        return;
    end if;

    execute 'select count(*)
             from articles a
             where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ $1 and article_is_public(a)
               and article_passes_own_filters(a, $2, $3, $4)'
        into sampled
        using q && search_buckets(0, buckets - 1, stride), language, published_from, published_to;
    return query select greatest(sampled * buckets / ((buckets + stride - 1) / stride), counted), true;
end $$;
