-- The version of the public article lists' members. A list's total is remembered with the
-- version it was counted at and counted again once that moves (Reads/ListTotals.cs). It was the
-- content watermark's, which every write moves: an approved comment too (it changes its
-- article's comment_count), so each approval had every long list counted again (~160 ms for the
-- public articles at 346,000). The members of an article list depend on less: which articles
-- are public (status, publication time), their language and words (the filters), their links,
-- and the slugs and event dates the filters name. This version moves when one of those may have
-- changed. It is a column of the watermark's row, which every content write locks already.
alter table content_changes add column members_version bigint;
update content_changes set members_version = version;
alter table content_changes alter column members_version set not null;

create function list_members_changed() returns trigger language plpgsql as $$
begin
    -- Once a transaction: its readers see all of its changes or none of them.
    if current_setting('contentapi.list_members_changed', true) is distinct from 'on' then
        perform set_config('contentapi.list_members_changed', 'on', true);
        update content_changes set members_version = nextval('content_version_seq') where id;
    end if;
    return null;
end $$;

-- Articles: added or removed; or a change of what makes one public or matches a filter. The
-- columns listed are those an UPDATE must name for the trigger to fire (search_vector follows
-- title, summary and body, set by articles_search_vector): an approved comment's
-- `update articles set comment_count = …` names none of them.
create trigger articles_list_members_added after insert or delete or truncate on articles
    for each statement execute function list_members_changed();
create trigger articles_list_members_changed
    after update of status, published_at, language, title, summary, body, search_vector on articles
    for each row
    when ((old.status, old.published_at, old.language, old.search_vector)
          is distinct from (new.status, new.published_at, new.language, new.search_vector))
    execute function list_members_changed();

-- Links: any change (the filters by entity read them, with the publication time they keep).
-- At commit: the tables of articles and entities take the watermark's row lock as each statement
-- ends, but a new article's links were written before any such statement, while they lock the
-- linked entities' rows (their references) one after another.
-- Entities: added or removed, or a slug changed (a filter names one by slug); for events, their
-- dates too (a filter reads the range).
do $$
declare
    t text;
begin
    foreach t in array array['article_people', 'article_organisations', 'article_events', 'article_places', 'article_tags', 'article_authors'] loop
        execute format('create constraint trigger %I after insert or update or delete on %I
                            deferrable initially deferred for each row execute function list_members_changed()', t || '_list_members', t);
        execute format('create trigger %I after truncate on %I
                            for each statement execute function list_members_changed()', t || '_list_members_truncated', t);
    end loop;
    foreach t in array array['people', 'organisations', 'places', 'tags', 'authors', 'events'] loop
        execute format('create trigger %I after insert or delete or truncate on %I
                            for each statement execute function list_members_changed()', t || '_list_members_added', t);
    end loop;
    foreach t in array array['people', 'organisations', 'places', 'tags', 'authors'] loop
        execute format('create trigger %I after update of slug on %I
                            for each row when (old.slug is distinct from new.slug) execute function list_members_changed()', t || '_list_members_changed', t);
    end loop;
end $$;

create trigger events_list_members_changed after update of slug, start_date, end_date on events
    for each row
    when ((old.slug, old.start_date, old.end_date) is distinct from (new.slug, new.start_date, new.end_date))
    execute function list_members_changed();
