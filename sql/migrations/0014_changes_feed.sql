-- The changes feed (GET /v1/changes): a transactional outbox of every change to public
-- content, written by triggers in the transaction that makes the change (by the API, by SQL or
-- by a migration alike), so that no change is lost and none is reported that did not commit.
--
-- Commit order: a position is taken only under the content_changes row lock (migration 0002),
-- which every write to public content holds until it commits. A transaction that takes
-- positions after another's can only do so once that one has committed, so positions are in
-- commit order and a reader that has seen position p will never see a smaller one appear
-- later (sequence gaps come from rolled-back transactions and never fill).
--
-- An entry names the resource and what happened to it (upsert or tombstone), with the public
-- ETag where a resource has its own (articles) and the cache keys the change invalidates. The
-- entries of one transaction are merged per resource: saving an article with ten links is one
-- article entry, not eleven.

create sequence content_outbox_position_seq;

create table content_outbox (
    position       bigint primary key,
    transaction_id xid8 not null default pg_current_xact_id(),
    resource       text not null check (resource in ('article', 'person', 'organisation', 'event', 'place', 'tag', 'author', 'comment')),
    resource_id    bigint not null,
    slug           text,
    event          text not null check (event ~ '^[a-z]+\.[a-z]+$'),
    deleted        boolean not null,
    etag           text,
    keys           text[] not null,
    changed_at     timestamptz not null default now(),
    unique (transaction_id, resource, resource_id)
);

create index content_outbox_resource_idx on content_outbox (resource, resource_id, position desc);

-- A resource's last entry: its position is the validator of the resource's own page (an
-- entity's, a comment's), so that the feed can tell the ETag a GET answers after each change.
create function content_outbox_last(p_resource text, p_resource_id bigint) returns table (last_position bigint, last_changed_at timestamptz)
    language sql stable parallel safe
as $$
    select o.position, o.changed_at from content_outbox o
    where o.resource = p_resource and o.resource_id = p_resource_id
    order by o.position desc limit 1
$$;

-- The ETag an entity's or a comment's page answers now (null before its first change, when the
-- content watermark validates it).
create function content_outbox_resource_etag(p_resource text, p_resource_id bigint) returns text
    language sql stable parallel safe
    return (select 'W/"' || p_resource || l.last_position || '"' from content_outbox_last(p_resource, p_resource_id) l);

-- The ETag of an upsert: an article's public validator (kept with the entry), or for the others
-- the one their page answers after this change (W/"person12": kind and position).
create function content_outbox_etag(o content_outbox) returns text
    language sql immutable parallel safe
    return case when o.deleted then null
                when o.etag is not null then o.etag
                else 'W/"' || o.resource || o.position || '"' end;

-- Scheduled articles are announced when they become visible, not when they are written: each
-- waits here until its publication time, when content_outbox_release_due (called every second
-- by each API instance) moves it into the outbox.
create table content_outbox_scheduled (
    article_id bigint primary key references articles (id) on delete cascade,
    visible_at timestamptz not null
);
create index content_outbox_scheduled_visible_at_idx on content_outbox_scheduled (visible_at);

-- Takes the lock that orders positions (see above). Writers take it after their row locks,
-- the release below before anything else: one order, no deadlock.
create function content_outbox_lock() returns void language plpgsql as $$
begin
    perform from content_changes for update;
end $$;

-- The cache keys a change invalidates: the resource's own and its list's (the same names as
-- the URL paths), a comment's article's comment lists.
create function content_outbox_keys(resource text, resource_id bigint, article_id bigint default null) returns text[]
    language sql immutable parallel safe
    return case resource
        when 'comment' then array['comment:' || resource_id, 'comments:' || article_id]
        when 'person' then array['person:' || resource_id, 'people']
        else array[resource || ':' || resource_id, resource || 's'] end;

