using ContentApi.Articles;
using ContentApi.Reads;
using Microsoft.AspNetCore.Mvc;

namespace ContentApi.Events;

/// <summary>An event in a list.</summary>
/// <param name="Id">Numeric id (the slug is the public key).</param>
/// <param name="Slug">URL key.</param>
/// <param name="Name">Name of the event.</param>
/// <param name="StartDate">First day.</param>
/// <param name="EndDate">Last day.</param>
/// <param name="Location">Where it takes place.</param>
/// <param name="ArticleCount">Published articles about the event.</param>
public sealed record EventSummary(long Id, string Slug, string Name, DateOnly StartDate, DateOnly EndDate, EventLocation Location, int ArticleCount);

/// <summary>An event with its latest articles.</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Slug">URL key.</param>
/// <param name="Name">Name of the event.</param>
/// <param name="Description">What happened.</param>
/// <param name="StartDate">First day.</param>
/// <param name="EndDate">Last day.</param>
/// <param name="Location">Where it takes place.</param>
/// <param name="Place">The place, when it is one of ours.</param>
/// <param name="ArticleCount">Published articles about the event.</param>
/// <param name="LatestArticles">The five newest of them.</param>
public sealed record EventDetail(
    long Id, string Slug, string Name, string? Description, DateOnly StartDate, DateOnly EndDate, EventLocation Location,
    EventPlace? Place, int ArticleCount, IReadOnlyList<ArticleSummary> LatestArticles);

/// <param name="Slug">URL key of the place.</param>
/// <param name="Name">Name.</param>
public sealed record EventPlace(string Slug, string Name);

/// <summary>Paging and date filters of the event list.</summary>
public sealed record ListEventsQuery : PagingQuery
{
    /// <summary>Only events that end on or after this day (yyyy-MM-dd).</summary>
    [FromQuery(Name = "from")]
    public DateOnly? From { get; init; }

    /// <summary>Only events that start on or before this day (yyyy-MM-dd).</summary>
    [FromQuery(Name = "to")]
    public DateOnly? To { get; init; }
}
