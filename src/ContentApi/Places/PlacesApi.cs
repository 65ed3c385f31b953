using ContentApi.Entities;
using ContentApi.Reads;

namespace ContentApi.Places;

internal static class PlacesApi
{
    public static RouteGroupBuilder MapPlacesApi(this IEndpointRouteBuilder routes)
    {
        var places = new EntityDefinition(
            Path: "/v1/places", Table: "places", Singular: "Place", Plural: "Places",
            ListDescription: "Places articles are about, by name, with the number of published articles about each.",
            DetailDescription: "Kind, country, article count and the five latest articles about the place.",
            DetailSql: EntityApi.DetailSql("place", "places", "pl", "place_json(pl)"),
            ArticlesOf: (articles, slug) => articles with { Place = slug },
            EditorDetailSql: "select place_json(pl)::text as document, pl.version from places pl where pl.slug = @slug");
        return routes.MapEntityApi<PagingQuery, PlaceSummary, PlaceDetail>(
                places, _ => EntityApi.ListByName(table: "places", alias: "pl", itemJson: "place_summary_json(pl)"))
            .MapEntityWrites<PlaceWrite, PlaceDetail>(places, new EntityWriting<PlaceWrite>(
                SaveFunction: "place_save",
                WriteDocumentSql: "select place_write_json(pl)::text as document, pl.version from places pl where pl.slug = @slug",
                NameOf: place => place.Name));
    }
}
