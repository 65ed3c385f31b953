-- A public article list ranked by relevance with a language or a publication range beside `q`
-- ranked every match to find its page (ArticleQueries.RankedMatches): at 1,000,000 articles
-- `q=security&language=en&sort=relevance` ranked 85,773 matches and was answered 503 past the
-- statements' 5 s. Such a list now reads from its position as the matches alone do (migrations
-- 0034–0040): article_ranked_matches takes the filters of the article's own columns (migration
-- 0048), each match above the floor and in a window checked against them, and its total is
-- bounded with the same filters (article_match_total). Without filters, as before.
drop function article_ranked_matches(tsquery, int, real, bigint, boolean, bigint);
drop function article_ranked_matches(tsquery, int, real, bigint, boolean);

create function article_ranked_matches(q tsquery, reach int, position_rank real, position_id bigint, backward boolean,
                                       language text, published_from timestamptz, published_to timestamptz)
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
begin
    -- Every match above the floor, and their ids: a match of q not among them ranks at the floor.
    select coalesce(array_agg(r.id), '{}'), coalesce(array_agg(r.rank), '{}') into ranked_ids, ranked_ranks
    from (select a.id, ts_rank(a.rank_vector, q) as rank
          from articles a
          where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ ranked_query
            and article_is_public(a) and article_passes_own_filters(a, article_ranked_matches.language, published_from, published_to)
          offset 0) r
    where r.rank > floor_rank;
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
                    and a.id + 0 between low and high and article_is_public(a) and a.id <> all(ranked_ids)
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

-- As migration 0036's: every public match at once when the list likely holds 500 or fewer.
create function article_ranked_matches(q tsquery, reach int, position_rank real, position_id bigint, backward boolean,
                                       matches_at_most bigint,
                                       language text default null, published_from timestamptz default null,
                                       published_to timestamptz default null)
    returns table (id bigint, rank real)
    language plpgsql stable parallel safe
as $$
declare
    floor_rank constant real := search_floor_rank(q);
begin
    if matches_at_most <= 500 then
        return query
            select a.id, greatest(ts_rank(a.rank_vector, q), floor_rank)
            from articles a
            where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ q and article_is_public(a)
              and article_passes_own_filters(a, article_ranked_matches.language, published_from, published_to);
    else
        return query
            select m.id, m.rank
            from article_ranked_matches(q, reach, position_rank, position_id, backward, article_ranked_matches.language, published_from, published_to) m;
    end if;
end $$;
