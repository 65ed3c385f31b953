-- A full-text list's total counted every match: the first page of a query, and each after a
-- change, read as many rows as the query matched (a common word: a tenth of the articles, ~25 ms
-- at 100,000, ten times that at 1,000,000). Now the total is exact up to `exact_up_to` matches;
-- past that it is estimated, and the envelope says so (`page.totalItemsEstimated`).
--
-- The estimate counts every match in 16 of the id buckets (article_search_terms, migration
-- 0034), spread evenly over the ids (every n-th), and scales the count to all of them: a sample
-- across the years, as a word's use comes and goes (a count of the newest matches alone
-- overestimated a word in the news only lately). It is never below what was counted exactly.
create function article_match_total(q tsquery, exact_up_to int)
    returns table (total bigint, estimated boolean)
    language plpgsql stable parallel safe
as $$
declare
    buckets constant bigint := coalesce((select max(a.id) from articles a), 0) / 1000 + 1;
    stride constant bigint := (buckets + 15) / 16;
    counted bigint;
    sampled bigint;
begin
    select count(*) into counted
    from (select
          from articles a
          where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ q and article_is_public(a)
          limit exact_up_to + 1) m;
    if counted <= exact_up_to then
        return query select counted, false;
        return;
    end if;

    select count(*) into sampled
    from articles a
    where article_search_terms(a.search_vector, a.rank_vector, a.id)
              @@ (q && search_buckets(0, buckets - 1, stride))
      and article_is_public(a);
    return query select greatest(sampled * buckets / ((buckets + stride - 1) / stride), counted), true;
end $$;
