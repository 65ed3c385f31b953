-- The linked parts of an article (migration 0006) as a function of its id, so that a bulk
-- load can compute them while inserting rather than by updating every row afterwards.
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

create or replace function refresh_article_links(article_ids bigint[]) returns void language sql as $$
    update articles a set
        (linked_event, linked_people, linked_organisations, linked_places, linked_tags) =
        (select parts.event, parts.people, parts.organisations, parts.places, parts.tags
         from article_linked_parts(a.id) parts)
    where a.id = any (article_ids);
$$;
