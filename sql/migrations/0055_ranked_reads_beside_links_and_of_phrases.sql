-- An article list by relevance beside one metadata filter or an event range (or both) read every
-- match among the linked articles (article_linked_matches, migration 0050) and ranked them all
-- before it knew the first of its page. At 1,000,000 articles a word in every title beside the
-- events of 2018 onwards (890,000 linked matches) was answered 503 past the statements' 5 s, so
-- was one beside 2020's events on a first visit (2.7 s warm), and `q=police` beside 2018 onwards
-- took 0.85 s (91,755 matches).
--
-- Such a list now reads its matches as a list of the matches alone does (migration 0051): the
-- newest `ranked_at_most` linked matches above the floor ranked, older ones at the floor, and the
-- floor's nearest the page's position, a window of id buckets at a time, each window's matches
-- kept where a link is found for them (article_link_probe). Where reading and ranking every linked
-- match costs less (an entity of few articles, or as few linked matches as it ranks), they are
-- read all at once as before, the cheapest of 0050's ways, and ranked by the same rule.
--
-- A query with a phrase (`"city council"`) was read through the search index as an AND of its
-- words, and PostgreSQL checked each article found for the words' positions by rebuilding the
-- index's expression (article_search_terms) from the row: ~57 µs an article at 1,000,000, where
-- checking `search_vector` itself takes ~10. Two common words seldom adjacent had every article
-- with both checked that way: `/v1/search?q="city council"` (111,893 of them, none a match) was
-- answered 503, `"police operation"` took 1.5 s. The ranked reads and the totals of the matches
-- alone now give the index such a query with its phrases read as ANDs (search_index_query), which
-- it answers without a check, and check the articles it finds by `search_vector`.
--
-- A ranked list of a word in every title beside a filter of the article's own columns that the
-- newest windows hold few of (`q=city&publishedTo=2018-01-01`: the oldest articles) read the rest
-- of the table at once, and the planner read the filter's articles by its index and checked each
-- for the rank's candidates by rebuilding the index's expression (2.4 s at 1,000,000). Such a
-- rest now checks each by its rank vector (article_ranked_newest).
drop function article_ranked_matches(tsquery, int, real, bigint, boolean, bigint, int, text, timestamptz, timestamptz);
drop function article_ranked_newest(tsquery, int, bigint, text, timestamptz, timestamptz, double precision);

-- A bitmap read of a query that the planner takes for one most articles match (a word in every
-- title) was no bitmap: the planner left the search index out and checked each linked article by
-- the index's expression, rebuilt for each, ~25 µs an article (beside 2020's events at 1,000,000
-- articles, 100,680 of them: 2.7 s; checked by their whole text's terms, 0.83 s). The query's
-- matches are read through the search index only where they are at most half the articles. In
-- PL/pgSQL, whose statement reading the table's size is planned once a session: as an SQL
-- function's subquery it was planned at each call (by hand, a read by title beside a person
-- 1.1 → 1.9 ms).
create or replace function article_linked_read_costs(matches double precision, linked double precision, probed double precision)
    returns double precision[]
    language plpgsql stable parallel safe
as $$
declare
    articles_total constant real := (select c.reltuples from pg_class c where c.oid = 'articles'::regclass);
begin
    return array[8 * probed,
                 case when matches * 2 > articles_total and articles_total > 0 then 'infinity' else matches + 3 * linked end,
                 article_check_cost() * linked];
end $$;

-- It reads the table's size now.
alter function article_linked_read(double precision, double precision, double precision) stable;

-- A query's operators: its text with its quoted lexemes taken out.
create function search_query_operators(query tsquery) returns text
    language sql immutable parallel safe
    return regexp_replace(query::text, '''(?:[^'']|'''')*''', '', 'g');

