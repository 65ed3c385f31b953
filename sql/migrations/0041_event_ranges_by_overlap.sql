-- An article list by event dates (eventFrom, eventTo: about the events that overlap the range)
-- walked the public articles newest first and looked up each one's event until its page was
-- full, so a range that few or no events overlap read every public article: by hand at 100,000
-- articles 0.36–1.2 s a page, and the first such page after a restart, the articles not yet in
-- memory, past the statements' 5 s (a 503). The events a range overlaps are now found by this
-- index, and such a list reads their links alone (ArticleQueries.EventLinksInRange).
create index events_dates_overlap_idx on events using gist (daterange(start_date, end_date, '[]'));
