-- A query whose words are all too common to be searched ("the", "a", "don't") parses to an
-- empty tsquery, and ANDed with a window's buckets (migration 0034) an empty tsquery is the
-- buckets alone: the first ranked page of `/v1/search?q=the` listed the newest articles as
-- hits (the count, finding nothing, said 0), and the next page, by the one-scan path of
-- migration 0036, nothing. And where the common words were the only ones to find, what was
-- left was exclusions alone ("the -security" parses as !'secur'): a query matching every
-- article without the word, ranked and counted over the whole table (by hand at 100,000
-- articles: 4.7 s for the first page of a search, a 503 after 10 s for the article list) that
-- the API's check for exclusions only (a 400) did not see. The same holds for an alternative
-- of exclusions alone ("security or -moscow": 'secur' | !'moscow').
--
-- The query as the API searches it: websearch_to_tsquery's, or null when it finds nothing by
-- itself: no lexeme left, or matched by an article with no words at all (an empty tsvector),
-- as exclusions alone are. Null matches no row whatever it is combined with. The API answers a
-- 400 to the exclusions it recognises (FullTextQueries.HasPositiveTerm); any other finds nothing
-- rather than everything.
create function search_query(query text) returns tsquery
    language sql stable parallel safe
    return (select case when numnode(q) = 0 then null when ''::tsvector @@ q then null else q end
            from websearch_to_tsquery('english', query) q);
