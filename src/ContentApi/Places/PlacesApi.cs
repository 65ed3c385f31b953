using ContentApi.Articles;
using ContentApi.Infrastructure.Http;

namespace ContentApi.Places;

internal static class PlacesApi
{
    public static RouteGroupBuilder MapPlacesApi(this IEndpointRouteBuilder routes) =>
        routes.MapLinkedResource<PagingQuery, PlaceSummary, PlaceDetail>(
            new LinkedResource(
                Path: "/v1/places", Tag: "Places", Link: ArticleLink.Place, Singular: "Place", Plural: "Places",
                ListDescription: "Places articles are about, by name, with the number of published articles about each.",
                DetailDescription: "Kind, country, article count and the five latest articles about the place.",
                DetailSql: PlaceQueries.Detail),
            _ => PlaceQueries.ListSpec());
}
