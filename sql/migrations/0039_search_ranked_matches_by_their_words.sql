-- A ranked page found its matches above the floor and its first window of floor matches in one
-- scan of the index (migration 0034): `q && (candidates | window)`. For each entry of the scan's
-- required terms (here the rarer of the rank vectors' words, '^…') GIN reads every other term of
-- the query up to it, so that scan walked the query's words' whole lists too: at 1,000,000
-- articles a pair of words in 12,386 articles read 136 pages of the index for 139 matches above
-- the floor, 2.8 ms, against 28 pages and 1.1 ms for the candidates alone (by hand, `explain
-- analyze`, warm). Now the matches above the floor are found by the candidates' terms alone where
-- the candidates imply the query: a word, words of which any may appear, or two words that must
-- both (each candidate then holds the query's words in its rank vector, whose words are its
-- text's). Other queries (an exclusion, a phrase, three words) are still checked in the index, as
-- before (a check on each candidate's row reads its whole search vector). The first window is
-- then the first of the floor's windows, `q && buckets`, where the index skips through the words'
-- lists to the buckets' ids; like the windows after it, it gives the floor's nearest matches a
-- page can show, no more. The same pages as before.
create or replace function article_ranked_matches(q tsquery, reach int, position_rank real, position_id bigint, backward boolean)
    returns table (id bigint, rank real)
    language plpgsql stable parallel safe
as $$
declare
    floor_rank constant real := search_floor_rank(q);
    at_floor constant boolean := position_rank is not null and position_rank <= floor_rank;
    candidates constant tsquery := search_rank_candidates(q);
    -- The query's operators, its quoted lexemes taken out.
    operators constant text := regexp_replace(q::text, '''(?:[^'']|'''')*''', '', 'g');
    -- The matches above the floor: the candidates alone where each matches q (q is a word or words
    -- joined by OR, and a candidate holds one of them; or two words joined by AND ranked by
    -- pairs, and a candidate holds both), else the candidates that match q.
    ranked_query constant tsquery := case when operators ~ '^[ |]*$' or (operators ~ '^ *& *$' and floor_rank > 0)
                                          then candidates else q && candidates end;
    last_id constant bigint := coalesce((select max(a.id) from articles a), 0);
    last_bucket constant bigint := last_id / 1000;
    -- The window's ids, both ends included, and its query.
    low bigint;
    high bigint;
    window_query tsquery;
    width bigint := 2;
    ids_read bigint := 0;
    found bigint := 0;
    added bigint;
begin
    -- Every match above the floor (a page backwards from above the floor has no others).
    return query
        select a.id, ts_rank(a.rank_vector, q)
        from articles a
        where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ ranked_query
          and article_is_public(a) and ts_rank(a.rank_vector, q) > floor_rank;
    if backward and not at_floor then
        return;
    end if;

    if not backward then
        high := case when at_floor then position_id - 1 else (last_bucket + 1) * 1000 - 1 end;
        low := greatest(high / 1000 - width + 1, 0) * 1000;
    else
        low := position_id + 1;
        high := least(low / 1000 + width - 1, last_bucket) * 1000 + 999;
    end if;

    loop
        exit when low > high;
        -- A window wider than 16 buckets is the rest of the table, found by the query's words alone.
        window_query := case when width > 16 then q else q && search_buckets(low / 1000, high / 1000) end;
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
        exit when width > 16 or found >= reach or (not backward and low = 0) or (backward and high / 1000 >= last_bucket);

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
            low := case when backward then low else 0 end;
            high := case when backward then (last_bucket + 1) * 1000 - 1 else high end;
        elsif not backward then
            low := greatest(high / 1000 - width + 1, 0) * 1000;
        else
            high := least(low / 1000 + width - 1, last_bucket) * 1000 + 999;
        end if;
    end loop;
end $$;
