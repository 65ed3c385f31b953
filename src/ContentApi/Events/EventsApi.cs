using ContentApi.Articles;

namespace ContentApi.Events;

internal static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder routes) =>
        routes.MapLinkedResource<ListEventsQuery, EventSummary, EventDetail>(
            new LinkedResource(
                Path: "/v1/events", Tag: "Events", Link: ArticleLink.Event, Singular: "Event", Plural: "Events",
                ListDescription: "Events, latest start first; `from`/`to` keep the events overlapping that date range.",
                DetailDescription: "Dates, location, description, article count and the five latest articles about the event.",
                DetailSql: EventQueries.Detail),
            EventQueries.ListSpec);
}
