-- A public list by title walks the published articles' title index until its page is full, and
-- checks each article against the list's other filters: a filter that few articles pass, or
-- whose matches sort late, made it read the table's rows nearly all (by hand at 100,000 articles,
-- cache off: publishedTo=1990-01-01&sort=title 582 ms, language=zz&sort=title 126 ms, an event
-- range no event overlaps 0.52 s; past the statements' 5 s at 1,000,000). The page's statement
-- gives its filter values as parameters of a batch, so the planner cannot tell such a filter
-- from one that most articles pass, where the walk is what the page should do. The index now
-- holds what those filters read, and the walk (ArticleQueries: `a`, the page's rows `d`) reads
-- it alone: publication time (the range, and visibility with the index's condition) and
-- language. Event dates are matched by the article's id.
drop index articles_title_idx;
create index articles_title_idx on articles (title, id) include (published_at, language) where status = 'published';
