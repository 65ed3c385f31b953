-- A ranked read of few matches (at most 500: most of the bench's searches at 100,000 articles)
-- reads them all at once in one statement, a union of the matches among all the articles and
-- among an entity's links (migration 0055), one branch gated off by the arguments. The planner
-- took the links' branch, a function, for 1,000 rows and planned the union in parallel: each
-- read started two workers, ~7 ms of the machine where the read itself takes ~1. By hand at
-- 100,000 articles (the bench's database, cache off), 400 of its searches one at a time: the
-- statement 11.6 → 1.5 ms a call, PostgreSQL 9.0 → 2.5 ms a search. A request's read never
-- gains from workers on a machine whose cores its other requests keep busy.
alter function article_ranked_matches(tsquery, int, real, bigint, boolean, bigint, int, text, timestamptz, timestamptz,
                                      regclass, text, bigint, date, date)
    set max_parallel_workers_per_gather = 0;
