-- A ranked read (a search, or an article list ranked by relevance with `q` and at most its own
-- columns' filters: ArticleQueries.RankedMatchesFromPosition) ranked every match above the floor
-- (migrations 0034, 0049) before it knew the first of its page. A word that most articles hold in
-- their title, summary or the body's opening had them all ranked: at 1,000,000 articles
-- `/v1/search?q=city` (a word in every generated title) and `q=city&sort=relevance` were answered
-- 503 past the statements' 5 s, and a real newsroom's common words ("said", "new") would be too.
-- The matches above the floor that a read ranks are now the newest `ranked_at_most` of them
-- (FullTextOptions.RankedMatchesAtMost, 50,000 by default), read from the newest a window of id
-- buckets at a time; the older ones rank at the floor, among the floor's matches by id, newest
-- first, as every floor match does. Up to that many, the same pages as before.
drop function article_ranked_matches(tsquery, int, real, bigint, boolean, bigint, text, timestamptz, timestamptz);
drop function article_ranked_matches(tsquery, int, real, bigint, boolean, text, timestamptz, timestamptz);

-- The newest `ranked_at_most` public matches of q that rank above its floor and pass the filters
-- of the article's own columns, as (id, rank), each window's newest first. All at once where the
-- list likely holds at most that many matches (`matches_at_most`), or the planner expects at most
-- that many candidates (it knows the words of over about a tenth of the articles, and takes the
-- others for rare ones; a test gives `candidates_expected` instead); else a window of id buckets at a time from the
-- newest, each as wide as the rate found so far says the rest needs (the planner's before the
-- first), a tenth over and at most 32 buckets (an OR of more buckets costs more than its width:
-- migration 0040), or the rest of the table at once when at that rate it holds fewer than needed.
create function article_ranked_newest(q tsquery, ranked_at_most int, matches_at_most bigint,
                                      language text, published_from timestamptz, published_to timestamptz,
                                      candidates_expected double precision default null)
    returns table (id bigint, rank real)
    language plpgsql stable parallel safe
as $$
declare
    floor_rank constant real := search_floor_rank(q);
    candidates constant tsquery := search_rank_candidates(q);
    -- The query's operators, its quoted lexemes taken out.
    operators constant text := regexp_replace(q::text, '''(?:[^'']|'''')*''', '', 'g');
    -- The matches above the floor: the candidates alone where each matches q (q is a word or words
    -- joined by OR, and a candidate holds one of them; or two words joined by AND ranked by
    -- pairs, and a candidate holds both), else the candidates that match q (migration 0039).
    ranked_query constant tsquery := case when operators ~ '^[ |]*$' or (operators ~ '^ *& *$' and floor_rank > 0)
                                          then candidates else q && candidates end;
    last_id constant bigint := coalesce((select max(a.id) from articles a), 0);
    -- The window's ids, both ends included, and whether it is the rest of the table.
    low bigint;
    high bigint := (last_id / 1000 + 1) * 1000 - 1;
    rest boolean;
    -- Matches above the floor an id, and the ids the rest needs at that rate.
    rate double precision;
    ids_needed double precision;
    window_query tsquery;
    found bigint := 0;
    added bigint;
begin
    rate := coalesce(candidates_expected,
                     case when matches_at_most <= ranked_at_most then matches_at_most
                          else planned_rows(format('select from articles a where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ %L::tsquery',
                                                   ranked_query)) end) / (last_id + 1);
    loop
        ids_needed := (ranked_at_most - found) * 1.1 / greatest(rate, 1e-9);
        rest := ids_needed >= least(high, last_id);
        low := case when rest then 0 else greatest(high / 1000 - least(ceil(ids_needed / 1000)::bigint, 32) + 1, 0) * 1000 end;
        window_query := case when rest then ranked_query else ranked_query && search_buckets(low / 1000, high / 1000) end;
        return query
            select r.id, r.rank
            from (select a.id, ts_rank(a.rank_vector, q) as rank
                  from articles a
                  where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ window_query
                    and a.id + 0 between low and high and article_is_public(a)
                    and article_passes_own_filters(a, article_ranked_newest.language, published_from, published_to)
                  offset 0) r
            where r.rank > floor_rank
            order by r.id desc
            limit ranked_at_most - found;
        get diagnostics added = row_count;
        found := found + added;
        exit when found >= ranked_at_most or low = 0;
        rate := found::double precision / (last_id - low + 1);
        high := low - 1;
    end loop;
end $$;

-- As migration 0049's two, now one: every public match at once when the list likely holds 500
-- or fewer (migration 0036), else the newest `ranked_at_most` matches above the floor ranked
-- (article_ranked_newest) and the floor's nearest the page's position a window of id buckets at a
-- time (migrations 0034, 0040); a match of q above the floor past the newest `ranked_at_most` of
-- them ranks at the floor. A floor window leaves the ranked ones out by their ids only where they
-- can be (from the lowest of them up): each other id was compared with all of them.
create function article_ranked_matches(q tsquery, reach int, position_rank real, position_id bigint, backward boolean,
                                       matches_at_most bigint, ranked_at_most int,
                                       language text default null, published_from timestamptz default null,
                                       published_to timestamptz default null)
    returns table (id bigint, rank real)
    language plpgsql stable parallel safe
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
            select m.id, case when m.rank > floor_rank and m.newer_above_floor <= ranked_at_most then m.rank else floor_rank end
            from (select a.id, ts_rank(a.rank_vector, q) as rank,
                         count(*) filter (where ts_rank(a.rank_vector, q) > floor_rank) over (order by a.id desc) as newer_above_floor
                  from articles a
                  where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ q and article_is_public(a)
                    and article_passes_own_filters(a, article_ranked_matches.language, published_from, published_to)) m;
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
