-- A search ranked every match to find the page's few: at 100,000 articles a two-word search
-- matching 4,021 articles read and ranked all of them (17 ms) for a page of 20, and at 1,000,000
-- ten times as many. Most matches hold no query word in their title, summary or the body's
-- opening (rank_vector, migration 0018): they all rank the same, the floor, and are ordered
-- among themselves by id, newest first. So a ranked page needs the matches above the floor, found
-- by the words of their rank_vector, and only as many floor matches, newest first, as the page
-- reaches. One GIN index finds all three (README, "What limits").

-- The terms an article is found by: its whole text's lexemes; those of its rank_vector again,
-- marked '^'; and its id's bucket of 1,000, '~' and the number. A query's own lexemes never
-- start with either mark (the parser splits words at them). A lexeme of 2,047 bytes, the most a
-- tsvector holds, has no room for the mark: it is found by its text alone.
create function article_search_terms(search_vector tsvector, rank_vector tsvector, id bigint) returns tsvector
    language sql immutable parallel safe
    return search_vector
        || array_to_tsvector(array(select '^' || lexeme from unnest(tsvector_to_array(rank_vector)) lexeme
                                   where octet_length(lexeme) < 2047))
        || array_to_tsvector(array['~' || (id / 1000)::text]);

drop index articles_search_idx;
create index articles_search_idx on articles using gin (article_search_terms(search_vector, rank_vector, id))
    with (gin_pending_list_limit = 64);

-- The floor rank of q: ts_rank of a vector holding none of its lexemes (ts_rank of an empty
-- vector is 0 whatever the query). An article whose rank_vector holds none of them, or too few
-- for the query's kind of ranking, ranks there.
create function search_floor_rank(q tsquery) returns real
    language sql immutable parallel safe
    return ts_rank(array_to_tsvector(array['~']), q);

-- A query matched by every article that can rank above the floor, on the '^' terms. ts_rank
-- ranks a query joined by AND (or a phrase) by the distances between pairs of its operands, so
-- an article needs two of them in its rank_vector (an AND ranks with one present at the floor);
-- otherwise (OR, one operand) one is enough. The operands come from the query's text form,
-- where each is quoted as tsquery input reads it back.
create function search_rank_candidates(q tsquery) returns tsquery
    language sql immutable parallel safe
as $$
    with operands as (
        select distinct '''^' || substr(m[1], 2) as operand
        from regexp_matches(q::text, '''(?:[^'']|'''')*''', 'g') m)
    select (case when search_floor_rank(q) > 0
                 then (select string_agg(format('(%s & %s)', a.operand, b.operand), ' | ')
                       from operands a join operands b on a.operand < b.operand)
                 else (select string_agg(operand, ' | ') from operands) end)::tsquery
$$;

-- The buckets first..last (every `step`-th) as a query matching an article in any of them
-- (article_search_terms).
create function search_buckets(first_bucket bigint, last_bucket bigint, step bigint default 1) returns tsquery
    language sql immutable parallel safe
    return (select string_agg(format('''~%s''', bucket), ' | ') from generate_series(first_bucket, last_bucket, step) bucket)::tsquery;

-- The public articles matching q that a ranked page can show, as (id, rank): every match ranked
-- above the floor, and of the floor's matches the `reach` nearest the page's position in id
-- order (below `position_id` going forwards, above it for a page backwards, when the position
-- is itself at the floor; from the newest otherwise). A match that ts_rank puts below the floor
-- (an empty rank_vector) is given the floor: ranks order the hits and are never shown below it.
-- The floor's matches are read a window of id buckets at a time: the two nearest the position
-- in the same scan of the index as the ranked matches, then as many as the matches found so
-- far say are needed, twice over, or the rest of the table when at that rate it holds fewer
-- than 500 matches (a window reads the words' entries again: a pair matching 300 of 100,000
-- articles took 3.3 ms ranking all, 6 ms in windows). In a window the index skips the rest of
-- the query's words. A window wider than 16 buckets is the
-- rest of the table, found by the query's words alone: an OR of many buckets costs more than
-- the words (a two-word query matching 39 of 100,000 articles: 1.3 ms for 10 buckets, 0.6 for
-- the words), and so does a narrow window of a rare query. The ids bound a window after the
-- index (`+ 0`): as an index condition they were read from the primary key, 60,000 of them for
-- a window of 60 buckets (16 ms).
create function article_ranked_matches(q tsquery, reach int, position_rank real, position_id bigint, backward boolean)
    returns table (id bigint, rank real)
    language plpgsql stable parallel safe
