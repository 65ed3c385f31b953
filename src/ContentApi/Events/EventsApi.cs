using ContentApi.Entities;
using ContentApi.Reads;
using NpgsqlTypes;

namespace ContentApi.Events;

internal static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder routes)
    {
        var events = new EntityDefinition(
            Path: "/v1/events", Table: "events", Singular: "Event", Plural: "Events",
            ListDescription: "Events, latest start first; `from`/`to` keep the events overlapping that date range.",
            DetailDescription: "Dates, location, description, article count and the five latest articles about the event.",
            DetailSql: EntityApi.DetailSql("event", "events", "e", "event_json(e)"),
            ArticlesOf: (articles, slug) => articles with { Event = slug },
            EditorDetailSql: "select event_json(e)::text as document, e.version from events e where e.slug = @slug");
        return routes.MapEntityApi<ListEventsQuery, EventSummary, EventDetail>(events, ListSpec)
            .MapEntityWrites<EventWrite, EventDetail>(events, new EntityWriting<EventWrite>(
                SaveFunction: "event_save",
                WriteDocumentSql: "select event_write_json(e)::text as document, e.version from events e where e.slug = @slug",
                NameOf: e => e.Name));
    }

    /// <summary>Events, latest start first; <c>from</c>/<c>to</c> keep those overlapping the range.</summary>
    private static ListSpec ListSpec(ListEventsQuery query)
    {
        var parameters = new SqlParameters();
        parameters.Add("from", query.From, NpgsqlDbType.Date);
        parameters.Add("to", query.To, NpgsqlDbType.Date);
        return new ListSpec(
            Scope: $"events\nfrom={query.From:O}\nto={query.To:O}",
            ItemJson: "event_summary_json(e)",
            FromWhere: """
                from events e
                where (@from::date is null or e.end_date >= @from::date)
                  and (@to::date is null or e.start_date <= @to::date)
                """,
            Sort: new SortOrder("-startDate", "e.start_date", "e.id", Descending: true),
            Parameters: parameters) { CacheKeys = ["events"] };
    }
}
