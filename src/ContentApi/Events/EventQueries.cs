using ContentApi.Articles;
using ContentApi.Infrastructure.Http;
using Dapper;

namespace ContentApi.Events;

internal static class EventQueries
{
    private static readonly string ArticleCount = ArticleQueries.LinkedCountSql("article_events", "event_id", "e.id");

    private const string Location = "json_build_object('venue', e.venue, 'city', e.city, 'country', e.country)";

    /// <summary>Events, newest first; <c>from</c>/<c>to</c> keep those overlapping the range.</summary>
    public static ListSpec ListSpec(ListEventsQuery query)
    {
        var parameters = new DynamicParameters();
        parameters.Add("from", query.From);
        parameters.Add("to", query.To);
        return new ListSpec(
            Scope: $"events\nfrom={query.From:O}\nto={query.To:O}",
            ItemJson: $"""
                json_build_object('id', e.id, 'slug', e.slug, 'name', e.name, 'startDate', e.start_date,
                                  'endDate', e.end_date, 'location', {Location}, 'articleCount', {ArticleCount})
                """,
            FromWhere: """
                from events e
                where (@from::date is null or e.end_date >= @from::date)
                  and (@to::date is null or e.start_date <= @to::date)
                """,
            Sort: new SortOrder("-startDate", "e.start_date", "e.id", Descending: true),
            Parameters: parameters);
    }

    /// <summary>EventDetail as JSON: the event, its place, count and latest articles.</summary>
    public static readonly string Detail = $"""
        select json_build_object(
            'id', e.id, 'slug', e.slug, 'name', e.name, 'description', e.description,
            'startDate', e.start_date, 'endDate', e.end_date, 'location', {Location},
            'place', (select json_build_object('slug', pl.slug, 'name', pl.name) from places pl where pl.id = e.place_id),
            'articleCount', {ArticleCount},
            'latestArticles', {ArticleQueries.LatestLinkedJson("article_events", "event_id", "e.id", withRole: false)}
        )::text
        from events e
        where e.slug = @slug;
        """;
}
