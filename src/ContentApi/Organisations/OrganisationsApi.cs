using ContentApi.Entities;
using ContentApi.Reads;

namespace ContentApi.Organisations;

internal static class OrganisationsApi
{
    public static RouteGroupBuilder MapOrganisationsApi(this IEndpointRouteBuilder routes) =>
        routes.MapEntityApi<PagingQuery, OrganisationSummary, OrganisationDetail>(
            new EntityDefinition(
                Path: "/v1/organisations", Table: "organisations", Singular: "Organisation", Plural: "Organisations",
                ListDescription: "Organisations in the news, by name, with the number of published articles involving each.",
                DetailDescription: "Acronym, kind, country, parent and child organisations, affiliated people, article count and the five latest articles with the organisation's role in each.",
                DetailSql: "select organisation_json(o)::text from organisations o where o.slug = @slug",
                ArticlesOf: (articles, slug) => articles with { Organisation = slug }),
            _ => EntityApi.ListByName(table: "organisations", alias: "o", itemJson: "organisation_summary_json(o)"));
}
