using ContentApi.Articles;
using ContentApi.Infrastructure.Http;

namespace ContentApi.Tags;

internal static class TagsApi
{
    public static RouteGroupBuilder MapTagsApi(this IEndpointRouteBuilder routes) =>
        routes.MapLinkedResource<PagingQuery, TagSummary, TagDetail>(
            new LinkedResource(
                Path: "/v1/tags", Tag: "Tags", Link: ArticleLink.Tag, Singular: "Tag", Plural: "Tags",
                ListDescription: "Topics, by name, with the number of published articles with each.",
                DetailDescription: "Description, article count and the five latest articles with the tag.",
                DetailSql: TagQueries.Detail),
            _ => TagQueries.ListSpec());
}