as $$
declare
    floor_rank constant real := search_floor_rank(q);
    at_floor constant boolean := position_rank is not null and position_rank <= floor_rank;
    candidates constant tsquery := search_rank_candidates(q);
    last_id constant bigint := coalesce((select max(a.id) from articles a), 0);
    last_bucket constant bigint := last_id / 1000;
    -- The window's ids, both ends included, and its query.
    low bigint;
    high bigint;
    window_query tsquery;
    width bigint := 2;
    ids_read bigint;
    found bigint := 0;
    added bigint;
    match record;
begin
    -- Backwards from above the floor, only ranked matches come first.
    if backward and not at_floor then
        return query
            select a.id, ts_rank(a.rank_vector, q)
            from articles a
            where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ (q && candidates)
              and article_is_public(a) and ts_rank(a.rank_vector, q) > floor_rank;
        return;
    end if;

    if not backward then
        high := case when at_floor then position_id - 1 else (last_bucket + 1) * 1000 - 1 end;
        low := greatest(high / 1000 - width + 1, 0) * 1000;
    else
        low := position_id + 1;
        high := least(low / 1000 + width - 1, last_bucket) * 1000 + 999;
    end if;

    window_query := search_buckets(low / 1000, high / 1000);
    for match in
        select a.id, ts_rank(a.rank_vector, q) as rank
        from articles a
        where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ (q && coalesce(candidates || window_query, window_query))
          and article_is_public(a)
    loop
        if match.rank > floor_rank then
            id := match.id;
            rank := match.rank;
            return next;
        elsif match.id between low and high then
            found := found + 1;
            id := match.id;
            rank := floor_rank;
            return next;
        end if;
    end loop;

    ids_read := least(high, last_id) - low + 1;
    while found < reach and not ((not backward and low = 0) or (backward and high / 1000 >= last_bucket)) loop
        if backward then
            low := high + 1;
        else
            high := low - 1;
        end if;
        -- The rest at once when it holds few matches at the rate found so far (fewer rows than
        -- the words' entries another window reads again), else a window of what is needed.
        width := case when found * (case when backward then last_id + 1 - low else high + 1 end) <= 500 * ids_read then 17
                      else ((reach - found) * ids_read * 2 + found * 1000 - 1) / (found * 1000) end;
        if width > 16 then
            window_query := q;
            low := case when backward then low else 0 end;
            high := case when backward then (last_bucket + 1) * 1000 - 1 else high end;
        elsif not backward then
            low := greatest(high / 1000 - width + 1, 0) * 1000;
            window_query := q && search_buckets(low / 1000, high / 1000);
        else
            high := least(low / 1000 + width - 1, last_bucket) * 1000 + 999;
            window_query := q && search_buckets(low / 1000, high / 1000);
        end if;
        exit when low > high;

        return query
            select m.id, floor_rank
            from (select a.id
                  from articles a
                  where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ window_query
                    and a.id + 0 between low and high and article_is_public(a) and ts_rank(a.rank_vector, q) <= floor_rank
                  offset 0) m
            order by case when backward then m.id else -m.id end
            limit reach - found;
        get diagnostics added = row_count;
        found := found + added;
        ids_read := ids_read + least(high, last_id) - low + 1;
        exit when width > 16;
    end loop;
end $$;
