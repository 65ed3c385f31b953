-- The editorial write side: bylines, lead images, lifecycle facts kept as rows (first
-- publication, revisions, slug history, tombstones), entity versions for If-Match, and one
-- function per write that does all of it in one transaction.

-- Bylines --------------------------------------------------------------------------------

create table authors (
    id         bigint generated always as identity primary key,
    slug       slug not null unique,
    name       text not null check (length(name) between 1 and 300),
    bio        text check (length(bio) <= 5000),
    url        text check (length(url) <= 500),
    image_url  text check (length(image_url) <= 500),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index authors_name_idx on authors (name, id);

create table article_authors (
    article_id bigint not null references articles (id) on delete cascade,
    author_id  bigint not null references authors (id) on delete restrict,
    position   smallint not null default 0,
    primary key (article_id, author_id)
);
create index article_authors_author_id_idx on article_authors (author_id);

-- Versions for If-Match: every entity row counts its changes (articles have row_version).
alter table people add column version integer not null default 1;
alter table organisations add column version integer not null default 1;
alter table events add column version integer not null default 1;
alter table places add column version integer not null default 1;
alter table tags add column version integer not null default 1;
alter table authors add column version integer not null default 1;

-- Replaces entities_before_update of migration 0001, which only moved updated_at.
create or replace function entities_before_update() returns trigger language plpgsql as $$
begin
    new.updated_at := now();
    new.version := old.version + 1;
    return new;
end $$;

create trigger authors_before_update before update on authors
    for each row execute function entities_before_update();

create function authors_after_change() returns trigger language plpgsql as $$
begin
    perform touch_articles(array(select article_id from article_authors where author_id = old.id));
    return null;
end $$;

create trigger authors_after_update after update on authors
    for each row when (old.* is distinct from new.*) execute function authors_after_change();
create trigger article_authors_after_change after insert or update or delete on article_authors
    for each row execute function article_link_after_change();
create trigger authors_content_changed after insert or update or delete or truncate on authors
    for each statement execute function content_changed();

-- Articles: lead image, first publication, the tombstone status, the byline part.
alter table articles
    add column image jsonb check (image is null or jsonb_typeof(image) = 'object'),
    add column first_published_at timestamptz,
    add column linked_authors json not null default '[]';
alter table articles drop constraint articles_status_check;
alter table articles add constraint articles_status_check check (status in ('draft', 'published', 'archived', 'deleted'));
update articles set first_published_at = published_at where status = 'published';

-- The first publication is a fact set once: when an article is first saved as published (by
-- the API, by SQL or by a bulk load), and never moved by later edits. Named to run before
-- articles_document (triggers fire in name order), which renders it.
create function articles_first_published() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' and old.first_published_at is not null then
        new.first_published_at := old.first_published_at;
    elsif new.first_published_at is null and new.status = 'published' then
        new.first_published_at := new.published_at;
    end if;
    return new;
end $$;

create trigger articles_before_document_first_published before insert or update on articles
    for each row execute function articles_first_published();
alter table articles enable always trigger articles_before_document_first_published;

-- The old slugs of renamed articles: each answers 301 to the article's current slug (one hop,
-- whatever the chain of renames).
create table article_slugs (
    slug       slug primary key,
    article_id bigint not null references articles (id) on delete cascade,
    created_at timestamptz not null default now()
);
create index article_slugs_article_id_idx on article_slugs (article_id);

-- Every write of an article: the document as written, by which key, when.
create table article_revisions (
    article_id bigint not null references articles (id) on delete cascade,
    number     integer not null check (number >= 1),
    document   jsonb not null,
    key_name   text not null,
    created_at timestamptz not null default now(),
    primary key (article_id, number)
);

