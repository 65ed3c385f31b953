using ContentApi.Entities;
using ContentApi.Reads;

namespace ContentApi.Places;

internal static class PlacesApi
{
    public static RouteGroupBuilder MapPlacesApi(this IEndpointRouteBuilder routes) =>
        routes.MapEntityApi<PagingQuery, PlaceSummary, PlaceDetail>(
            new EntityDefinition(
                Path: "/v1/places", Table: "places", Singular: "Place", Plural: "Places",
                ListDescription: "Places articles are about, by name, with the number of published articles about each.",
                DetailDescription: "Kind, country, article count and the five latest articles about the place.",
                DetailSql: "select place_json(pl)::text from places pl where pl.slug = @slug",
                ArticlesOf: (articles, slug) => articles with { Place = slug }),
            _ => EntityApi.ListByName(table: "places", alias: "pl", itemJson: "place_summary_json(pl)"));
}
