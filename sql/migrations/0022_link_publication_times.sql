-- An article list filtered by a person, organisation, event, place, tag or author read every
-- article the entity links to twice, once for the total and once for the page, and sorted them
-- by date (explain analyze at 100,000 articles: a tag's 600 articles, ~6,000 buffers a request).
-- Each link now keeps its article's publication time while the article is published (null
-- otherwise), indexed by entity and time: a page reads its first links in date order, and the
-- total counts index entries without visiting the articles (ArticleQueries.LinkFilters).

-- The links' own change trigger touches the article (its document shows the links): only for
-- changes of the link itself, not for the publication time copied into it.
drop trigger article_people_after_change on article_people;
create trigger article_people_after_change after insert or delete or update of article_id, person_id, role, position on article_people
    for each row execute function article_link_after_change();
drop trigger article_organisations_after_change on article_organisations;
create trigger article_organisations_after_change after insert or delete or update of article_id, organisation_id, role, position on article_organisations
    for each row execute function article_link_after_change();
drop trigger article_events_after_change on article_events;
create trigger article_events_after_change after insert or delete or update of article_id, event_id on article_events
    for each row execute function article_link_after_change();
drop trigger article_places_after_change on article_places;
create trigger article_places_after_change after insert or delete or update of article_id, place_id, position on article_places
    for each row execute function article_link_after_change();
drop trigger article_tags_after_change on article_tags;
create trigger article_tags_after_change after insert or delete or update of article_id, tag_id, position on article_tags
    for each row execute function article_link_after_change();
drop trigger article_authors_after_change on article_authors;
create trigger article_authors_after_change after insert or delete or update of article_id, author_id, position on article_authors
    for each row execute function article_link_after_change();

-- A new link (or one moved to another article) takes its article's publication time.
create function article_link_published_at() returns trigger language plpgsql as $$
begin
    new.published_at := (select a.published_at from articles a where a.id = new.article_id and a.status = 'published');
    return new;
end $$;

-- An article published, unpublished, archived, deleted or rescheduled: its links follow.
create function articles_links_published_at() returns trigger language plpgsql as $$
declare
    published timestamptz := case when new.status = 'published' then new.published_at end;
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

alter table article_people add column published_at timestamptz;
alter table article_organisations add column published_at timestamptz;
alter table article_events add column published_at timestamptz;
alter table article_places add column published_at timestamptz;
alter table article_tags add column published_at timestamptz;
alter table article_authors add column published_at timestamptz;

update article_people l set published_at = a.published_at from articles a where a.id = l.article_id and a.status = 'published';
update article_organisations l set published_at = a.published_at from articles a where a.id = l.article_id and a.status = 'published';
update article_events l set published_at = a.published_at from articles a where a.id = l.article_id and a.status = 'published';
update article_places l set published_at = a.published_at from articles a where a.id = l.article_id and a.status = 'published';
update article_tags l set published_at = a.published_at from articles a where a.id = l.article_id and a.status = 'published';
update article_authors l set published_at = a.published_at from articles a where a.id = l.article_id and a.status = 'published';

create trigger article_people_published_at before insert or update of article_id on article_people
    for each row execute function article_link_published_at();
create trigger article_organisations_published_at before insert or update of article_id on article_organisations
    for each row execute function article_link_published_at();
create trigger article_events_published_at before insert or update of article_id on article_events
    for each row execute function article_link_published_at();
create trigger article_places_published_at before insert or update of article_id on article_places
    for each row execute function article_link_published_at();
create trigger article_tags_published_at before insert or update of article_id on article_tags
    for each row execute function article_link_published_at();
create trigger article_authors_published_at before insert or update of article_id on article_authors
    for each row execute function article_link_published_at();

-- Newest and oldest first both read these in order (backwards for the oldest).
create index article_people_published_idx on article_people (person_id, published_at desc, article_id desc) where published_at is not null;
create index article_organisations_published_idx on article_organisations (organisation_id, published_at desc, article_id desc) where published_at is not null;
create index article_events_published_idx on article_events (event_id, published_at desc, article_id desc) where published_at is not null;
create index article_places_published_idx on article_places (place_id, published_at desc, article_id desc) where published_at is not null;
create index article_tags_published_idx on article_tags (tag_id, published_at desc, article_id desc) where published_at is not null;
create index article_authors_published_idx on article_authors (author_id, published_at desc, article_id desc) where published_at is not null;