-- ContentChange: one entry of the feed, as GET /v1/changes serves it.
create function content_change_json(resource text, resource_id bigint, slug text, event text, deleted boolean,
                                    changed_at timestamptz, etag text, keys text[]) returns json
    language sql stable parallel safe
    return json_build_object('type', resource, 'id', resource_id, 'slug', slug, 'event', event, 'deleted', deleted,
                             'at', api_timestamp(changed_at), 'etag', etag, 'keys', keys);

create function content_outbox_append(p_resource text, p_resource_id bigint, p_slug text, p_event text, p_deleted boolean,
                                      p_etag text, p_keys text[], p_changed_at timestamptz default now())
returns void language plpgsql as $$
begin
    perform content_outbox_lock();
    insert into content_outbox (position, resource, resource_id, slug, event, deleted, etag, keys, changed_at)
    values (nextval('content_outbox_position_seq'), p_resource, p_resource_id, p_slug, p_event, p_deleted, p_etag, p_keys, p_changed_at)
    on conflict (transaction_id, resource, resource_id) do update set
        slug = excluded.slug,
        -- published then updated in one transaction is still a publication (the first event of
        -- an upsert stays unless the resource ends deleted)
        event = case when not excluded.deleted and not content_outbox.deleted then content_outbox.event else excluded.event end,
        deleted = excluded.deleted,
        etag = excluded.etag,
        keys = array(select distinct k from unnest(content_outbox.keys || excluded.keys) k order by k),
        changed_at = excluded.changed_at;
    perform pg_notify('content_outbox', '');
end $$;

-- Articles --------------------------------------------------------------------------------

-- An article's entry and, because their article counts and latest-article lists show it, an
-- entry for each person, organisation, event, place, tag and author it is linked to.
create function content_outbox_article(a articles, p_event text, p_deleted boolean, p_changed_at timestamptz default now())
returns void language plpgsql as $$
begin
    perform content_outbox_append('article', a.id, a.slug, p_event, p_deleted,
                                  case when not p_deleted then 'W/"a' || a.content_version || '"' end,
                                  content_outbox_keys('article', a.id), p_changed_at);
    perform content_outbox_append(linked.resource, linked.id, linked.slug, linked.resource || '.updated', false, null,
                                  content_outbox_keys(linked.resource, linked.id), p_changed_at)
    from (select 'person', p.id, p.slug from article_people l join people p on p.id = l.person_id where l.article_id = a.id
          union all
          select 'organisation', o.id, o.slug from article_organisations l join organisations o on o.id = l.organisation_id where l.article_id = a.id
          union all
          select 'event', e.id, e.slug from article_events l join events e on e.id = l.event_id where l.article_id = a.id
          union all
          select 'place', pl.id, pl.slug from article_places l join places pl on pl.id = l.place_id where l.article_id = a.id
          union all
          select 'tag', t.id, t.slug from article_tags l join tags t on t.id = l.tag_id where l.article_id = a.id
          union all
          select 'author', au.id, au.slug from article_authors l join authors au on au.id = l.author_id where l.article_id = a.id
         ) linked (resource, id, slug);
end $$;

create function articles_outbox() returns trigger language plpgsql as $$
declare
    was_public boolean := tg_op <> 'INSERT' and article_is_public(old);
    is_public boolean := tg_op <> 'DELETE' and article_is_public(new);
    is_scheduled boolean := tg_op <> 'DELETE' and new.status = 'published' and new.published_at > now();
    was_announced boolean;
begin
    if tg_op = 'UPDATE' and was_public = is_public and not is_scheduled
       and old.document::text = new.document::text and old.summary_document::text = new.summary_document::text then
        -- Nothing the public sees changed, but the validators moved: an entry this transaction
        -- already wrote carries the ETag a read will answer after it commits.
        if is_public then
            update content_outbox o set etag = 'W/"a' || new.content_version || '"'
            where o.transaction_id = pg_current_xact_id() and o.resource = 'article' and o.resource_id = new.id and not o.deleted;
        end if;
        return null;
    end if;
    if not (was_public or is_public or is_scheduled)
       and not exists (select from content_outbox_scheduled s where s.article_id = old.id) then
        return null; -- a draft stays a draft
    end if;

    perform content_outbox_lock();
    -- An article whose time has come but whose announcement is still waiting was never
    -- announced: this change publishes it.
    delete from content_outbox_scheduled s where s.article_id = coalesce(new.id, old.id);
    was_announced := was_public and not found;
    if is_scheduled then
        insert into content_outbox_scheduled (article_id, visible_at) values (new.id, new.published_at);
    end if;

    if is_public then
        perform content_outbox_article(new, case when was_announced then 'article.updated' else 'article.published' end, false);
    elsif was_announced then
        perform content_outbox_article(coalesce(new, old),
            case when tg_op = 'DELETE' or new.status = 'deleted' then 'article.deleted' else 'article.unpublished' end, true);
    end if;
    return null;
