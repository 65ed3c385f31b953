using ContentApi.Entities;
using ContentApi.Reads;

namespace ContentApi.People;

internal static class PeopleApi
{
    public static RouteGroupBuilder MapPeopleApi(this IEndpointRouteBuilder routes) =>
        routes.MapEntityApi<PagingQuery, PersonSummary, PersonDetail>(
            new EntityDefinition(
                Path: "/v1/people", Table: "people", Singular: "Person", Plural: "People",
                ListDescription: "People in the news, by name, with the number of published articles involving each.",
                DetailDescription: "Description, affiliations (organisation, title, from/to), article count and the five latest articles with the person's role in each.",
                DetailSql: "select person_json(p)::text from people p where p.slug = @slug",
                ArticlesOf: (articles, slug) => articles with { Person = slug }),
            _ => EntityApi.ListByName(table: "people", alias: "p", itemJson: "person_summary_json(p)"));
}
