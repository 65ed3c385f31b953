using ContentApi.Articles;
using ContentApi.Infrastructure.Http;
using Dapper;

namespace ContentApi.Places;

internal static class PlaceQueries
{
    private static readonly string ArticleCount = ArticleQueries.LinkedCountSql("article_places", "place_id", "pl.id");

    public static ListSpec ListSpec() => new(
        Scope: "places",
        ItemJson: $"""
            json_build_object('id', pl.id, 'slug', pl.slug, 'name', pl.name, 'kind', pl.kind, 'country', pl.country,
                              'articleCount', {ArticleCount})
            """,
        FromWhere: "from places pl where true",
        Sort: new SortOrder("name", "pl.name", "pl.id", Descending: false),
        Parameters: new DynamicParameters());

    /// <summary>PlaceDetail as JSON: the place, count and latest articles.</summary>
    public static readonly string Detail = $"""
        select json_build_object(
            'id', pl.id, 'slug', pl.slug, 'name', pl.name, 'kind', pl.kind, 'country', pl.country,
            'articleCount', {ArticleCount},
            'latestArticles', {ArticleQueries.LatestLinkedJson("article_places", "place_id", "pl.id", withRole: false)}
        )::text
        from places pl
        where pl.slug = @slug;
        """;
}
