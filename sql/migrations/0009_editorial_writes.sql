-- The editorial writes: one function per write that does all of it in one transaction (the
-- row, its links, its revision), and answers an outcome instead of raising for what a client
-- can cause (unknown references, slug conflicts, stale versions).

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
