-- The article's other formats (migration 0010) rendered in plpgsql, whose plans are kept for the
-- session: as SQL functions that read from their own subqueries they are never inlined, and
-- PostgreSQL 15 plans such a function's body again on every statement that calls it. A JSON-LD
-- read by slug spent ~3 ms of PostgreSQL CPU a request; by hand, cache off, 10,000 articles:
-- 423–486 JSON-LD answers a second at 2.9–3.1 ms of PostgreSQL CPU each, then 808–1,036 at
-- 1.2–1.4 ms. The bodies are those of migration 0010, unchanged (the same output for 300 articles).

create or replace function article_jsonld(d jsonb, base text) returns jsonb language plpgsql immutable parallel safe as $$
begin
    return (
        with parts as (
            select
                base || '/v1/articles/' || (d ->> 'slug') as url,
                d -> 'metadata' as m,
                (select jsonb_object_agg(o ->> 'slug', o ->> 'name') from jsonb_array_elements(d -> 'metadata' -> 'organisations') o) as organisation_names
        ),
        people as (
            select p ->> 'role' as role, jsonb_strip_nulls(jsonb_build_object(
                       '@type', 'Person', 'name', p ->> 'name', 'url', base || '/v1/people/' || (p ->> 'slug'),
                       'jobTitle', p -> 'affiliations' -> 0 ->> 'title',
                       'affiliation', (select jsonb_agg(jsonb_build_object('@type', 'Organization',
                                                        'name', coalesce(parts.organisation_names ->> (a ->> 'organisation'), a ->> 'organisation'),
                                                        'url', base || '/v1/organisations/' || (a ->> 'organisation')))
                                       from jsonb_array_elements(p -> 'affiliations') a))) as entity
            from parts, jsonb_array_elements(parts.m -> 'people') p
        ),
        organisations as (
            select o ->> 'role' as role, jsonb_strip_nulls(jsonb_build_object(
                       '@type', 'Organization', 'name', o ->> 'name', 'alternateName', o ->> 'acronym',
                       'url', base || '/v1/organisations/' || (o ->> 'slug'))) as entity
            from parts, jsonb_array_elements(parts.m -> 'organisations') o
        ),
        places as (
            select jsonb_build_object('@type', 'Place', 'name', pl ->> 'name', 'url', base || '/v1/places/' || (pl ->> 'slug')) as entity
            from parts, jsonb_array_elements(parts.m -> 'places') pl
        ),
        event as (
            select jsonb_strip_nulls(jsonb_build_object(
                       '@type', 'Event', 'name', e ->> 'name', 'url', base || '/v1/events/' || (e ->> 'slug'),
                       'startDate', e ->> 'startDate', 'endDate', e ->> 'endDate',
                       'location', jsonb_strip_nulls(jsonb_build_object(
                           '@type', 'Place', 'name', coalesce(e -> 'location' ->> 'venue', e -> 'location' ->> 'city'),
                           'address', jsonb_strip_nulls(jsonb_build_object('@type', 'PostalAddress',
                               'addressLocality', e -> 'location' ->> 'city', 'addressCountry', e -> 'location' ->> 'country')))))) as entity
            from parts, jsonb_extract_path(parts.m, 'event') e
            where jsonb_typeof(e) = 'object'
        )
        select jsonb_strip_nulls(jsonb_build_object(
            '@context', 'https://schema.org',
            '@type', 'NewsArticle',
            '@id', parts.url,
            'url', parts.url,
            'mainEntityOfPage', parts.url,
            'headline', d ->> 'title',
            'description', nullif(d ->> 'summary', ''),
            'articleBody', article_plain_text(d),
            'image', (select jsonb_agg(i.url) from (
                          select d -> 'image' ->> 'url' as url where jsonb_typeof(d -> 'image') = 'object'
                          union all
                          select b ->> 'url' from jsonb_array_elements(d -> 'body') b where b ->> 'type' = 'image') i),
            'author', (select jsonb_agg(jsonb_strip_nulls(jsonb_build_object('@type', 'Person', 'name', au ->> 'name', 'url', au ->> 'url')))
                       from jsonb_array_elements(d -> 'authors') au),
            'datePublished', parts.m -> 'dates' ->> 'published',
            'dateModified', parts.m -> 'dates' ->> 'modified',
            'inLanguage', d ->> 'language',
            'about', (select jsonb_agg(x.entity) from (
                          select entity from event
                          union all select entity from people where role = 'subject'
                          union all select entity from organisations where role = 'subject') x),
            'mentions', (select jsonb_agg(x.entity) from (
                          select entity from people where role <> 'subject'
                          union all select entity from organisations where role <> 'subject'
                          union all select entity from places) x),
            'keywords', (select string_agg(t ->> 'name', ', ') from jsonb_array_elements(parts.m -> 'tags') t),
            'commentCount', (d ->> 'commentCount')::int))
        from parts
    );
