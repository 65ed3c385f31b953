-- One home for each public JSON shape.
--
-- Every shape the API serves (the records of src/ContentApi/*/…Contracts.cs) is rendered by
-- exactly one function below, and every query, trigger and other shape that needs it calls
-- that function. The contract tests hold each function's output to its C# record, member
-- for member. Until this migration the entity shapes were spelled in C# strings and the
-- comment shapes in three places; the functions of earlier migrations that this one replaces
-- or renames say so where they are defined.

-- Public visibility of an article: published, and its publication time has come (a
-- published article with a future publishedAt is scheduled). Inlined by the planner.
create function article_is_public(a articles) returns boolean
    language sql stable parallel safe
    return a.status = 'published' and a.published_at <= now();

-- The list and entity validators (content_changes, migration 0002) with the newest visible
-- publication time, which moves when a scheduled article appears without any write.
-- Declared as a table function so that the planner inlines it into the statements that
-- read it with their page.
create function content_watermark() returns table (version bigint, changed_at timestamptz, visible_until timestamptz)
    language sql stable parallel safe
as $$
    select c.version, c.changed_at,
           (select a.published_at from articles a
            where article_is_public(a)
            order by a.published_at desc, a.id desc limit 1)
    from content_changes c
$$;

-- Articles ----------------------------------------------------------------------------------

-- ArticleAuthor: a byline as articles embed it (kept in the row with the other linked parts).
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


-- ArticleSummary. Replaces article_summary_document of migration 0005.
create function article_summary_json(a articles) returns json
    language sql stable parallel safe
    return json_build_object(
        'id', a.id, 'slug', a.slug, 'title', a.title, 'summary', a.summary, 'language', a.language,
        'publishedAt', api_timestamp(a.published_at), 'updatedAt', api_timestamp(a.updated_at),
        'commentCount', a.comment_count, 'authors', a.linked_authors, 'image', a.image);

-- ArticleDetail, from the row and its linked parts (kept in the row, see migration 0005).
-- Replaces article_document of migration 0005.
create function article_json(a articles) returns json
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

-- ArticleInvolvement: an article in which an entity has a role.
create function article_involvement_json(role text, a articles) returns json
    language sql stable parallel safe
    return json_build_object('role', role, 'article', a.summary_document);

-- Linked entities as the article's metadata block embeds them ----------------------------

-- EventLocation (in ArticleEvent, EventSummary and EventDetail).
create function event_location_json(e events) returns json
    language sql stable parallel safe
    return json_build_object('venue', e.venue, 'city', e.city, 'country', e.country);

-- ArticleEvent.
create function article_event_json(e events) returns json
    language sql stable parallel safe
    return json_build_object('slug', e.slug, 'name', e.name, 'startDate', e.start_date, 'endDate', e.end_date,
                             'location', event_location_json(e));

-- ArticlePerson, with the person's affiliations (PersonAffiliation: organisation slug and title).
create function article_person_json(p people, role text) returns json
    language sql stable parallel safe
as $$
    select json_build_object(
        'slug', p.slug, 'name', p.name, 'role', role,
        'affiliations', coalesce((
            select json_agg(json_build_object('organisation', o.slug, 'title', af.title) order by af.position, af.id)
            from affiliations af join organisations o on o.id = af.organisation_id
            where af.person_id = p.id), '[]'))
$$;

-- ArticleOrganisation.
create function article_organisation_json(o organisations, role text) returns json
    language sql stable parallel safe
    return json_build_object('slug', o.slug, 'name', o.name, 'acronym', o.acronym, 'country', o.country, 'role', role);

-- ArticlePlace.
create function article_place_json(pl places) returns json
    language sql stable parallel safe
    return json_build_object('slug', pl.slug, 'name', pl.name, 'country', pl.country);

-- ArticleTag.
create function article_tag_json(t tags) returns json
    language sql stable parallel safe
    return json_build_object('slug', t.slug, 'name', t.name);

-- The linked parts of an article (ArticleDetail.metadata without its dates). Replaces the
-- definition of migration 0005 with one that calls the shapes above.
create or replace function article_linked_parts(article_id bigint,
    out event json, out people json, out organisations json, out places json, out tags json)
    language sql stable parallel safe
as $$
    select
        (select article_event_json(e)
         from article_events ae join events e on e.id = ae.event_id
         where ae.article_id = article_linked_parts.article_id),
        coalesce((
            select json_agg(article_person_json(p, ap.role) order by ap.position, p.id)
            from article_people ap join people p on p.id = ap.person_id
            where ap.article_id = article_linked_parts.article_id), '[]'),
        coalesce((
            select json_agg(article_organisation_json(o, ao.role) order by ao.position, o.id)
            from article_organisations ao join organisations o on o.id = ao.organisation_id
            where ao.article_id = article_linked_parts.article_id), '[]'),
        coalesce((
            select json_agg(article_place_json(pl) order by apl.position, pl.id)
            from article_places apl join places pl on pl.id = apl.place_id
            where apl.article_id = article_linked_parts.article_id), '[]'),
        coalesce((
            select json_agg(article_tag_json(t) order by at.position, t.id)
            from article_tags at join tags t on t.id = at.tag_id
            where at.article_id = article_linked_parts.article_id), '[]')
$$;

-- The trigger of migration 0005, now rendering through the renamed shapes.
create or replace function articles_document() returns trigger language plpgsql as $$
begin
    new.document := article_json(new);
    new.summary_document := article_summary_json(new);
    return new;
end $$;

drop function article_document(articles);
drop function article_summary_document(articles);

-- People, organisations, events, places, tags ---------------------------------------------
-- Each has a summary (its lists) and a detail (its page). `article_count` and
-- `latest_articles_json` are overloaded by entity, so the shapes read the same for each.

create function article_count(p people) returns int language sql stable parallel safe as $$
    select count(*)::int from article_people l join articles a on a.id = l.article_id
    where l.person_id = p.id and article_is_public(a)
$$;

create function article_count(o organisations) returns int language sql stable parallel safe as $$
    select count(*)::int from article_organisations l join articles a on a.id = l.article_id
    where l.organisation_id = o.id and article_is_public(a)
$$;

create function article_count(e events) returns int language sql stable parallel safe as $$
    select count(*)::int from article_events l join articles a on a.id = l.article_id
    where l.event_id = e.id and article_is_public(a)
$$;

create function article_count(pl places) returns int language sql stable parallel safe as $$
    select count(*)::int from article_places l join articles a on a.id = l.article_id
    where l.place_id = pl.id and article_is_public(a)
$$;

create function article_count(t tags) returns int language sql stable parallel safe as $$
    select count(*)::int from article_tags l join articles a on a.id = l.article_id
    where l.tag_id = t.id and article_is_public(a)
$$;

-- The five newest published articles of each: ArticleInvolvement (with the entity's role)
-- for people and organisations, ArticleSummary for the others.
create function latest_articles_json(p people) returns json language sql stable parallel safe as $$
    select coalesce(json_agg(latest.item order by latest.published_at desc, latest.id desc), '[]')
    from (select article_involvement_json(l.role, a) as item, a.published_at, a.id
          from article_people l join articles a on a.id = l.article_id
          where l.person_id = p.id and article_is_public(a)
          order by a.published_at desc, a.id desc limit 5) latest
$$;

create function latest_articles_json(o organisations) returns json language sql stable parallel safe as $$
    select coalesce(json_agg(latest.item order by latest.published_at desc, latest.id desc), '[]')
    from (select article_involvement_json(l.role, a) as item, a.published_at, a.id
          from article_organisations l join articles a on a.id = l.article_id
          where l.organisation_id = o.id and article_is_public(a)
          order by a.published_at desc, a.id desc limit 5) latest
$$;

create function latest_articles_json(e events) returns json language sql stable parallel safe as $$
    select coalesce(json_agg(latest.item order by latest.published_at desc, latest.id desc), '[]')
    from (select a.summary_document as item, a.published_at, a.id
          from article_events l join articles a on a.id = l.article_id
          where l.event_id = e.id and article_is_public(a)
          order by a.published_at desc, a.id desc limit 5) latest
$$;

create function latest_articles_json(pl places) returns json language sql stable parallel safe as $$
    select coalesce(json_agg(latest.item order by latest.published_at desc, latest.id desc), '[]')
    from (select a.summary_document as item, a.published_at, a.id
          from article_places l join articles a on a.id = l.article_id
          where l.place_id = pl.id and article_is_public(a)
          order by a.published_at desc, a.id desc limit 5) latest
$$;

create function latest_articles_json(t tags) returns json language sql stable parallel safe as $$
    select coalesce(json_agg(latest.item order by latest.published_at desc, latest.id desc), '[]')
    from (select a.summary_document as item, a.published_at, a.id
          from article_tags l join articles a on a.id = l.article_id
          where l.tag_id = t.id and article_is_public(a)
          order by a.published_at desc, a.id desc limit 5) latest
$$;

-- OrganisationReference (a person's position, an organisation's parent and children).
create function organisation_reference_json(o organisations) returns json
    language sql stable parallel safe
    return json_build_object('slug', o.slug, 'name', o.name, 'acronym', o.acronym);

-- PersonSummary.
create function person_summary_json(p people) returns json
    language sql stable parallel safe
    return json_build_object('id', p.id, 'slug', p.slug, 'name', p.name, 'articleCount', article_count(p));

-- PersonDetail, with its positions (PersonPosition).
create function person_json(p people) returns json language sql stable parallel safe as $$
    select json_build_object(
        'id', p.id, 'slug', p.slug, 'name', p.name, 'description', p.description,
        'affiliations', coalesce((
            select json_agg(json_build_object(
                       'organisation', organisation_reference_json(o),
                       'title', af.title, 'from', af.valid_from, 'to', af.valid_to)
                   order by af.position, af.id)
            from affiliations af join organisations o on o.id = af.organisation_id
            where af.person_id = p.id), '[]'),
        'articleCount', article_count(p),
        'latestArticles', latest_articles_json(p))
$$;

-- OrganisationSummary.
create function organisation_summary_json(o organisations) returns json
    language sql stable parallel safe
    return json_build_object('id', o.id, 'slug', o.slug, 'name', o.name, 'acronym', o.acronym, 'kind', o.kind,
                             'country', o.country, 'articleCount', article_count(o));

-- OrganisationDetail, with its affiliated people (AffiliatedPerson).
create function organisation_json(o organisations) returns json language sql stable parallel safe as $$
    select json_build_object(
        'id', o.id, 'slug', o.slug, 'name', o.name, 'acronym', o.acronym, 'kind', o.kind,
        'country', o.country, 'description', o.description,
        'parent', (select organisation_reference_json(parent) from organisations parent where parent.id = o.parent_id),
        'children', coalesce((
            select json_agg(organisation_reference_json(child) order by child.name, child.id)
            from organisations child where child.parent_id = o.id), '[]'),
        'people', coalesce((
            select json_agg(json_build_object('slug', p.slug, 'name', p.name, 'title', af.title,
                                              'from', af.valid_from, 'to', af.valid_to)
                            order by p.name, p.id, af.id)
            from affiliations af join people p on p.id = af.person_id
            where af.organisation_id = o.id), '[]'),
        'articleCount', article_count(o),
        'latestArticles', latest_articles_json(o))
$$;

-- EventSummary.
create function event_summary_json(e events) returns json
    language sql stable parallel safe
    return json_build_object('id', e.id, 'slug', e.slug, 'name', e.name, 'startDate', e.start_date,
                             'endDate', e.end_date, 'location', event_location_json(e), 'articleCount', article_count(e));

-- EventDetail, with its place (EventPlace).
create function event_json(e events) returns json language sql stable parallel safe as $$
    select json_build_object(
        'id', e.id, 'slug', e.slug, 'name', e.name, 'description', e.description,
        'startDate', e.start_date, 'endDate', e.end_date, 'location', event_location_json(e),
        'place', (select json_build_object('slug', pl.slug, 'name', pl.name) from places pl where pl.id = e.place_id),
        'articleCount', article_count(e),
        'latestArticles', latest_articles_json(e))
$$;

-- PlaceSummary.
create function place_summary_json(pl places) returns json
    language sql stable parallel safe
    return json_build_object('id', pl.id, 'slug', pl.slug, 'name', pl.name, 'kind', pl.kind, 'country', pl.country,
                             'articleCount', article_count(pl));

-- PlaceDetail.
create function place_json(pl places) returns json
    language sql stable parallel safe
    return json_build_object('id', pl.id, 'slug', pl.slug, 'name', pl.name, 'kind', pl.kind, 'country', pl.country,
                             'articleCount', article_count(pl), 'latestArticles', latest_articles_json(pl));

-- TagSummary.
create function tag_summary_json(t tags) returns json
    language sql stable parallel safe
    return json_build_object('id', t.id, 'slug', t.slug, 'name', t.name, 'articleCount', article_count(t));

-- TagDetail.
create function tag_json(t tags) returns json
    language sql stable parallel safe
    return json_build_object('id', t.id, 'slug', t.slug, 'name', t.name, 'description', t.description,
                             'articleCount', article_count(t), 'latestArticles', latest_articles_json(t));

-- Search ----------------------------------------------------------------------------------

-- SearchHit; the snippet (search_snippet, migration 0003) is computed by the caller, for the
-- rows of the page only.
create function search_hit_json(type text, slug text, title text, snippet text, rank real) returns json
    language sql stable parallel safe
    return json_build_object('type', type, 'slug', slug, 'title', title, 'snippet', snippet, 'rank', rank);

-- Comments --------------------------------------------------------------------------------

-- PublicComment: never the email, address or user agent. Replaces comment_public_document
-- of migration 0006 (the trigger there keeps it rendered in the row).
create function comment_public_json(c comments) returns json
    language sql stable parallel safe
    return json_build_object('id', c.id, 'parentId', c.parent_id, 'authorName', c.author_name,
                             'authorUrl', c.author_url, 'body', c.body, 'createdAt', api_timestamp(c.created_at));

create or replace function comments_public_document() returns trigger language plpgsql as $$
begin
    new.public_document := comment_public_json(new);
    return new;
end $$;

drop function comment_public_document(comments);

-- CommentThread: the public comment and its approved replies, oldest first, nested (replies
-- nest a handful of levels at most, so the recursion is shallow). Replaces
-- comment_replies_json of migration 0004.
create function comment_thread_json(c comments) returns json language sql stable parallel safe cost 1000 as $$
    select (c.public_document::jsonb || jsonb_build_object('replies', coalesce((
               select jsonb_agg(comment_thread_json(reply) order by reply.created_at, reply.id)
               from comments reply
               where reply.parent_id = c.id and reply.status = 'approved'), '[]')))::json
$$;

drop function comment_replies_json(bigint);

-- ModeratorComment: every field, private ones included, for moderators only.
create function comment_moderator_json(c comments, article_slug text) returns json
    language sql stable parallel safe
    return json_build_object('id', c.id, 'article', article_slug, 'parentId', c.parent_id, 'authorName', c.author_name,
                             'authorEmail', c.author_email, 'authorUrl', c.author_url, 'body', c.body, 'status', c.status,
                             'clientAddress', host(c.client_address), 'userAgent', c.user_agent,
                             'createdAt', api_timestamp(c.created_at), 'updatedAt', api_timestamp(c.updated_at),
                             'version', c.version);

-- Write documents: the resources as editors write them (references by slug), for PATCH
-- (the base of a merge patch) and revisions.

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

-- Bylines: AuthorSummary and AuthorDetail.
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

-- Render every stored article in these shapes.
select refresh_article_links(array(select id from articles));
