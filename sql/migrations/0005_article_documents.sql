-- The detail view (ArticleDetail) is kept rendered in each article row, so that serving it
-- is reading one column of one row.
--
-- It embeds what an article links to: its event, people (with affiliations),
-- organisations, places and tags. Built at read time that took seven subqueries and ~0.5 ms
-- of PostgreSQL per request; it changes only when a link or a linked entity changes, and the
-- triggers of migration 0001 already see every such change (touch_articles). So it is kept
-- here, ready to embed, as json (kept verbatim: embedding it costs no parsing).

alter table articles
    add column linked_event json,
    add column linked_people json not null default '[]',
    add column linked_organisations json not null default '[]',
    add column linked_places json not null default '[]',
    add column linked_tags json not null default '[]';

-- The linked parts of an article (the shapes of ArticleDetail.metadata), by its id: used to
-- refresh stored articles and, by the bulk loader, to insert them complete. (Redefined in
-- migration 0008 to call one function per shape.)
create function article_linked_parts(article_id bigint,
    out event json, out people json, out organisations json, out places json, out tags json)
    language sql stable parallel safe
as $$
    select
        (select json_build_object(
             'slug', e.slug, 'name', e.name, 'startDate', e.start_date, 'endDate', e.end_date,
             'location', json_build_object('venue', e.venue, 'city', e.city, 'country', e.country))
         from article_events ae join events e on e.id = ae.event_id
         where ae.article_id = article_linked_parts.article_id),
        coalesce((
            select json_agg(json_build_object(
                'slug', p.slug, 'name', p.name, 'role', ap.role,
                'affiliations', coalesce((
                    select json_agg(json_build_object('organisation', o.slug, 'title', af.title) order by af.position, af.id)
                    from affiliations af join organisations o on o.id = af.organisation_id
                    where af.person_id = p.id), '[]'))
                order by ap.position, p.id)
            from article_people ap join people p on p.id = ap.person_id
            where ap.article_id = article_linked_parts.article_id), '[]'),
        coalesce((
            select json_agg(json_build_object(
                'slug', o.slug, 'name', o.name, 'acronym', o.acronym, 'country', o.country, 'role', ao.role)
                order by ao.position, o.id)
            from article_organisations ao join organisations o on o.id = ao.organisation_id
            where ao.article_id = article_linked_parts.article_id), '[]'),
        coalesce((
            select json_agg(json_build_object('slug', pl.slug, 'name', pl.name, 'country', pl.country)
                order by apl.position, pl.id)
            from article_places apl join places pl on pl.id = apl.place_id
            where apl.article_id = article_linked_parts.article_id), '[]'),
        coalesce((
            select json_agg(json_build_object('slug', t.slug, 'name', t.name) order by at.position, t.id)
            from article_tags at join tags t on t.id = at.tag_id
            where at.article_id = article_linked_parts.article_id), '[]')
$$;

-- Recomputes the linked parts of these articles.
create function refresh_article_links(article_ids bigint[]) returns void language sql as $$
    update articles a set
        (linked_event, linked_people, linked_organisations, linked_places, linked_tags) =
        (select parts.event, parts.people, parts.organisations, parts.places, parts.tags
         from article_linked_parts(a.id) parts)
    where a.id = any (article_ids);
$$;

-- Replaces touch_articles of migration 0001 (which only moved the validators).
-- Every change that used to only move the validators now also refreshes the links (which
-- moves the validators through the articles trigger, as before).
create or replace function touch_articles(article_ids bigint[]) returns void language sql as $$
    select refresh_article_links(article_ids);
$$;

-- The rendered detail view, from the row and its linked parts. It leaves out nothing that
-- changes without an update of the row (comment_count and updated_at are columns of it).
alter table articles add column document json;

-- Replaced by article_json in migration 0008 (one function per public shape).
create function article_document(a articles) returns json language sql stable parallel safe as $$
    select json_build_object(
        'id', a.id,
        'slug', a.slug,
        'title', a.title,
        'summary', a.summary,
        'language', a.language,
        'status', a.status,
        'body', a.body,
        'commentsOpen', a.comments_open,
        'commentCount', a.comment_count,
        'metadata', json_build_object(
            'event', a.linked_event,
            'dates', json_build_object(
                'published', api_timestamp(a.published_at),
                'modified', api_timestamp(a.updated_at),
                'coverageStart', a.coverage_start,
                'coverageEnd', a.coverage_end),
            'people', a.linked_people,
            'organisations', a.linked_organisations,
            'places', a.linked_places,
            'tags', a.linked_tags))
$$;

-- An article in lists (ArticleSummary), rendered the same way: lists then read one column.
alter table articles add column summary_document json;

-- Replaced by article_summary_json in migration 0008.
create function article_summary_document(a articles) returns json language sql stable parallel safe as $$
    select json_build_object(
        'id', a.id, 'slug', a.slug, 'title', a.title, 'summary', a.summary, 'language', a.language,
        'publishedAt', api_timestamp(a.published_at), 'updatedAt', api_timestamp(a.updated_at),
        'commentCount', a.comment_count)
$$;

-- Named to run after articles_before_update (triggers fire in name order), which sets updated_at.
create function articles_document() returns trigger language plpgsql as $$
begin
    new.document := article_document(new);
    new.summary_document := article_summary_document(new);
    return new;
end $$;

create trigger articles_document before insert or update on articles
    for each row execute function articles_document();
-- Also during bulk loads with ordinary triggers off (see articles_search_vector in migration 0001).
alter table articles enable always trigger articles_document;

select refresh_article_links(array(select id from articles));
alter table articles alter column document set not null, alter column summary_document set not null;
