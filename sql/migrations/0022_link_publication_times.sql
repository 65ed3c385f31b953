-- An article list filtered by a person, organisation, event, place, tag or author read every
-- article the entity links to twice, once for the total and once for the page, and sorted them
-- by date (explain analyze at 100,000 articles: a tag's 600 articles, ~6,000 buffers a request).
-- Each link now keeps its article's publication time while the article is published (null
-- otherwise), indexed by entity and time: a page reads its first links in date order, and the
-- total counts index entries without visiting the articles (ArticleQueries.LinkFilters).

-- What a link keeps of its article: the publication time while it is published, else null.
create function article_link_time(a articles) returns timestamptz
    language sql immutable parallel safe
    return case when a.status = 'published' then a.published_at end;

-- A new link (or one moved to another article) takes its article's.
create function article_link_published_at() returns trigger language plpgsql as $$
begin
    new.published_at := (select article_link_time(a) from articles a where a.id = new.article_id);
    return new;
end $$;

-- An article published, unpublished, archived, deleted or rescheduled: its links follow.
create function articles_links_published_at() returns trigger language plpgsql as $$
declare
    published timestamptz := article_link_time(new);
begin
    update article_people set published_at = published where article_id = new.id and published_at is distinct from published;
    update article_organisations set published_at = published where article_id = new.id and published_at is distinct from published;
    update article_events set published_at = published where article_id = new.id and published_at is distinct from published;
    update article_places set published_at = published where article_id = new.id and published_at is distinct from published;
    update article_tags set published_at = published where article_id = new.id and published_at is distinct from published;
    update article_authors set published_at = published where article_id = new.id and published_at is distinct from published;
    return null;
end $$;

create trigger articles_links_published_at after update of status, published_at on articles
    for each row when (old.status is distinct from new.status or old.published_at is distinct from new.published_at)
    execute function articles_links_published_at();

-- For each link table: its own change trigger touches the article (its document shows the
-- links) only for changes of the link itself, not for the publication time copied into it; the
-- column, filled from the articles; the trigger that fills it for new links; the index, read
-- in order for newest first and backwards for oldest first.
do $$
declare
    link record;
begin
    for link in select * from (values
        ('article_people', 'person_id', 'article_id, person_id, role, position'),
        ('article_organisations', 'organisation_id', 'article_id, organisation_id, role, position'),
        ('article_events', 'event_id', 'article_id, event_id'),
        ('article_places', 'place_id', 'article_id, place_id, position'),
        ('article_tags', 'tag_id', 'article_id, tag_id, position'),
        ('article_authors', 'author_id', 'article_id, author_id, position')) t(name, entity_id, link_columns)
    loop
        execute format('drop trigger %I on %I', link.name || '_after_change', link.name);
        execute format('create trigger %I after insert or delete or update of %s on %I for each row execute function article_link_after_change()',
                       link.name || '_after_change', link.link_columns, link.name);
        execute format('alter table %I add column published_at timestamptz', link.name);
        execute format('update %I l set published_at = article_link_time(a) from articles a where a.id = l.article_id and article_link_time(a) is not null',
                       link.name);
        execute format('create trigger %I before insert or update of article_id on %I for each row execute function article_link_published_at()',
                       link.name || '_published_at', link.name);
        execute format('create index %I on %I (%I, published_at desc, article_id desc) where published_at is not null',
                       link.name || '_published_idx', link.name, link.entity_id);
    end loop;
end $$;
