-- schema.org JSON-LD of the entity pages (Accept: application/ld+json), rendered from each
-- page's detail document like the article's (migration 0010): Person (jobTitle, affiliation),
-- Organization (parentOrganization, subOrganization, member), Event (startDate, endDate,
-- location → Place with its address), Place, DefinedTerm for a tag, Person for an author.
-- Each lists its latest articles as subjectOf. `base` is the absolute URL of the API.

-- The latest articles of a page as schema.org NewsArticle references (a person's and an
-- organisation's are involvements: {role, article}).
create function latest_articles_jsonld(d jsonb, base text) returns jsonb language sql immutable parallel safe as $$
    select jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
               '@type', 'NewsArticle', 'headline', a ->> 'title', 'url', base || '/v1/articles/' || (a ->> 'slug'),
               'datePublished', a ->> 'publishedAt')))
    from jsonb_array_elements(d -> 'latestArticles') latest, coalesce(latest -> 'article', latest) a
$$;

create function entity_jsonld(kind text, d jsonb, base text) returns jsonb language sql immutable parallel safe as $$
    select jsonb_strip_nulls(jsonb_build_object('@context', 'https://schema.org') || case kind
        when 'person' then jsonb_build_object(
            '@type', 'Person', '@id', base || '/v1/people/' || (d ->> 'slug'), 'url', base || '/v1/people/' || (d ->> 'slug'),
            'name', d ->> 'name', 'description', d ->> 'description',
            'jobTitle', d -> 'affiliations' -> 0 ->> 'title',
            'affiliation', (select jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                                '@type', 'Organization', 'name', af -> 'organisation' ->> 'name', 'alternateName', af -> 'organisation' ->> 'acronym',
                                'url', base || '/v1/organisations/' || (af -> 'organisation' ->> 'slug'))))
                            from jsonb_array_elements(d -> 'affiliations') af))
        when 'organisation' then jsonb_build_object(
            '@type', 'Organization', '@id', base || '/v1/organisations/' || (d ->> 'slug'), 'url', base || '/v1/organisations/' || (d ->> 'slug'),
            'name', d ->> 'name', 'alternateName', d ->> 'acronym', 'description', d ->> 'description',
            'address', case when d ->> 'country' is not null then jsonb_build_object('@type', 'PostalAddress', 'addressCountry', d ->> 'country') end,
            'parentOrganization', case when jsonb_typeof(d -> 'parent') = 'object' then jsonb_build_object(
                '@type', 'Organization', 'name', d -> 'parent' ->> 'name', 'url', base || '/v1/organisations/' || (d -> 'parent' ->> 'slug')) end,
            'subOrganization', (select jsonb_agg(jsonb_build_object('@type', 'Organization', 'name', c ->> 'name', 'url', base || '/v1/organisations/' || (c ->> 'slug')))
                                from jsonb_array_elements(d -> 'children') c),
            'member', (select jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                           '@type', 'OrganizationRole', 'roleName', p ->> 'title',
                           'member', jsonb_build_object('@type', 'Person', 'name', p ->> 'name', 'url', base || '/v1/people/' || (p ->> 'slug')))))
                       from jsonb_array_elements(d -> 'people') p))
        when 'event' then jsonb_build_object(
            '@type', 'Event', '@id', base || '/v1/events/' || (d ->> 'slug'), 'url', base || '/v1/events/' || (d ->> 'slug'),
            'name', d ->> 'name', 'description', d ->> 'description', 'startDate', d ->> 'startDate', 'endDate', d ->> 'endDate',
            'location', jsonb_strip_nulls(jsonb_build_object(
                '@type', 'Place',
                'name', coalesce(d -> 'location' ->> 'venue', d -> 'place' ->> 'name', d -> 'location' ->> 'city'),
                'url', case when jsonb_typeof(d -> 'place') = 'object' then base || '/v1/places/' || (d -> 'place' ->> 'slug') end,
                'address', jsonb_strip_nulls(jsonb_build_object('@type', 'PostalAddress',
                    'addressLocality', d -> 'location' ->> 'city', 'addressCountry', d -> 'location' ->> 'country')))))
        when 'place' then jsonb_build_object(
            '@type', 'Place', '@id', base || '/v1/places/' || (d ->> 'slug'), 'url', base || '/v1/places/' || (d ->> 'slug'),
            'name', d ->> 'name', 'additionalType', d ->> 'kind',
            'address', case when d ->> 'country' is not null then jsonb_build_object('@type', 'PostalAddress', 'addressCountry', d ->> 'country') end)
        when 'tag' then jsonb_build_object(
            '@type', 'DefinedTerm', '@id', base || '/v1/tags/' || (d ->> 'slug'), 'url', base || '/v1/tags/' || (d ->> 'slug'),
            'name', d ->> 'name', 'description', d ->> 'description', 'termCode', d ->> 'slug')
        when 'author' then jsonb_build_object(
            '@type', 'Person', '@id', base || '/v1/authors/' || (d ->> 'slug'), 'url', coalesce(d ->> 'url', base || '/v1/authors/' || (d ->> 'slug')),
            'name', d ->> 'name', 'description', d ->> 'bio', 'image', d ->> 'image')
        end || jsonb_build_object('subjectOf', latest_articles_jsonld(d, base)))
$$;