-- The query the search index is given for `query`: itself, or where it holds a phrase, the part
-- of it an index can read (querytree: its negations left out, or 'T' where that leaves every
-- article, then `query` itself) with each phrase read as an AND of its words. The index answers
-- that one exactly, a superset of `query`'s matches, each then checked by `search_vector` (the
-- index's other terms, of the rank vector and the id's bucket, are never a phrase's). With a
-- phrase excluded, as it was the index checked, by the expression, each article with all its
-- words (by hand at 1,000,000, `/v1/search?q=city -"city council"` 2.6 s; checked by
-- `search_vector`, 0.57 s). Operators are read outside the quoted lexemes of the query's text:
-- an operator is outside them where an even number of quotes follows it. An expression alone,
-- without a subquery, so that PostgreSQL inlines it (~4 µs a call; with one, search_exact_query's
-- call of it was planned at each call, ~64 µs).
create function search_index_query(query tsquery) returns tsquery
    language sql immutable parallel safe
    return case
        when search_query_operators(query) !~ '<' or querytree(query) = 'T' then query
        else regexp_replace(querytree(query), '<(?:-|\d+)>(?=[^'']*(?:''[^'']*''[^'']*)*$)', '&', 'g')::tsquery
    end;

-- What is left to check of `query` in each article the index finds for search_index_query(query):
-- `query` itself, by `search_vector`, or null when the index's answer is exact.
create function search_exact_query(query tsquery) returns tsquery
    language sql immutable parallel safe
    return case when search_index_query(query) <> query then query end;

-- As migration 0048's, the matches read through search_index_query and checked by
-- search_exact_query.
create or replace function article_match_total(q tsquery, exact_up_to int,
                                               language text default null, published_from timestamptz default null,
                                               published_to timestamptz default null)
    returns table (total bigint, estimated boolean)
    language plpgsql stable parallel safe
    set work_mem = '32MB'
    set plan_cache_mode = force_custom_plan
as $$
declare
    buckets constant bigint := coalesce((select max(a.id) from articles a), 0) / 1000 + 1;
    stride constant bigint := (buckets + 15) / 16;
    matches constant text :=
        'select
         from articles a
         where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ $1 and ($6::tsquery is null or a.search_vector @@ $6)
           and article_is_public(a) and article_passes_own_filters(a, $2, $3, $4)';
    counted bigint;
    sampled bigint;
begin
    execute format('select count(*) from (%s limit $5) m', matches)
        into counted
        using search_index_query(q), language, published_from, published_to, exact_up_to + 1, search_exact_query(q);
    if counted <= exact_up_to then
        return query select counted, false;
        return;
    end if;

    execute format('select count(*) from (%s) m', matches)
        into sampled
        using search_index_query(q && search_buckets(0, buckets - 1, stride)), language, published_from, published_to, null::int,
              search_exact_query(q);
    return query select greatest(sampled * buckets / ((buckets + stride - 1) / stride), counted), true;
end $$;

