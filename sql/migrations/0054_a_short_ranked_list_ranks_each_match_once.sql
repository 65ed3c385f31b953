-- The function of migration 0051 ranked each match of a list known to be short (500 or fewer)
-- twice: for its rank, and again in the window that counts the newer matches above the floor
-- (PostgreSQL computes an expression once for each place it is written). Each match is now ranked
-- once, in a subquery of its own (`offset 0`, which keeps the planner from writing the rank into
-- both places again), and the sort of the window carries each match's id and rank, not its rank
-- vector. By hand at 1,000,000 articles, 100 reads of a word pair's 769 matches taken as a short
-- list: 1,383 → 1,304 ms (the means of 6, alternated; within this machine's noise). The rest as in
-- 0051, with 0052's work_mem.
create or replace function article_ranked_matches(q tsquery, reach int, position_rank real, position_id bigint, backward boolean,
                                       matches_at_most bigint, ranked_at_most int,
                                       language text default null, published_from timestamptz default null,
                                       published_to timestamptz default null)
    returns table (id bigint, rank real)
    language plpgsql stable parallel safe
    set work_mem = '32MB'
as $$
declare
    floor_rank constant real := search_floor_rank(q);
    at_floor constant boolean := position_rank is not null and position_rank <= floor_rank;
    last_id constant bigint := coalesce((select max(a.id) from articles a), 0);
    last_bucket constant bigint := last_id / 1000;
    -- The window's ids, both ends included, its width in buckets, and whether it is the rest of
    -- the table (found by the query's words alone).
    low bigint;
    high bigint;
    window_query tsquery;
    width bigint := 2;
    rest boolean := false;
    ids_read bigint := 0;
    found bigint := 0;
    added bigint;
    ranked_ids bigint[];
    ranked_ranks real[];
    lowest_ranked bigint;
begin
    if matches_at_most <= 500 then
        return query
            select m.id, case when m.rank > floor_rank
                                   and count(*) filter (where m.rank > floor_rank) over (order by m.id desc) <= ranked_at_most
                              then m.rank else floor_rank end
            from (select a.id, ts_rank(a.rank_vector, q) as rank
                  from articles a
                  where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ q and article_is_public(a)
                    and article_passes_own_filters(a, article_ranked_matches.language, published_from, published_to)
                  offset 0) m;
        return;
    end if;

    select coalesce(array_agg(r.id), '{}'), coalesce(array_agg(r.rank), '{}'), coalesce(min(r.id), last_id + 1)
    into ranked_ids, ranked_ranks, lowest_ranked
    from article_ranked_newest(q, ranked_at_most, matches_at_most, article_ranked_matches.language, published_from, published_to) r;
    return query select * from unnest(ranked_ids, ranked_ranks);
    -- A page backwards from above the floor shows none of the floor's matches, nor does a page
    -- forwards that as many matches above the floor as it reaches fill past its position (each
    -- ranks above every floor match).
    if (backward and not at_floor)
       or (not backward and not at_floor
           and (select count(*) from unnest(ranked_ranks) r(rank) where position_rank is null or r.rank < position_rank) >= reach) then
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
        window_query := case when rest then q else q && search_buckets(low / 1000, high / 1000) end;
        return query
            select m.id, floor_rank
            from (select a.id
                  from articles a
                  where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ window_query
                    and a.id + 0 between low and high and article_is_public(a)
                    and (a.id < lowest_ranked or a.id <> all(ranked_ids))
                    and article_passes_own_filters(a, article_ranked_matches.language, published_from, published_to)
                  offset 0) m
            order by case when backward then m.id else -m.id end
            limit reach - found;
        get diagnostics added = row_count;
        found := found + added;
        ids_read := ids_read + least(high, last_id) - low + 1;
        exit when rest or found >= reach or (not backward and low = 0) or (backward and high / 1000 >= last_bucket);

        if backward then
            low := high + 1;
        else
            high := low - 1;
        end if;
        -- The rest at once when it holds few matches at the rate found so far (fewer rows than the
        -- words' entries another window reads again); else a window of the buckets that rate says
        -- are needed, twice over, at most 32 (an OR of more buckets costs more than its width).
        rest := found = 0 or found * (case when backward then last_id + 1 - low else high + 1 end) <= 500 * ids_read;
        if rest then
            low := case when backward then low else 0 end;
            high := case when backward then (last_bucket + 1) * 1000 - 1 else high end;
        else
            width := least(((reach - found) * ids_read * 2 + found * 1000 - 1) / (found * 1000), 32);
            if backward then
                high := least(low / 1000 + width - 1, last_bucket) * 1000 + 999;
            else
                low := greatest(high / 1000 - width + 1, 0) * 1000;
            end if;
        end if;
    end loop;
end $$;