end
$$;

create or replace function article_ninjs(d jsonb, base text) returns jsonb language plpgsql immutable parallel safe as $$
begin
    return (
        with body as (select article_plain_text(d) as text),
        xhtml as (
            select coalesce(string_agg(
                       case b.block ->> 'type'
                           when 'heading' then format('<h%s>%s</h%1$s>', coalesce(b.block ->> 'level', '2'), xhtml_text(b.block ->> 'text'))
                           when 'quote' then format('<blockquote><p>%s</p></blockquote>', xhtml_text(b.block ->> 'text'))
                           when 'list' then format('<%s>%s</%1$s>', case when (b.block ->> 'ordered')::boolean then 'ol' else 'ul' end,
                                                   (select string_agg('<li>' || xhtml_text(i.item) || '</li>', '')
                                                    from jsonb_array_elements_text(b.block -> 'items') i(item)))
                           when 'image' then format('<figure><img src="%s" alt="%s"/></figure>', xhtml_text(b.block ->> 'url'), xhtml_text(b.block ->> 'alt'))
                           else format('<p>%s</p>', xhtml_text(b.block ->> 'text')) end,
                       '' order by b.ordinality), '') as markup
            from jsonb_array_elements(d -> 'body') with ordinality b(block)
        )
        select jsonb_strip_nulls(jsonb_build_object(
            'uri', base || '/v1/articles/' || (d ->> 'slug'),
            'standard', jsonb_build_object('name', 'ninjs', 'version', '3.1', 'schema', 'http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json'),
            'type', 'text',
            'representationType', 'full',
            'firstCreated', coalesce(d -> 'metadata' -> 'dates' ->> 'firstPublished', d -> 'metadata' -> 'dates' ->> 'published'),
            'versionCreated', d -> 'metadata' -> 'dates' ->> 'modified',
            'pubStatus', case when d ->> 'status' = 'published' then 'usable' else 'withheld' end,
            'language', d ->> 'language',
            'slugline', d ->> 'slug',
            'headlines', jsonb_build_array(jsonb_build_object('role', 'main', 'value', d ->> 'title')),
            'descriptions', case when coalesce(d ->> 'summary', '') <> '' then jsonb_build_array(jsonb_build_object('role', 'summary', 'value', d ->> 'summary')) end,
            'bodies', jsonb_build_array(
                jsonb_build_object('role', 'main', 'contentType', 'text/plain', 'value', body.text,
                                   'charCount', length(body.text),
                                   'wordCount', coalesce(array_length(regexp_split_to_array(nullif(btrim(body.text), ''), '\s+'), 1), 0)),
                jsonb_build_object('role', 'main', 'contentType', 'application/xhtml+xml', 'value', '<div>' || xhtml.markup || '</div>',
                                   'charCount', length(body.text),
                                   'wordCount', coalesce(array_length(regexp_split_to_array(nullif(btrim(body.text), ''), '\s+'), 1), 0))),
            'by', (select string_agg(au ->> 'name', ', ') from jsonb_array_elements(d -> 'authors') au),
            'people', (select jsonb_agg(jsonb_build_object('name', p ->> 'name', 'rel', p ->> 'role', 'uri', base || '/v1/people/' || (p ->> 'slug')))
                       from jsonb_array_elements(d -> 'metadata' -> 'people') p),
            'organisations', (select jsonb_agg(jsonb_build_object('name', o ->> 'name', 'rel', o ->> 'role', 'uri', base || '/v1/organisations/' || (o ->> 'slug')))
                              from jsonb_array_elements(d -> 'metadata' -> 'organisations') o),
            'places', (select jsonb_agg(jsonb_build_object('name', pl ->> 'name', 'uri', base || '/v1/places/' || (pl ->> 'slug')))
                       from jsonb_array_elements(d -> 'metadata' -> 'places') pl),
            'events', (select jsonb_agg(jsonb_build_object('name', e ->> 'name', 'rel', 'about', 'uri', base || '/v1/events/' || (e ->> 'slug')))
                       from jsonb_extract_path(d, 'metadata', 'event') e where jsonb_typeof(e) = 'object'),
            'subjects', (select jsonb_agg(jsonb_build_object('name', t ->> 'name', 'rel', 'about', 'uri', base || '/v1/tags/' || (t ->> 'slug')))
                         from jsonb_array_elements(d -> 'metadata' -> 'tags') t),
            'renditions', case when jsonb_typeof(d -> 'image') = 'object' then jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
                              'name', 'lead-image', 'href', d -> 'image' ->> 'url', 'title', d -> 'image' ->> 'alt',
                              'width', (d -> 'image' ->> 'width')::int, 'height', (d -> 'image' ->> 'height')::int))) end))
        from body, xhtml
    );
end
$$;
