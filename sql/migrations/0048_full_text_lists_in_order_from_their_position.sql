-- A public full-text list by date or title (`q` alone, not ranked) walked the date or title index
-- and checked each article against `q`, until its page was full: its statement gives `q` as a
-- parameter, so the planner took every query for one that 0.5% of the articles match. At
-- 1,000,000 articles (by hand, cache off) a word in one article or none walked the whole table
-- and was answered 503 after the statements' 5 s, a pair in 992 articles took 0.95 s, and the
-- tenth page of a word in 88,589 articles read them all through a lossy bitmap (503).
--
-- The page now reads from its position with this function (ArticleQueries), told how many
-- articles match (the list's total: exact up to 1,000, then sampled; migration 0035), and takes
-- the cheaper read. With many matches it walks the order's index from the position and checks
-- each article, expecting to walk reach × articles / matches of them; each costs its search
-- terms, read from TOAST (by hand, 40–100 µs warm, up to 400 µs when they are not in memory).
-- With few, it reads every match by the search index, without their terms, and sorts them
-- (15 µs a match warm at 100,000 articles, 45–115 µs at 1,000,000). An article walked is
-- taken to cost four matches read: the walk is chosen where matches² > 4 × reach × articles,
-- at 1,000,000 above about 9,200 matches for a first page of 20. A walk that finds its matches
-- fewer than it expected (an order that holds them late) moves to the search index once its
-- rest would cost more than reading the matches left.
--
-- key_column names the order: 'published_at' or 'title', each with its index of published
-- articles. position_key and position_id are the keys of the item the page starts past (both
-- null for the first page), in that order's direction, descending or not; the rows come in any
-- order, the page sorts them. Beside other filters, or ranked, the lists are read as before.
create function article_matches_in_order(q tsquery, reach int, key_column text, position_key anyelement, position_id bigint,
                                         descending boolean, total_matches bigint)
    returns table (id bigint, key anyelement)
    language plpgsql stable parallel safe
as $$
declare
    direction constant text := case when descending then 'desc' else 'asc' end;
    past constant text := case when descending then '<' else '>' end;
    articles_total constant double precision := greatest((select c.reltuples from pg_class c where c.oid = 'articles'::regclass), 1);
    matches constant double precision := coalesce(total_matches, articles_total);
    -- What an article walked costs, in matches read by the search index.
    walk_cost constant double precision := 4;
    from_key position_key%type := position_key;
    from_id bigint := position_id;
    window_size bigint := greatest(2 * reach, 200);
    window_rows bigint;
    walk_left double precision;
    walked bigint := 0;
    found bigint := 0;
    article record;
begin
    if key_column not in ('published_at', 'title') then
        raise exception 'article_matches_in_order orders by published_at or title, not %', key_column;
    end if;

    if matches * matches > walk_cost * reach * articles_total then
        -- Each window is planned for its values (EXECUTE): the index of the order, from the position.
        loop
            window_rows := 0;
            for article in execute format(
                'select a.id, a.%1$I as key, article_search_terms(a.search_vector, a.rank_vector, a.id) @@ $1 as matches
                 from articles a
                 where article_is_public(a) and ($2 is null or (a.%1$I, a.id) %2$s ($2, $3))
                 order by a.%1$I %3$s, a.id %3$s
                 limit $4', key_column, past, direction)
                using q, from_key, from_id, window_size
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
                 and article_is_public(a) and ($2 is null or (a.%1$I, a.id) %2$s ($2, $3))
               offset 0) m
         order by m.key %3$s, m.id %3$s
         limit $4', key_column, past, direction)
        using q, from_key, from_id, reach - found;
end $$;
