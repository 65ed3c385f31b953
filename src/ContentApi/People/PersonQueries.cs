using ContentApi.Articles;
using ContentApi.Infrastructure.Http;
using Dapper;

namespace ContentApi.People;

internal static class PersonQueries
{
    private static readonly string ArticleCount = ArticleQueries.LinkedCountSql("article_people", "person_id", "p.id");

    public static ListSpec ListSpec() => new(
        Scope: "people",
        ItemJson: $"json_build_object('id', p.id, 'slug', p.slug, 'name', p.name, 'articleCount', {ArticleCount})",
        FromWhere: "from people p where true",
        Sort: new SortOrder("name", "p.name", "p.id", Descending: false),
        Parameters: new DynamicParameters());

    /// <summary>PersonDetail as JSON: the person, positions (with organisation), count, latest articles with role.</summary>
    public static readonly string Detail = $"""
        select json_build_object(
            'id', p.id, 'slug', p.slug, 'name', p.name, 'description', p.description,
            'affiliations', coalesce((
                select json_agg(json_build_object(
                    'organisation', json_build_object('slug', o.slug, 'name', o.name, 'acronym', o.acronym),
                    'title', af.title, 'from', af.valid_from, 'to', af.valid_to)
                    order by af.position, af.id)
                from affiliations af join organisations o on o.id = af.organisation_id
                where af.person_id = p.id), '[]'),
            'articleCount', {ArticleCount},
            'latestArticles', {ArticleQueries.LatestLinkedJson("article_people", "person_id", "p.id", withRole: true)}
        )::text
        from people p
        where p.slug = @slug;
        """;
}
