using ContentApi.Entities;
using ContentApi.Reads;

namespace ContentApi.Authors;

internal static class AuthorsApi
{
    public static RouteGroupBuilder MapAuthorsApi(this IEndpointRouteBuilder routes)
    {
        var authors = new EntityDefinition(
            Path: "/v1/authors", Table: "authors", Singular: "Author", Plural: "Authors",
            ListDescription: "Bylines, by name, with the number of published articles of each.",
            DetailDescription: "Bio, profile URL, portrait, article count and the five latest articles with the byline.",
            DetailSql: EntityApi.DetailSql("author", "authors", "au", "author_json(au)"),
            ArticlesOf: (articles, slug) => articles with { Author = slug },
            EditorDetailSql: "select author_json(au)::text as document, au.version from authors au where au.slug = @slug");
        return routes.MapEntityApi<PagingQuery, AuthorSummary, AuthorDetail>(
                authors, _ => EntityApi.ListByName(table: "authors", alias: "au", itemJson: "author_summary_json(au)"))
            .MapEntityWrites<AuthorWrite, AuthorDetail>(authors, new EntityWriting<AuthorWrite>(
                SaveFunction: "author_save",
                WriteDocumentSql: "select author_write_json(au)::text as document, au.version from authors au where au.slug = @slug",
                NameOf: author => author.Name));
    }
}
