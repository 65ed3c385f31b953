using ContentApi.Entities;
using ContentApi.Reads;

namespace ContentApi.Organisations;

internal static class OrganisationsApi
{
    public static RouteGroupBuilder MapOrganisationsApi(this IEndpointRouteBuilder routes)
    {
        var organisations = new EntityDefinition(
            Path: "/v1/organisations", Table: "organisations", Singular: "Organisation", Plural: "Organisations",
            ListDescription: "Organisations in the news, by name, with the number of published articles involving each.",
            DetailDescription: "Acronym, kind, country, parent and child organisations, affiliated people, article count and the five latest articles with the organisation's role in each.",
            DetailSql: EntityApi.DetailSql("organisation", "organisations", "o", "organisation_json(o)"),
            ArticlesOf: (articles, slug) => articles with { Organisation = slug },
            EditorDetailSql: "select organisation_json(o)::text as document, o.version from organisations o where o.slug = @slug");
        return routes.MapEntityApi<PagingQuery, OrganisationSummary, OrganisationDetail>(
                organisations, _ => EntityApi.ListByName(table: "organisations", alias: "o", itemJson: "organisation_summary_json(o)"))
            .MapEntityWrites<OrganisationWrite, OrganisationDetail>(organisations, new EntityWriting<OrganisationWrite>(
                SaveFunction: "organisation_save",
                WriteDocumentSql: "select organisation_write_json(o)::text as document, o.version from organisations o where o.slug = @slug",
                NameOf: organisation => organisation.Name));
    }
}
