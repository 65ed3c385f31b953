using ContentApi.Entities;
using ContentApi.Reads;

namespace ContentApi.People;

internal static class PeopleApi
{
    public static RouteGroupBuilder MapPeopleApi(this IEndpointRouteBuilder routes)
    {
        var people = new EntityDefinition(
            Path: "/v1/people", Table: "people", Singular: "Person", Plural: "People",
            ListDescription: "People in the news, by name, with the number of published articles involving each.",
            DetailDescription: "Description, affiliations (organisation, title, from/to), article count and the five latest articles with the person's role in each.",
            DetailSql: EntityApi.DetailSql("person", "people", "p", "person_json(p)"),
            ArticlesOf: (articles, slug) => articles with { Person = slug },
            EditorDetailSql: "select person_json(p)::text as document, p.version from people p where p.slug = @slug");
        return routes.MapEntityApi<PagingQuery, PersonSummary, PersonDetail>(
                people, _ => EntityApi.ListByName(table: "people", alias: "p", itemJson: "person_summary_json(p)"))
            .MapEntityWrites<PersonWrite, PersonDetail>(people, new EntityWriting<PersonWrite>(
                SaveFunction: "person_save",
                WriteDocumentSql: "select person_write_json(p)::text as document, p.version from people p where p.slug = @slug",
                NameOf: person => person.Name));
    }
}
