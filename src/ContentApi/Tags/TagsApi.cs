using ContentApi.Entities;
using ContentApi.Reads;

namespace ContentApi.Tags;

internal static class TagsApi
{
    public static RouteGroupBuilder MapTagsApi(this IEndpointRouteBuilder routes)
    {
        var tags = new EntityDefinition(
            Path: "/v1/tags", Table: "tags", Singular: "Tag", Plural: "Tags",
            ListDescription: "Topics, by name, with the number of published articles with each.",
            DetailDescription: "Description, article count and the five latest articles with the tag.",
            DetailSql: EntityApi.DetailSql("tag", "tags", "t", "tag_json(t)"),
            ArticlesOf: (articles, slug) => articles with { Tag = slug },
            EditorDetailSql: "select tag_json(t)::text as document, t.version from tags t where t.slug = @slug");
        return routes.MapEntityApi<PagingQuery, TagSummary, TagDetail>(
                tags, _ => EntityApi.ListByName(table: "tags", alias: "t", itemJson: "tag_summary_json(t)"))
            .MapEntityWrites<TagWrite, TagDetail>(tags, new EntityWriting<TagWrite>(
                SaveFunction: "tag_save",
                WriteDocumentSql: "select tag_write_json(t)::text as document, t.version from tags t where t.slug = @slug",
                NameOf: tag => tag.Name));
    }
}
