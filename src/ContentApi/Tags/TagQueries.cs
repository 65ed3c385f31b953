using ContentApi.Articles;
using ContentApi.Infrastructure.Http;
using Dapper;

namespace ContentApi.Tags;

internal static class TagQueries
{
    private static readonly string ArticleCount = ArticleQueries.LinkedCountSql("article_tags", "tag_id", "t.id");

    public static ListSpec ListSpec() => new(
        Scope: "tags",
        ItemJson: $"json_build_object('id', t.id, 'slug', t.slug, 'name', t.name, 'articleCount', {ArticleCount})",
        FromWhere: "from tags t where true",
        Sort: new SortOrder("name", "t.name", "t.id", Descending: false),
        Parameters: new DynamicParameters());

    /// <summary>TagDetail as JSON: the tag, count and latest articles.</summary>
    public static readonly string Detail = $"""
        select json_build_object(
            'id', t.id, 'slug', t.slug, 'name', t.name, 'description', t.description,
            'articleCount', {ArticleCount},
            'latestArticles', {ArticleQueries.LatestLinkedJson("article_tags", "tag_id", "t.id", withRole: false)}
        )::text
        from tags t
        where t.slug = @slug;
        """;
}
