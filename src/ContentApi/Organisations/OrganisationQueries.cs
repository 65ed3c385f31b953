using ContentApi.Articles;
using ContentApi.Infrastructure.Http;
using Dapper;

namespace ContentApi.Organisations;

internal static class OrganisationQueries
{
    private static readonly string ArticleCount = ArticleQueries.LinkedCountSql("article_organisations", "organisation_id", "o.id");

    public static ListSpec ListSpec() => new(
        Scope: "organisations",
        ItemJson: $"""
            json_build_object('id', o.id, 'slug', o.slug, 'name', o.name, 'acronym', o.acronym, 'kind', o.kind,
                              'country', o.country, 'articleCount', {ArticleCount})
            """,
        FromWhere: "from organisations o where true",
        Sort: new SortOrder("name", "o.name", "o.id", Descending: false),
        Parameters: new DynamicParameters());

    /// <summary>OrganisationDetail as JSON: the organisation, parent, children, affiliated people, count, latest articles with role.</summary>
    public static readonly string Detail = $"""
        select json_build_object(
            'id', o.id, 'slug', o.slug, 'name', o.name, 'acronym', o.acronym, 'kind', o.kind,
            'country', o.country, 'description', o.description,
            'parent', (select json_build_object('slug', parent.slug, 'name', parent.name, 'acronym', parent.acronym)
                       from organisations parent where parent.id = o.parent_id),
            'children', coalesce((
                select json_agg(json_build_object('slug', child.slug, 'name', child.name, 'acronym', child.acronym)
                                order by child.name, child.id)
                from organisations child where child.parent_id = o.id), '[]'),
            'people', coalesce((
                select json_agg(json_build_object('slug', p.slug, 'name', p.name, 'title', af.title,
                                                  'from', af.valid_from, 'to', af.valid_to)
                                order by p.name, p.id, af.id)
                from affiliations af join people p on p.id = af.person_id
                where af.organisation_id = o.id), '[]'),
            'articleCount', {ArticleCount},
            'latestArticles', {ArticleQueries.LatestLinkedJson("article_organisations", "organisation_id", "o.id", withRole: true)}
        )::text
        from organisations o
        where o.slug = @slug;
        """;
}
