-- A ranked read of few matches (at most 500) reads them all at once (migration 0036): at 100,000
-- articles that costs less than reading the newest windows, as few of those matches rank above the
-- floor and the windows are read to the end. At 1,000,000 the bench's few-match word pairs are the
-- other way round: each word is in tens of thousands of articles, so the search index spends ~7 ms
-- intersecting their entries to find ~450 matches, while the newest matches above the floor fill
-- the first page (156 of the 157 pairs) in ~2 ms. Which case a list is in, the list's own answer
-- says: whether its page came from the matches above the floor alone (`page_from_ranked`, which
-- the API remembers beside the list's total). Where it did, the matches are read as a long list's
-- are, whatever their number. Asking the planner instead (planned_rows) cost ~0.15 ms a read at
-- 100,000, ~12% of every few-match search there (docs/performance-history.md, "Search at
-- 1,000,000").
drop function article_ranked_matches(tsquery, int, real, bigint, boolean, bigint, int, text, timestamptz, timestamptz,
                                      regclass, text, bigint, date, date);

-- As migration 0055's, with `page_from_ranked`: whether a page of the list came from its matches
-- above the floor alone (the API's hint, as `matches_at_most` is; false when not known). Its
-- matches read through search_index_query and checked by search_exact_query, and among the
-- articles `links` links (article_linked_matches' arguments; null for all): every match at once
-- where the list likely holds 500 or fewer and its page did not fill from above the floor, or,
-- beside links, where
-- reading every linked match and ranking each costs less than reading the newest windows' matches
-- (each looked up in the links) until `ranked_at_most` of them rank above the floor; else the
-- newest `ranked_at_most` above the floor ranked (article_ranked_newest) and the floor's nearest
-- the page's position a window of id buckets at a time.
create function article_ranked_matches(q tsquery, reach int, position_rank real, position_id bigint, backward boolean,
                                       matches_at_most bigint, page_from_ranked boolean, ranked_at_most int,
                                       language text default null, published_from timestamptz default null,
                                       published_to timestamptz default null,
                                       links regclass default null, entity_column text default null, entity_id bigint default null,
                                       event_from date default null, event_to date default null)
    returns table (id bigint, rank real)
    language plpgsql stable parallel safe
    set work_mem = '32MB'
as $$
declare
    floor_rank constant real := search_floor_rank(q);
    at_floor constant boolean := position_rank is not null and position_rank <= floor_rank;
    last_id constant bigint := coalesce((select max(a.id) from articles a), 0);
    last_bucket constant bigint := last_id / 1000;
    condition constant text := case when links is not null then article_link_condition(entity_column, entity_id, event_from, event_to) end;
    linked constant text := case when links is not null then article_link_probe(links, condition) end;
    index_query constant tsquery := search_index_query(q);
    exact_query constant tsquery := search_exact_query(q);
    linked_total double precision;
    linked_share double precision := 1;
    -- The query's matches among all the articles, as many again as among the linked ones.
    matches double precision;
    all_at_once boolean := matches_at_most <= 500 and not page_from_ranked;
    -- A floor window's matches, newest first (backwards, oldest first): planned for each window's values.
    window_statement constant text := format(
        'select m.id, $1
         from (select a.id
               from articles a
               where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ $2 and ($12::tsquery is null or a.search_vector @@ $12)
                 and a.id + 0 between $3 and $4 and article_is_public(a)
                 and (a.id < $5 or a.id <> all($6))
                 and article_passes_own_filters(a, $7, $8, $9) and %s
               offset 0) m
         order by case when $10 then m.id else -m.id end
         limit $11', coalesce(linked, 'true'));
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
    -- Beside links, as few matches as it ranks are read all at once without weighing the reads
    -- (their planning, ~3 ms for an event range, is paid again by article_linked_matches).
    if links is not null and matches_at_most > greatest(ranked_at_most, 500) then
        linked_total := article_linked_total(links, condition);
        linked_share := linked_total / greatest((select c.reltuples from pg_class c where c.oid = 'articles'::regclass), linked_total);
        matches := matches_at_most / linked_share;
        all_at_once := (select min(c) from unnest(article_linked_read_costs(matches, linked_total, matches)) c)
                       + article_rank_cost() * matches_at_most
                       <= (article_linked_read_costs(matches, linked_total, matches * ranked_at_most / matches_at_most))[1]
                          + article_rank_cost() * ranked_at_most;
    elsif links is not null then
        all_at_once := matches_at_most is not null;
    end if;

    if all_at_once then
        -- One branch runs: the other's condition on the arguments alone is checked once, before it reads.
        return query
            select m.id, case when m.rank > floor_rank
                                   and count(*) filter (where m.rank > floor_rank) over (order by m.id desc) <= ranked_at_most
                              then m.rank else floor_rank end
            from (select a.id, ts_rank(a.rank_vector, q) as rank
                  from articles a
                  where links is null
                    and article_search_terms(a.search_vector, a.rank_vector, a.id) @@ index_query
                    and (exact_query is null or a.search_vector @@ exact_query) and article_is_public(a)
                    and article_passes_own_filters(a, article_ranked_matches.language, published_from, published_to)
                  union all
                  select a.id, ts_rank(a.rank_vector, q)
                  from article_linked_matches(q, links, entity_column, entity_id, event_from, event_to,
                                              article_ranked_matches.language, published_from, published_to, matches_at_most) l
                  join articles a on a.id = l.id
                  where links is not null
                  offset 0) m;
        return;
    end if;

    select coalesce(array_agg(r.id), '{}'), coalesce(array_agg(r.rank), '{}'), coalesce(min(r.id), last_id + 1)
    into ranked_ids, ranked_ranks, lowest_ranked
    from article_ranked_newest(q, ranked_at_most, matches_at_most, article_ranked_matches.language, published_from, published_to,
                               linked => linked, linked_share => linked_share) r;
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
        return query execute window_statement
            using floor_rank, search_index_query(window_query), low, high, lowest_ranked, ranked_ids,
                  article_ranked_matches.language, published_from, published_to, backward, reach - found, exact_query;
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

-- As migration 0057's: no parallel workers for a request's read.
alter function article_ranked_matches(tsquery, int, real, bigint, boolean, bigint, boolean, int, text, timestamptz, timestamptz,
                                      regclass, text, bigint, date, date)
    set max_parallel_workers_per_gather = 0;