-- Ranking a match by its rank_vector, in matches read through the search index (as
-- article_check_cost's): by hand at 1,000,000 articles ~4.5 µs a match, a read ~0.35 µs.
create function article_rank_cost() returns double precision
    language sql immutable parallel safe
    return 13;

-- As migration 0051's, each window's matches also kept where `linked` holds, a condition on the
-- article `a` (article_link_probe; null for every article), and `linked_share` the share of the
-- articles it holds, which the planner's expectation of the candidates among all is scaled by; a
-- window's matches read through search_index_query and checked by search_exact_query.
create function article_ranked_newest(q tsquery, ranked_at_most int, matches_at_most bigint,
                                      language text, published_from timestamptz, published_to timestamptz,
                                      candidates_expected double precision default null,
                                      linked text default null, linked_share double precision default 1)
    returns table (id bigint, rank real)
    language plpgsql stable parallel safe
    set work_mem = '32MB'
as $$
declare
    floor_rank constant real := search_floor_rank(q);
    candidates constant tsquery := search_rank_candidates(q);
    operators constant text := search_query_operators(q);
    -- The matches above the floor: the candidates alone where each matches q (q is a word or words
    -- joined by OR, and a candidate holds one of them; or two words joined by AND ranked by
    -- pairs, and a candidate holds both), else the candidates that match q (migration 0039).
    ranked_query constant tsquery := case when operators ~ '^[ |]*$' or (operators ~ '^ *& *$' and floor_rank > 0)
                                          then candidates else q && candidates end;
    last_id constant bigint := coalesce((select max(a.id) from articles a), 0);
    -- A window's matches above the floor, newest first, those that the condition `%1$s` finds:
    -- planned for each window's values.
    window_template constant text :=
        'select r.id, r.rank
         from (select a.id, ts_rank(a.rank_vector, $1) as rank
               from articles a
               where %1$s and ($10::tsquery is null or a.search_vector @@ $10)
                 and a.id + 0 between $3 and $4 and article_is_public(a)
                 and article_passes_own_filters(a, $5, $6, $7) and %2$s
               offset 0) r
         where r.rank > $8
         order by r.id desc
         limit $9';
    -- Through the search index, checked by search_exact_query; or by the rank vector's own lexemes
    -- (the candidates' without their '^'), q checked where the candidates alone are not its matches.
    by_search_index constant text := format(window_template, 'article_search_terms(a.search_vector, a.rank_vector, a.id) @@ $2', coalesce(linked, 'true'));
    by_rank_vector constant text := format(window_template, 'a.rank_vector @@ $2', coalesce(linked, 'true'));
    rank_vector_query constant tsquery := regexp_replace(candidates::text, '(^|[\s(!&|])''\^', '\1''', 'g')::tsquery;
    own_filters constant boolean := language is not null or published_from is not null or published_to is not null;
    exact_query constant tsquery := search_exact_query(q);
    -- The rest of the table read by the article's own filters where the planner expects fewer of
    -- their articles than candidates: it reads those by their index (the dates', the languages')
    -- and checks each by the statement's condition. By the search index's expression, that is
    -- rebuilt for each article (~22 µs at 1,000,000); by the rank vector, ~1 µs. At 1,000,000,
    -- `q=city&publishedTo=2018-01-01&sort=relevance` (the 106,194 oldest articles; the newest
    -- windows hold none) 2.4 s → 0.5 s, `q=city&language=fr&sort=relevance` 1.1 s → 0.3 s.
    rest_by_own_filters boolean := false;
    -- The candidates among all the articles, as the planner expects them (it knows the words of
    -- over about a tenth of the articles, and takes the others for rare ones), where needed.
    candidates_planned double precision;
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
    if candidates_expected is null and (own_filters or matches_at_most is null or matches_at_most > ranked_at_most) then
        candidates_planned := planned_rows(format(
            'select from articles a where article_search_terms(a.search_vector, a.rank_vector, a.id) @@ %L::tsquery', ranked_query));
    end if;
    rate := coalesce(candidates_expected,
                     case when matches_at_most <= ranked_at_most then matches_at_most
                          else linked_share * candidates_planned end) / (last_id + 1);
    loop
        ids_needed := (ranked_at_most - found) * 1.1 / greatest(rate, 1e-9);
        rest := ids_needed >= least(high, last_id);
        low := case when rest then 0 else greatest(high / 1000 - least(ceil(ids_needed / 1000)::bigint, 32) + 1, 0) * 1000 end;
        rest_by_own_filters := rest and own_filters and planned_rows(format(
            'select from articles a where article_is_public(a) and article_passes_own_filters(a, %L::text, %L::timestamptz, %L::timestamptz)',
            language, published_from, published_to)) < coalesce(candidates_expected, linked_share * candidates_planned);
        window_query := case when rest then ranked_query else ranked_query && search_buckets(low / 1000, high / 1000) end;
        return query execute case when rest_by_own_filters then by_rank_vector else by_search_index end
            using q, case when rest_by_own_filters then rank_vector_query else search_index_query(window_query) end,
                  low, high, language, published_from, published_to, floor_rank, ranked_at_most - found,
                  case when not rest_by_own_filters then exact_query when ranked_query <> candidates then q end;
        get diagnostics added = row_count;
        found := found + added;
        exit when found >= ranked_at_most or low = 0;
        rate := found::double precision / (last_id - low + 1);
        high := low - 1;
    end loop;
end $$;

-- As migration 0054's, its matches read through search_index_query and checked by
-- search_exact_query, and among the articles `links` links (article_linked_matches' arguments;
-- null for all): every match at once where the list likely holds 500 or fewer, or, beside links, where
-- reading every linked match and ranking each costs less than reading the newest windows' matches
-- (each looked up in the links) until `ranked_at_most` of them rank above the floor; else the
-- newest `ranked_at_most` above the floor ranked (article_ranked_newest) and the floor's nearest
-- the page's position a window of id buckets at a time.
create function article_ranked_matches(q tsquery, reach int, position_rank real, position_id bigint, backward boolean,
                                       matches_at_most bigint, ranked_at_most int,
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
    all_at_once boolean := matches_at_most <= 500;
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