-- Secret that signs draft preview links, shared by every instance.
insert into app_secrets (name, value)
values ('preview-signing-key', sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')));

-- Shapes ----------------------------------------------------------------------------------

-- ArticleAuthor: a byline as articles embed it.
create function article_author_json(au authors) returns json
    language sql stable parallel safe
    return json_build_object('slug', au.slug, 'name', au.name, 'url', au.url);

create function article_authors_json(article_id bigint) returns json language sql stable parallel safe as $$
    select coalesce(json_agg(article_author_json(au) order by l.position, au.id), '[]')
    from article_authors l join authors au on au.id = l.author_id
    where l.article_id = article_authors_json.article_id
$$;

-- Replaces refresh_article_links of migration 0005: the byline part too.
create or replace function refresh_article_links(article_ids bigint[]) returns void language sql as $$
    update articles a set
        (linked_event, linked_people, linked_organisations, linked_places, linked_tags, linked_authors) =
        (select parts.event, parts.people, parts.organisations, parts.places, parts.tags, article_authors_json(a.id)
         from article_linked_parts(a.id) parts)
    where a.id = any (article_ids);
$$;

-- Replaces touch_articles of migration 0005. A write that changes many links of one article
-- defers the refresh (contentapi.defer_touch, transaction-local) and refreshes once at the end.
create or replace function touch_articles(article_ids bigint[]) returns void language plpgsql as $$
begin
    if coalesce(current_setting('contentapi.defer_touch', true), '') <> 'on' then
        perform refresh_article_links(article_ids);
    end if;
end $$;

-- ArticleSummary, now with bylines and the lead image. Replaces the definition of 0007.
create or replace function article_summary_json(a articles) returns json
    language sql stable parallel safe
    return json_build_object(
        'id', a.id, 'slug', a.slug, 'title', a.title, 'summary', a.summary, 'language', a.language,
        'publishedAt', api_timestamp(a.published_at), 'updatedAt', api_timestamp(a.updated_at),
        'commentCount', a.comment_count, 'authors', a.linked_authors, 'image', a.image);

-- ArticleDetail, now with bylines, the lead image and the first publication. Replaces 0007's.
create or replace function article_json(a articles) returns json
    language sql stable parallel safe
    return json_build_object(
        'id', a.id,
        'slug', a.slug,
        'title', a.title,
        'summary', a.summary,
        'language', a.language,
        'status', a.status,
        'image', a.image,
        'body', a.body,
        'authors', a.linked_authors,
        'commentsOpen', a.comments_open,
        'commentCount', a.comment_count,
        'metadata', json_build_object(
            'event', a.linked_event,
            'dates', json_build_object(
                'published', api_timestamp(a.published_at),
                'firstPublished', api_timestamp(a.first_published_at),
                'modified', api_timestamp(a.updated_at),
                'coverageStart', a.coverage_start,
                'coverageEnd', a.coverage_end),
            'people', a.linked_people,
            'organisations', a.linked_organisations,
            'places', a.linked_places,
            'tags', a.linked_tags));

-- ArticleWrite: the article as an editor writes it (metadata by reference), for PATCH and
-- revisions.
create function article_write_json(a articles) returns jsonb language sql stable parallel safe as $$
    select jsonb_build_object(
        'title', a.title, 'slug', a.slug, 'summary', a.summary, 'language', a.language,
        'status', a.status, 'publishedAt', api_timestamp(a.published_at), 'commentsOpen', a.comments_open,
        'coverageStart', a.coverage_start, 'coverageEnd', a.coverage_end, 'image', a.image, 'body', a.body,
        'event', (select e.slug from article_events l join events e on e.id = l.event_id where l.article_id = a.id),
        'people', coalesce((select jsonb_agg(jsonb_build_object('slug', p.slug, 'role', l.role) order by l.position, p.id)
                            from article_people l join people p on p.id = l.person_id where l.article_id = a.id), '[]'),
        'organisations', coalesce((select jsonb_agg(jsonb_build_object('slug', o.slug, 'role', l.role) order by l.position, o.id)
                                   from article_organisations l join organisations o on o.id = l.organisation_id where l.article_id = a.id), '[]'),
        'places', coalesce((select jsonb_agg(pl.slug order by l.position, pl.id)
                            from article_places l join places pl on pl.id = l.place_id where l.article_id = a.id), '[]'),
        'tags', coalesce((select jsonb_agg(t.slug order by l.position, t.id)
                          from article_tags l join tags t on t.id = l.tag_id where l.article_id = a.id), '[]'),
        'authors', coalesce((select jsonb_agg(au.slug order by l.position, au.id)
                             from article_authors l join authors au on au.id = l.author_id where l.article_id = a.id), '[]'))
$$;

-- AuthorSummary and AuthorDetail.
create function article_count(au authors) returns int language sql stable parallel safe as $$
    select count(*)::int from article_authors l join articles a on a.id = l.article_id
    where l.author_id = au.id and article_is_public(a)
$$;

create function latest_articles_json(au authors) returns json language sql stable parallel safe as $$
    select coalesce(json_agg(latest.item order by latest.published_at desc, latest.id desc), '[]')
    from (select a.summary_document as item, a.published_at, a.id
          from article_authors l join articles a on a.id = l.article_id
          where l.author_id = au.id and article_is_public(a)
          order by a.published_at desc, a.id desc limit 5) latest
$$;

create function author_summary_json(au authors) returns json
    language sql stable parallel safe
    return json_build_object('id', au.id, 'slug', au.slug, 'name', au.name, 'url', au.url, 'image', au.image_url,
                             'articleCount', article_count(au));

create function author_json(au authors) returns json
    language sql stable parallel safe
    return json_build_object('id', au.id, 'slug', au.slug, 'name', au.name, 'bio', au.bio, 'url', au.url, 'image', au.image_url,
                             'articleCount', article_count(au), 'latestArticles', latest_articles_json(au));

-- Re-render every stored article in the new shapes.
select refresh_article_links(array(select id from articles));

-- Writes ----------------------------------------------------------------------------------

-- Creates (p_current_slug null) or replaces an article from its write document, with its links
-- and a revision, in one transaction. Outcomes: Created | Saved | NotFound | Gone | Stale |
-- SlugTaken | SlugRedirects | UnknownReferences (detail: {path: message} as JSON).
create function article_save(p_current_slug text, p_expected_version int, p_document jsonb, p_key_name text,
    out outcome text, out article_id bigint, out slug text, out version int, out detail text)
    language plpgsql as $$
declare
    current articles;
    wanted text := p_document ->> 'slug';
    derived text := p_document ->> 'derivedSlug';
    unknown jsonb;
    links_status text := p_document ->> 'status';
    published timestamptz := (p_document ->> 'publishedAt')::timestamptz;
    suffix int := 1;
begin
    if p_current_slug is not null then
        select * into current from articles a where a.slug = p_current_slug for update;
        if not found then
            outcome := 'NotFound';
            return;
        elsif current.status = 'deleted' then
            outcome := 'Gone';
            return;
        elsif p_expected_version is not null and current.row_version <> p_expected_version then
            outcome := 'Stale';
            version := current.row_version;
            return;
        end if;
    end if;

    -- Every reference must exist; all unknown ones are named at once, by path.
    select jsonb_object_agg(r.path, format('No %s has the slug ''%s''.', r.noun, r.slug)) into unknown
    from (
        select 'event' as path, 'event' as noun, p_document ->> 'event' as slug
        where p_document ->> 'event' is not null
          and not exists (select 1 from events e where e.slug = p_document ->> 'event')
        union all
        select format('people[%s].slug', i.ordinality - 1), 'person', i.item ->> 'slug'
        from jsonb_array_elements(coalesce(p_document -> 'people', '[]')) with ordinality i(item)
        where not exists (select 1 from people p where p.slug = i.item ->> 'slug')
        union all
        select format('organisations[%s].slug', i.ordinality - 1), 'organisation', i.item ->> 'slug'
        from jsonb_array_elements(coalesce(p_document -> 'organisations', '[]')) with ordinality i(item)
        where not exists (select 1 from organisations o where o.slug = i.item ->> 'slug')
        union all
        select format('places[%s]', i.ordinality - 1), 'place', i.slug
        from jsonb_array_elements_text(coalesce(p_document -> 'places', '[]')) with ordinality i(slug)
        where not exists (select 1 from places pl where pl.slug = i.slug)
        union all
        select format('tags[%s]', i.ordinality - 1), 'tag', i.slug
        from jsonb_array_elements_text(coalesce(p_document -> 'tags', '[]')) with ordinality i(slug)
        where not exists (select 1 from tags t where t.slug = i.slug)
        union all
        select format('authors[%s]', i.ordinality - 1), 'author', i.slug
        from jsonb_array_elements_text(coalesce(p_document -> 'authors', '[]')) with ordinality i(slug)
        where not exists (select 1 from authors au where au.slug = i.slug)
        union all
        select format('body[%s].person', b.ordinality - 1), 'person', b.block ->> 'person'
        from jsonb_array_elements(coalesce(p_document -> 'body', '[]')) with ordinality b(block)
        where b.block ->> 'person' is not null and not exists (select 1 from people p where p.slug = b.block ->> 'person')
    ) r;
    if unknown is not null then
        outcome := 'UnknownReferences';
        detail := unknown::text;
        return;
    end if;

    -- The slug: as given (it must be free), or derived from the title and made unique.
    if wanted is null and current.id is not null and derived is null then
        wanted := current.slug;
    end if;
    if wanted is not null then
        if exists (select 1 from articles a where a.slug = wanted and a.id is distinct from current.id) then
            outcome := 'SlugTaken';
            detail := wanted;
            return;
        elsif exists (select 1 from article_slugs s where s.slug = wanted and s.article_id is distinct from current.id) then
            outcome := 'SlugRedirects';
            detail := wanted;
            return;
        end if;
        slug := wanted;
    else
        slug := derived;
        while exists (select 1 from articles a where a.slug = article_save.slug and a.id is distinct from current.id)
              or exists (select 1 from article_slugs s where s.slug = article_save.slug and s.article_id is distinct from current.id) loop
            suffix := suffix + 1;
            slug := left(derived, 200 - length(suffix::text) - 1) || '-' || suffix;
        end loop;
    end if;

    if links_status = 'published' and published is null then
        published := now();
    end if;

    -- Links change below: the article is refreshed once, at the end.
    perform set_config('contentapi.defer_touch', 'on', true);
    if current.id is null then
        insert into articles (slug, title, summary, body, language, status, published_at,
                              coverage_start, coverage_end, comments_open, image)
        values (slug, p_document ->> 'title', coalesce(p_document ->> 'summary', ''), coalesce(p_document -> 'body', '[]'),
                coalesce(p_document ->> 'language', 'en'), links_status, published,
                (p_document ->> 'coverageStart')::date, (p_document ->> 'coverageEnd')::date,
                coalesce((p_document ->> 'commentsOpen')::boolean, true), nullif(p_document -> 'image', 'null'))
        returning id into article_id;
        outcome := 'Created';
    else
        article_id := current.id;
        update articles a set
            slug = article_save.slug, title = p_document ->> 'title', summary = coalesce(p_document ->> 'summary', ''),
            body = coalesce(p_document -> 'body', '[]'), language = coalesce(p_document ->> 'language', 'en'),
            status = links_status, published_at = published,
            coverage_start = (p_document ->> 'coverageStart')::date, coverage_end = (p_document ->> 'coverageEnd')::date,
            comments_open = coalesce((p_document ->> 'commentsOpen')::boolean, true), image = nullif(p_document -> 'image', 'null'),
            row_version = a.row_version + 1, updated_at = now()
        where a.id = current.id;
        if current.slug <> article_save.slug then
            insert into article_slugs (slug, article_id) values (current.slug, current.id)
            on conflict on constraint article_slugs_pkey do update set article_id = excluded.article_id, created_at = now();
            delete from article_slugs s where s.slug = article_save.slug;
        end if;
        outcome := 'Saved';
    end if;

    delete from article_events l where l.article_id = article_save.article_id;
    insert into article_events (article_id, event_id)
    select article_save.article_id, e.id from events e where e.slug = p_document ->> 'event';
    delete from article_people l where l.article_id = article_save.article_id;
    insert into article_people (article_id, person_id, role, position)
    select article_save.article_id, p.id, coalesce(i.item ->> 'role', 'mentioned'), i.ordinality - 1
    from jsonb_array_elements(coalesce(p_document -> 'people', '[]')) with ordinality i(item)
    join people p on p.slug = i.item ->> 'slug';
    delete from article_organisations l where l.article_id = article_save.article_id;
    insert into article_organisations (article_id, organisation_id, role, position)
    select article_save.article_id, o.id, coalesce(i.item ->> 'role', 'mentioned'), i.ordinality - 1
    from jsonb_array_elements(coalesce(p_document -> 'organisations', '[]')) with ordinality i(item)
    join organisations o on o.slug = i.item ->> 'slug';
    delete from article_places l where l.article_id = article_save.article_id;
    insert into article_places (article_id, place_id, position)
    select article_save.article_id, pl.id, i.ordinality - 1
    from jsonb_array_elements_text(coalesce(p_document -> 'places', '[]')) with ordinality i(slug)
    join places pl on pl.slug = i.slug;
    delete from article_tags l where l.article_id = article_save.article_id;
    insert into article_tags (article_id, tag_id, position)
    select article_save.article_id, t.id, i.ordinality - 1
    from jsonb_array_elements_text(coalesce(p_document -> 'tags', '[]')) with ordinality i(slug)
    join tags t on t.slug = i.slug;
    delete from article_authors l where l.article_id = article_save.article_id;
    insert into article_authors (article_id, author_id, position)
    select article_save.article_id, au.id, i.ordinality - 1
    from jsonb_array_elements_text(coalesce(p_document -> 'authors', '[]')) with ordinality i(slug)
    join authors au on au.slug = i.slug;
    perform set_config('contentapi.defer_touch', 'off', true);
    perform refresh_article_links(array[article_id]);

    insert into article_revisions (article_id, number, document, key_name)
    select article_save.article_id, coalesce(max(r.number), 0) + 1,
           (p_document - 'derivedSlug') || jsonb_build_object('slug', article_save.slug), p_key_name
    from article_revisions r where r.article_id = article_save.article_id;

    select a.row_version, a.document::text into version, detail from articles a where a.id = article_save.article_id;
end $$;

-- Takes an article down: it stays as a tombstone (410 Gone publicly), its links and comments
-- out of public view with it. Outcomes: Deleted | NotFound | Gone | Stale.
create function article_delete(p_slug text, p_expected_version int, out outcome text, out version int)
    language plpgsql as $$
declare
    current articles;
begin
    select * into current from articles a where a.slug = p_slug for update;
    if not found then
        outcome := 'NotFound';
    elsif current.status = 'deleted' then
        outcome := 'Gone';
    elsif p_expected_version is not null and current.row_version <> p_expected_version then
        outcome := 'Stale';
        version := current.row_version;
    else
        update articles a set status = 'deleted', row_version = a.row_version + 1, updated_at = now()
        where a.id = current.id;
        outcome := 'Deleted';
    end if;
end $$;

-- Where an article that is not at this slug now is: its current slug (301) or a tombstone (410).
create function article_slug_lookup(p_slug text, out current_slug text, out gone boolean)
    language sql stable as $$
    select coalesce(
               (select a.slug from article_slugs s join articles a on a.id = s.article_id
                where s.slug = p_slug and a.status <> 'deleted'),
               null),
           exists (select 1 from articles a where a.slug = p_slug and a.status = 'deleted')
           or exists (select 1 from article_slugs s join articles a on a.id = s.article_id
                      where s.slug = p_slug and a.status = 'deleted')
$$;

-- People, organisations, events, places, tags and authors -------------------------------
-- Each has a write document (its fields, references by slug), a *_write_json that renders it
-- (the base of a merge patch), and a *_save that creates or replaces it. Outcomes as for
-- articles; a saved entity moves the validators of the articles that embed it (triggers).

-- What every entity save starts with: the row to replace, locked (NotFound, Stale), and the
-- slug to save it under: as given (SlugTaken when another has it), kept on a replace, or
-- derived from the name (derivedSlug) and made unique.
create function entity_prepare(p_table text, p_current_slug text, p_expected_version int, p_document jsonb,
    out outcome text, out entity_id bigint, out version int, out slug text) language plpgsql as $$
declare
    derived text := p_document ->> 'derivedSlug';
    taken boolean;
    suffix int := 1;
begin
    if p_current_slug is not null then
        execute format('select id, version from %I where slug = $1 for update', p_table) into entity_id, version using p_current_slug;
        if entity_id is null then
            outcome := 'NotFound';
            return;
        elsif p_expected_version is not null and version <> p_expected_version then
            outcome := 'Stale';
            return;
        end if;
    end if;

    slug := coalesce(p_document ->> 'slug', p_current_slug);
    if slug is not null then
        execute format('select exists (select 1 from %I where slug = $1 and id is distinct from $2)', p_table)
            into taken using slug, entity_id;
        if taken then
            outcome := 'SlugTaken';
        end if;
        return;
    end if;
    slug := derived;
    loop
        execute format('select exists (select 1 from %I where slug = $1 and id is distinct from $2)', p_table)
            into taken using slug, entity_id;
        exit when not taken;
        suffix := suffix + 1;
        slug := left(derived, 200 - length(suffix::text) - 1) || '-' || suffix;
    end loop;
end $$;

create function person_write_json(p people) returns jsonb language sql stable as $$
    select jsonb_build_object('name', p.name, 'slug', p.slug, 'description', p.description,
        'affiliations', coalesce((select jsonb_agg(jsonb_build_object('organisation', o.slug, 'title', af.title,
                                                                      'from', af.valid_from, 'to', af.valid_to) order by af.position, af.id)
                                  from affiliations af join organisations o on o.id = af.organisation_id where af.person_id = p.id), '[]'))
$$;

create function organisation_write_json(o organisations) returns jsonb language sql stable as $$
    select jsonb_build_object('name', o.name, 'slug', o.slug, 'acronym', o.acronym, 'kind', o.kind, 'country', o.country,
        'description', o.description, 'parent', (select parent.slug from organisations parent where parent.id = o.parent_id))
$$;

create function event_write_json(e events) returns jsonb language sql stable as $$
    select jsonb_build_object('name', e.name, 'slug', e.slug, 'description', e.description, 'startDate', e.start_date,
        'endDate', e.end_date, 'venue', e.venue, 'city', e.city, 'country', e.country,
        'place', (select pl.slug from places pl where pl.id = e.place_id))
$$;

create function place_write_json(pl places) returns jsonb language sql stable as $$
    select jsonb_build_object('name', pl.name, 'slug', pl.slug, 'kind', pl.kind, 'country', pl.country)
$$;

create function tag_write_json(t tags) returns jsonb language sql stable as $$
    select jsonb_build_object('name', t.name, 'slug', t.slug, 'description', t.description)
$$;

create function author_write_json(au authors) returns jsonb language sql stable as $$
    select jsonb_build_object('name', au.name, 'slug', au.slug, 'bio', au.bio, 'url', au.url, 'image', au.image_url)
$$;

-- The common result of the entity saves.
create type entity_write_result as (outcome text, slug text, version int, detail text);

create function person_save(p_current_slug text, p_expected_version int, p_document jsonb)
    returns entity_write_result language plpgsql as $$
declare
    prep record;
    unknown jsonb;
    saved people;
begin
    prep := entity_prepare('people', p_current_slug, p_expected_version, p_document);
    if prep.outcome is not null then
        return (prep.outcome, null::text, prep.version, prep.slug);
    end if;
    select jsonb_object_agg(format('affiliations[%s].organisation', a.ordinality - 1), format('No organisation has the slug ''%s''.', a.item ->> 'organisation'))
    into unknown
    from jsonb_array_elements(coalesce(p_document -> 'affiliations', '[]')) with ordinality a(item)
    where not exists (select 1 from organisations o where o.slug = a.item ->> 'organisation');
    if unknown is not null then
        return ('UnknownReferences'::text, null::text, null::int, unknown::text);
    end if;

    if prep.entity_id is null then
        insert into people (slug, name, description) values (prep.slug, p_document ->> 'name', p_document ->> 'description')
        returning * into saved;
    else
        update people set slug = prep.slug, name = p_document ->> 'name', description = p_document ->> 'description'
        where id = prep.entity_id returning * into saved;
        delete from affiliations where person_id = saved.id;
    end if;
    insert into affiliations (person_id, organisation_id, title, valid_from, valid_to, position)
    select saved.id, o.id, a.item ->> 'title', (a.item ->> 'from')::date, (a.item ->> 'to')::date, a.ordinality - 1
    from jsonb_array_elements(coalesce(p_document -> 'affiliations', '[]')) with ordinality a(item)
    join organisations o on o.slug = a.item ->> 'organisation';
    select * into saved from people where id = saved.id;
    return ((case when prep.entity_id is null then 'Created' else 'Saved' end)::text, saved.slug::text, saved.version, person_json(saved)::text);
end $$;

create function organisation_save(p_current_slug text, p_expected_version int, p_document jsonb)
    returns entity_write_result language plpgsql as $$
declare
    prep record;
    new_parent_id bigint;
    saved organisations;
begin
    prep := entity_prepare('organisations', p_current_slug, p_expected_version, p_document);
    if prep.outcome is not null then
        return (prep.outcome, null::text, prep.version, prep.slug);
    end if;
    if p_document ->> 'parent' is not null then
        select o.id into new_parent_id from organisations o where o.slug = p_document ->> 'parent';
        if new_parent_id is null then
            return ('UnknownReferences'::text, null::text, null::int, jsonb_build_object('parent', format('No organisation has the slug ''%s''.', p_document ->> 'parent'))::text);
        end if;
        -- An organisation cannot belong to itself or to one that belongs to it.
        if prep.entity_id is not null and exists (
            with recursive ancestors as (
                select o.id, o.parent_id from organisations o where o.id = new_parent_id
                union
                select o.id, o.parent_id from organisations o join ancestors a on o.id = a.parent_id)
            select 1 from ancestors a where a.id = prep.entity_id) then
            return ('UnknownReferences'::text, null::text, null::int,
                    jsonb_build_object('parent', format('''%s'' belongs to this organisation: an organisation cannot be its own ancestor.', p_document ->> 'parent'))::text);
        end if;
    end if;

    if prep.entity_id is null then
        insert into organisations (slug, name, acronym, kind, country, description, parent_id)
        values (prep.slug, p_document ->> 'name', p_document ->> 'acronym', coalesce(p_document ->> 'kind', 'other'),
                p_document ->> 'country', p_document ->> 'description', new_parent_id)
        returning * into saved;
    else
        update organisations o set slug = prep.slug, name = p_document ->> 'name', acronym = p_document ->> 'acronym',
            kind = coalesce(p_document ->> 'kind', 'other'), country = p_document ->> 'country',
            description = p_document ->> 'description', parent_id = new_parent_id
        where o.id = prep.entity_id returning * into saved;
    end if;
    return ((case when prep.entity_id is null then 'Created' else 'Saved' end)::text, saved.slug::text, saved.version, organisation_json(saved)::text);
end $$;

create function event_save(p_current_slug text, p_expected_version int, p_document jsonb)
    returns entity_write_result language plpgsql as $$
declare
    prep record;
    new_place_id bigint;
    saved events;
begin
    prep := entity_prepare('events', p_current_slug, p_expected_version, p_document);
    if prep.outcome is not null then
        return (prep.outcome, null::text, prep.version, prep.slug);
    end if;
    if p_document ->> 'place' is not null then
        select pl.id into new_place_id from places pl where pl.slug = p_document ->> 'place';
        if new_place_id is null then
            return ('UnknownReferences'::text, null::text, null::int, jsonb_build_object('place', format('No place has the slug ''%s''.', p_document ->> 'place'))::text);
        end if;
    end if;

    if prep.entity_id is null then
        insert into events (slug, name, description, start_date, end_date, venue, city, country, place_id)
        values (prep.slug, p_document ->> 'name', p_document ->> 'description', (p_document ->> 'startDate')::date,
                (p_document ->> 'endDate')::date, p_document ->> 'venue', p_document ->> 'city', p_document ->> 'country', new_place_id)
        returning * into saved;
    else
        update events e set slug = prep.slug, name = p_document ->> 'name', description = p_document ->> 'description',
            start_date = (p_document ->> 'startDate')::date, end_date = (p_document ->> 'endDate')::date,
            venue = p_document ->> 'venue', city = p_document ->> 'city', country = p_document ->> 'country', place_id = new_place_id
        where e.id = prep.entity_id returning * into saved;
    end if;
    return ((case when prep.entity_id is null then 'Created' else 'Saved' end)::text, saved.slug::text, saved.version, event_json(saved)::text);
end $$;

create function place_save(p_current_slug text, p_expected_version int, p_document jsonb)
    returns entity_write_result language plpgsql as $$
declare
    prep record;
    saved places;
begin
    prep := entity_prepare('places', p_current_slug, p_expected_version, p_document);
    if prep.outcome is not null then
        return (prep.outcome, null::text, prep.version, prep.slug);
    end if;
    if prep.entity_id is null then
        insert into places (slug, name, kind, country)
        values (prep.slug, p_document ->> 'name', coalesce(p_document ->> 'kind', 'city'), p_document ->> 'country')
        returning * into saved;
    else
        update places pl set slug = prep.slug, name = p_document ->> 'name', kind = coalesce(p_document ->> 'kind', 'city'),
            country = p_document ->> 'country'
        where pl.id = prep.entity_id returning * into saved;
    end if;
    return ((case when prep.entity_id is null then 'Created' else 'Saved' end)::text, saved.slug::text, saved.version, place_json(saved)::text);
end $$;

create function tag_save(p_current_slug text, p_expected_version int, p_document jsonb)
    returns entity_write_result language plpgsql as $$
declare
    prep record;
    saved tags;
begin
    prep := entity_prepare('tags', p_current_slug, p_expected_version, p_document);
    if prep.outcome is not null then
        return (prep.outcome, null::text, prep.version, prep.slug);
    end if;
    if prep.entity_id is null then
        insert into tags (slug, name, description) values (prep.slug, p_document ->> 'name', p_document ->> 'description')
        returning * into saved;
    else
        update tags t set slug = prep.slug, name = p_document ->> 'name', description = p_document ->> 'description'
        where t.id = prep.entity_id returning * into saved;
    end if;
    return ((case when prep.entity_id is null then 'Created' else 'Saved' end)::text, saved.slug::text, saved.version, tag_json(saved)::text);
end $$;

create function author_save(p_current_slug text, p_expected_version int, p_document jsonb)
    returns entity_write_result language plpgsql as $$
declare
    prep record;
    saved authors;
begin
    prep := entity_prepare('authors', p_current_slug, p_expected_version, p_document);
    if prep.outcome is not null then
        return (prep.outcome, null::text, prep.version, prep.slug);
    end if;
    if prep.entity_id is null then
        insert into authors (slug, name, bio, url, image_url)
        values (prep.slug, p_document ->> 'name', p_document ->> 'bio', p_document ->> 'url', p_document ->> 'image')
        returning * into saved;
    else
        update authors au set slug = prep.slug, name = p_document ->> 'name', bio = p_document ->> 'bio',
            url = p_document ->> 'url', image_url = p_document ->> 'image'
        where au.id = prep.entity_id returning * into saved;
    end if;
    return ((case when prep.entity_id is null then 'Created' else 'Saved' end)::text, saved.slug::text, saved.version, author_json(saved)::text);
end $$;

-- Deletes an entity. While articles use it, it stays (Referenced, with how many) unless
-- p_detach, which removes those links (and a person's affiliations) in the same transaction.
create function entity_delete(p_table text, p_slug text, p_expected_version int, p_detach boolean,
    out outcome text, out version int, out article_count int) language plpgsql as $$
declare
    cur_id bigint;
    link_table text := case p_table when 'people' then 'article_people' when 'organisations' then 'article_organisations'
                                    when 'events' then 'article_events' when 'places' then 'article_places'
                                    when 'tags' then 'article_tags' when 'authors' then 'article_authors' end;
    link_column text := case p_table when 'people' then 'person_id' when 'organisations' then 'organisation_id'
                                     when 'events' then 'event_id' when 'places' then 'place_id'
                                     when 'tags' then 'tag_id' when 'authors' then 'author_id' end;
begin
    select c.outcome, c.entity_id, c.version into outcome, cur_id, version
    from entity_prepare(p_table, p_slug, p_expected_version, jsonb_build_object('slug', p_slug)) c;
    if outcome is not null then
        return;
    end if;
    execute format('select count(distinct article_id)::int from %I where %I = $1', link_table, link_column)
        into article_count using cur_id;
    if p_table = 'organisations' then
        -- people's positions in it count too: they name it
        article_count := article_count + (select count(*)::int from affiliations where organisation_id = cur_id);
    end if;
    if article_count > 0 and not p_detach then
        outcome := 'Referenced';
        return;
    end if;
    execute format('delete from %I where %I = $1', link_table, link_column) using cur_id;
    if p_table = 'organisations' then
        delete from affiliations where organisation_id = cur_id;
    end if;
    execute format('delete from %I where id = $1', p_table) using cur_id;
    outcome := 'Deleted';
end $$;
