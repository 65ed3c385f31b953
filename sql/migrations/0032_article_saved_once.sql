-- An article saved through the API was written twice in its transaction: its row, then its
-- links, then its row again with the linked parts those give (refresh_article_links). The
-- second write was rarely HOT (a new row has no room beside it on its page), so each create
-- left a dead version and put a second entry in every index of the table: the search index's
-- for each of its words, and the date index's at the newest end, which the newest articles'
-- pages read. By hand at 100,000 articles (cache off), after 30 s of `create-article` (5,282
-- articles) the list pages fell from 4,402 to 2,420–2,689 a second (PostgreSQL 190 → 420–464
-- µs a page) until a VACUUM. Now the links are written first and the row once, with them.

-- A new article's links are written before its row: their references to it are checked at the
-- end of article_save (set constraints … deferred there), not as each link is written.
alter table article_events alter constraint article_events_article_id_fkey deferrable initially immediate;
alter table article_people alter constraint article_people_article_id_fkey deferrable initially immediate;
alter table article_organisations alter constraint article_organisations_article_id_fkey deferrable initially immediate;
alter table article_places alter constraint article_places_article_id_fkey deferrable initially immediate;
alter table article_tags alter constraint article_tags_article_id_fkey deferrable initially immediate;
alter table article_authors alter constraint article_authors_article_id_fkey deferrable initially immediate;

-- Sets an article's publication time (article_link_time) on each of its links; a link written
-- before its article took none. The body of migration 0022's trigger function, now called by it
-- and by article_save; plpgsql, so that a session keeps its plans (migration 0028).
create function article_links_follow(p_article_id bigint, p_published timestamptz) returns void language plpgsql as $$
begin
    update article_people set published_at = p_published where article_id = p_article_id and published_at is distinct from p_published;
    update article_organisations set published_at = p_published where article_id = p_article_id and published_at is distinct from p_published;
    update article_events set published_at = p_published where article_id = p_article_id and published_at is distinct from p_published;
    update article_places set published_at = p_published where article_id = p_article_id and published_at is distinct from p_published;
    update article_tags set published_at = p_published where article_id = p_article_id and published_at is distinct from p_published;
    update article_authors set published_at = p_published where article_id = p_article_id and published_at is distinct from p_published;
end $$;

create or replace function articles_links_published_at() returns trigger language plpgsql as $$
begin
    perform article_links_follow(new.id, article_link_time(new));
    return null;
end $$;

-- Replaces article_save of migration 0009: the same outcomes and checks, the links before the row.
create or replace function article_save(p_current_slug text, p_expected_version int, p_document jsonb, p_key_name text,
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
    linked record;
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

    -- The links first, then the article's row once, with the linked parts they give: written
    -- before its links, a new article's row was written again for them, a second version with
    -- entries in every index (the search index's for each of its words) and a dead one behind.
    -- A new article's links name an id its row takes at the end of this: their references to it
    -- are checked then.
    if current.id is null then
        article_id := nextval(pg_get_serial_sequence('articles', 'id'));
        set constraints article_events_article_id_fkey, article_people_article_id_fkey, article_organisations_article_id_fkey,
            article_places_article_id_fkey, article_tags_article_id_fkey, article_authors_article_id_fkey deferred;
    else
        article_id := current.id;
    end if;
    perform set_config('contentapi.defer_touch', 'on', true);
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
    select p.event, p.people, p.organisations, p.places, p.tags, article_authors_json(article_save.article_id) as authors
    into linked from article_linked_parts(article_save.article_id) p;

    if current.id is null then
        insert into articles (id, slug, title, summary, body, language, status, published_at,
                              coverage_start, coverage_end, comments_open, image,
                              linked_event, linked_people, linked_organisations, linked_places, linked_tags, linked_authors)
        overriding system value
        values (article_id, slug, p_document ->> 'title', coalesce(p_document ->> 'summary', ''), coalesce(p_document -> 'body', '[]'),
                coalesce(p_document ->> 'language', 'en'), links_status, published,
                (p_document ->> 'coverageStart')::date, (p_document ->> 'coverageEnd')::date,
                coalesce((p_document ->> 'commentsOpen')::boolean, true), nullif(p_document -> 'image', 'null'),
                linked.event, linked.people, linked.organisations, linked.places, linked.tags, linked.authors);
        set constraints article_events_article_id_fkey, article_people_article_id_fkey, article_organisations_article_id_fkey,
            article_places_article_id_fkey, article_tags_article_id_fkey, article_authors_article_id_fkey immediate;
        -- The links were written before their article: they take its publication time now.
        perform article_links_follow(a.id, article_link_time(a)) from articles a where a.id = article_save.article_id;
        outcome := 'Created';
    else
        update articles a set
            slug = article_save.slug, title = p_document ->> 'title', summary = coalesce(p_document ->> 'summary', ''),
            body = coalesce(p_document -> 'body', '[]'), language = coalesce(p_document ->> 'language', 'en'),
            status = links_status, published_at = published,
            coverage_start = (p_document ->> 'coverageStart')::date, coverage_end = (p_document ->> 'coverageEnd')::date,
            comments_open = coalesce((p_document ->> 'commentsOpen')::boolean, true), image = nullif(p_document -> 'image', 'null'),
            (linked_event, linked_people, linked_organisations, linked_places, linked_tags, linked_authors) =
                (linked.event, linked.people, linked.organisations, linked.places, linked.tags, linked.authors),
            row_version = a.row_version + 1, updated_at = now()
        where a.id = current.id;
        if current.slug <> article_save.slug then
            insert into article_slugs (slug, article_id) values (current.slug, current.id)
            on conflict on constraint article_slugs_pkey do update set article_id = excluded.article_id, created_at = now();
            delete from article_slugs s where s.slug = article_save.slug;
        end if;
        outcome := 'Saved';
    end if;

    insert into article_revisions (article_id, number, document, key_name)
    select article_save.article_id, coalesce(max(r.number), 0) + 1,
           (p_document - 'derivedSlug') || jsonb_build_object('slug', article_save.slug), p_key_name
    from article_revisions r where r.article_id = article_save.article_id;

    select a.row_version, a.document::text into version, detail from articles a where a.id = article_save.article_id;
end $$;
