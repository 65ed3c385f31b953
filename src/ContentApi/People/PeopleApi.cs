using ContentApi.Articles;
using ContentApi.Infrastructure.Http;

namespace ContentApi.People;

internal static class PeopleApi
{
    public static RouteGroupBuilder MapPeopleApi(this IEndpointRouteBuilder routes) =>
        routes.MapLinkedResource<PagingQuery, PersonSummary, PersonDetail>(
            new LinkedResource(
                Path: "/v1/people", Tag: "People", Link: ArticleLink.Person, Singular: "Person", Plural: "People",
                ListDescription: "People in the news, by name, with the number of published articles involving each.",
                DetailDescription: "Description, affiliations (organisation, title, from/to), article count and the five latest articles with the person's role in each.",
                DetailSql: PersonQueries.Detail),
            _ => PersonQueries.ListSpec());
}
