-- A GIN index puts new entries in a pending list, merged into the index when the list passes
-- gin_pending_list_limit (4 MB by default) or when VACUUM runs, and every search reads the
-- whole list besides the index: after a few thousand article writes each search read ~300 more
-- pages (by hand at 100,000 articles, the bench's searches with the cache off fell from ~200 to
-- ~120 a second after 30 s of `create-article`). 64 kB is the least PostgreSQL allows: the list
-- holds a few articles' words, and merging it as often costs a write of a full-size article
-- (~380 distinct words) ~0.9 ms more (1,000 inserts by hand: 1.6–2.0 → 2.7 ms an article).
alter index articles_search_idx set (gin_pending_list_limit = 64);
alter index people_search_idx set (gin_pending_list_limit = 64);
alter index organisations_search_idx set (gin_pending_list_limit = 64);
alter index events_search_idx set (gin_pending_list_limit = 64);