end $$;

create trigger articles_outbox after insert or update or delete on articles
    for each row execute function articles_outbox();

-- Moves the scheduled articles whose time has come into the outbox; returns how many. Cheap
-- when none is due (an index probe, no lock).
create function content_outbox_release_due() returns integer language plpgsql as $$
declare
    released integer := 0;
    due record;
begin
    if not exists (select from content_outbox_scheduled where visible_at <= now()) then
        return 0;
    end if;
    perform content_outbox_lock();
    for due in
        delete from content_outbox_scheduled s where s.visible_at <= now() returning s.article_id, s.visible_at
    loop
        perform content_outbox_article(a, 'article.published', false, due.visible_at)
        from articles a where a.id = due.article_id and article_is_public(a);
        released := released + 1;
    end loop;
    return released;
end $$;

-- A removed link changes the entity's article count when the article is public. (An added
-- link refreshes the article, whose entry names every entity it now links: articles_outbox.)
create function article_link_outbox() returns trigger language plpgsql as $$
declare
    resource text := tg_argv[0];
    entity_id bigint := (to_jsonb(old) ->> tg_argv[1])::bigint;
    entity_slug text;
begin
    if not exists (select from articles a where a.id = old.article_id and article_is_public(a)) then
        return null;
    end if;
    execute format('select slug from %I where id = $1', tg_argv[2]) into entity_slug using entity_id;
    if entity_slug is not null then
        perform content_outbox_append(resource, entity_id, entity_slug, resource || '.updated', false, null,
                                      content_outbox_keys(resource, entity_id));
    end if;
    return null;
end $$;

create trigger article_people_outbox after delete on article_people
    for each row execute function article_link_outbox('person', 'person_id', 'people');
create trigger article_organisations_outbox after delete on article_organisations
    for each row execute function article_link_outbox('organisation', 'organisation_id', 'organisations');
create trigger article_events_outbox after delete on article_events
    for each row execute function article_link_outbox('event', 'event_id', 'events');
create trigger article_places_outbox after delete on article_places
    for each row execute function article_link_outbox('place', 'place_id', 'places');
create trigger article_tags_outbox after delete on article_tags
    for each row execute function article_link_outbox('tag', 'tag_id', 'tags');
create trigger article_authors_outbox after delete on article_authors
    for each row execute function article_link_outbox('author', 'author_id', 'authors');

-- People, organisations, events, places, tags, authors ---------------------------------------

create function entities_outbox() returns trigger language plpgsql as $$
declare
    resource text := tg_argv[0];
begin
    if tg_op = 'DELETE' then
        perform content_outbox_append(resource, old.id, old.slug, resource || '.deleted', true, null, content_outbox_keys(resource, old.id));
    else
        perform content_outbox_append(resource, new.id, new.slug, resource || case tg_op when 'INSERT' then '.created' else '.updated' end,
                                      false, null, content_outbox_keys(resource, new.id));
    end if;
    return null;
end $$;

