-- A ranked page of a query with few matches read the index twice (migration 0034): once for
-- the ranked matches and the nearest window of ids, again for the rest of the table when the
-- window found too few. The words' entries are most of a scan's cost, so at 100,000 articles a
-- pair matching a few hundred articles took longer in windows than ranking all of them at once
-- (README, "What limits"). What the API knows of the list's last total (its matches, entities
-- included for a search) says beforehand when a query is one of these.

-- The matches of q a ranked page can show, as article_ranked_matches(q, …) gives them, or, when
-- `matches_at_most` (the most the list likely holds: its last total, or 100 when that was short;
-- null when unknown) is at most 500, every public match with its rank, found by one scan of the
-- query's words. The page's keyset then picks its rows from either. A hint that no longer holds
-- only picks the way: both give the page the same rows.
create function article_ranked_matches(q tsquery, reach int, position_rank real, position_id bigint, backward boolean,
                                       matches_at_most bigint)
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
            where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ q and article_is_public(a);
    else
        return query select m.id, m.rank from article_ranked_matches(q, reach, position_rank, position_id, backward) m;
    end if;
end $$;
