-- An entity's article count and its five latest articles (every entity list's `articleCount`,
-- every entity page's `latestArticles`) joined each of its links to its article to check that
-- the article is public, and sorted all of them by the articles' dates for the five: a list of
-- 20 tags of 600 articles each read 12,000 articles (by hand at 100,000 articles, 173 ms a page,
-- 0.86 s for 100 tags; ten times as many articles a tag at 1,000,000). Since migration 0022 a
-- link keeps its article's publication time while the article is published, indexed by entity
-- and time: the count is of the index's entries alone, and the five latest are its first five,
-- each article then read by its id (joined, small tables were read whole).
do $do$
declare
    link record;
begin
    for link in select * from (values
        ('people', 'p', 'article_people', 'person_id', true),
        ('organisations', 'o', 'article_organisations', 'organisation_id', true),
        ('events', 'e', 'article_events', 'event_id', false),
        ('places', 'pl', 'article_places', 'place_id', false),
        ('tags', 't', 'article_tags', 'tag_id', false),
        ('authors', 'au', 'article_authors', 'author_id', false)) t(entities, alias, links, entity_id, with_role)
    loop
        execute format($f$
            create or replace function article_count(%2$s %1$I) returns int language sql stable parallel safe as $body$
                select count(*)::int from %3$I l where l.%4$I = %2$s.id and l.published_at <= now()
            $body$$f$, link.entities, link.alias, link.links, link.entity_id);
        -- People and organisations show their role in each article (ArticleInvolvement).
        execute format($f$
            create or replace function latest_articles_json(%2$s %1$I) returns json language sql stable parallel safe as $body$
                select coalesce(json_agg((select %5$s from articles a where a.id = latest.article_id)
                                         order by latest.published_at desc, latest.article_id desc), '[]')
                from (select l.article_id, l.published_at%6$s
                      from %3$I l
                      where l.%4$I = %2$s.id and l.published_at <= now()
                      order by l.published_at desc, l.article_id desc limit 5) latest
            $body$$f$, link.entities, link.alias, link.links, link.entity_id,
            case when link.with_role then 'article_involvement_json(latest.role, a)' else 'a.summary_document' end,
            case when link.with_role then ', l.role' else '' end);
    end loop;
end $do$;