-- Entity pages show one another: a person's page its organisations, an organisation's page
-- its people, parent and children, an event's page its place. A change to one is an entry for
-- each page that shows it.
create function content_outbox_related(resource text, entity_id bigint) returns void language plpgsql as $$
begin
    perform content_outbox_append(related.resource, related.id, related.slug, related.resource || '.updated', false, null,
                                  content_outbox_keys(related.resource, related.id))
    from (select 'organisation', o.id, o.slug from affiliations af join organisations o on o.id = af.organisation_id
          where resource = 'person' and af.person_id = entity_id
          union
          select 'person', p.id, p.slug from affiliations af join people p on p.id = af.person_id
          where resource = 'organisation' and af.organisation_id = entity_id
          union
          select 'organisation', o.id, o.slug from organisations o
          where resource = 'organisation' and (o.parent_id = entity_id or o.id = (select c.parent_id from organisations c where c.id = entity_id))
          union
          select 'event', e.id, e.slug from events e where resource = 'place' and e.place_id = entity_id
         ) related (resource, id, slug);
end $$;

create function entities_related_outbox() returns trigger language plpgsql as $$
begin
    perform content_outbox_related(tg_argv[0], new.id);
    return null;
end $$;

create trigger people_related_outbox after update on people
    for each row execute function entities_related_outbox('person');
create trigger places_related_outbox after update on places
    for each row execute function entities_related_outbox('place');

-- An organisation's former parent loses it from its children too.
create function organisations_related_outbox() returns trigger language plpgsql as $$
begin
    perform content_outbox_related('organisation', new.id);
    perform content_outbox_append('organisation', o.id, o.slug, 'organisation.updated', false, null, content_outbox_keys('organisation', o.id))
    from organisations o where o.id = old.parent_id and old.parent_id is distinct from new.parent_id;
    return null;
end $$;

create trigger organisations_related_outbox after update on organisations
    for each row execute function organisations_related_outbox();

-- An affiliation shows on the person's page and on the organisation's.
create function affiliations_outbox() returns trigger language plpgsql as $$
begin
    perform content_outbox_append(related.resource, related.id, related.slug, related.resource || '.updated', false, null,
                                  content_outbox_keys(related.resource, related.id))
    from (select 'person', p.id, p.slug from people p where p.id in (old.person_id, new.person_id)
          union all
          select 'organisation', o.id, o.slug from organisations o where o.id in (old.organisation_id, new.organisation_id)
         ) related (resource, id, slug);
    return null;
end $$;

create trigger affiliations_outbox after insert or update or delete on affiliations
    for each row execute function affiliations_outbox();

create trigger people_outbox after insert or update or delete on people
    for each row execute function entities_outbox('person');
create trigger organisations_outbox after insert or update or delete on organisations
    for each row execute function entities_outbox('organisation');
create trigger events_outbox after insert or update or delete on events
    for each row execute function entities_outbox('event');
create trigger places_outbox after insert or update or delete on places
    for each row execute function entities_outbox('place');
create trigger tags_outbox after insert or update or delete on tags
    for each row execute function entities_outbox('tag');
create trigger authors_outbox after insert or update or delete on authors
    for each row execute function entities_outbox('author');

-- Comments: approved ones are public. -------------------------------------------------------

create function comments_outbox() returns trigger language plpgsql as $$
declare
    was_public boolean := tg_op <> 'INSERT' and old.status = 'approved';
    is_public boolean := tg_op <> 'DELETE' and new.status = 'approved';
begin
    if is_public then
        if not was_public or old.public_document::text <> new.public_document::text then
            perform content_outbox_append('comment', new.id, null, case when was_public then 'comment.updated' else 'comment.approved' end,
                                          false, null, content_outbox_keys('comment', new.id, new.article_id));
        end if;
    elsif was_public then
        perform content_outbox_append('comment', old.id, null,
            case when tg_op = 'DELETE' or new.status = 'trash' then 'comment.deleted' else 'comment.unapproved' end,
            true, null, content_outbox_keys('comment', old.id, old.article_id));
    end if;
    return null;
end $$;

create trigger comments_outbox after insert or update or delete on comments
    for each row execute function comments_outbox();

-- Articles already scheduled when this migration runs are announced at their time too.
insert into content_outbox_scheduled (article_id, visible_at)
select id, published_at from articles where status = 'published' and published_at > now();
