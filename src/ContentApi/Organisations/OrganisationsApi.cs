using ContentApi.Articles;
using ContentApi.Infrastructure.Http;

namespace ContentApi.Organisations;

internal static class OrganisationsApi
{
    public static RouteGroupBuilder MapOrganisationsApi(this IEndpointRouteBuilder routes) =>
        routes.MapLinkedResource<PagingQuery, OrganisationSummary, OrganisationDetail>(
            new LinkedResource(
                Path: "/v1/organisations", Tag: "Organisations", Link: ArticleLink.Organisation, Singular: "Organisation", Plural: "Organisations",
                ListDescription: "Organisations in the news, by name, with the number of published articles involving each.",
                DetailDescription: "Acronym, kind, country, parent and child organisations, affiliated people, article count and the five latest articles with the organisation's role in each.",
                DetailSql: OrganisationQueries.Detail),
            _ => OrganisationQueries.ListSpec());
}
