-- A ranked read's statements (migration 0051) read a word's matches through a bitmap, which at the
-- default work_mem (4 MB) went lossy past about 70,000 pages: each article on a lossy page was
-- checked again, its terms read from TOAST, as migration 0048 found for the lists in order. At
-- 1,000,000 articles `/v1/search?q=operation` (the stem of "operation" and "operational", in the
-- titles of 79,034 articles, which the planner took for 5,000 and read at once) was answered 503
-- past the statements' 5 s, and so was `q=city&sort=relevance&publishedTo=2017-01-01` (the
-- newest windows hold none of the range's matches, so the rest of the table was read at once).
-- With 32 MB a bitmap holds every page of the table exact: by hand, the newest 50,000 of
-- "operation" 5.7 → 0.16 s. The functions set it for themselves alone, as 0048's and 0050's do.
alter function article_ranked_newest(tsquery, int, bigint, text, timestamptz, timestamptz, double precision)
    set work_mem = '32MB';
alter function article_ranked_matches(tsquery, int, real, bigint, boolean, bigint, int, text, timestamptz, timestamptz)
    set work_mem = '32MB';
