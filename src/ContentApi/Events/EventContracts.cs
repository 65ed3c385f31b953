using ContentApi.Articles;
using ContentApi.Entities;
using ContentApi.Infrastructure.Http;
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
public sealed record EventSummary(long Id, string Slug, string Name, DateOnly StartDate, DateOnly EndDate, EventLocation Location, int ArticleCount)
{
    public static EventSummary Example { get; } = new(1, "13th-international-meeting-of-high-level-security-officials", "13th International Meeting of High-Level Security Officials", new DateOnly(2025, 5, 27), new DateOnly(2025, 5, 29), EventLocation.Example, 1);
}

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
    EventPlace? Place, int ArticleCount, IReadOnlyList<ArticleSummary> LatestArticles)
{
    public static EventDetail Example { get; } = new(1, "13th-international-meeting-of-high-level-security-officials", "13th International Meeting of High-Level Security Officials", "Delegations from over one hundred countries gathered in Moscow to discuss the future of global security.", new DateOnly(2025, 5, 27), new DateOnly(2025, 5, 29), EventLocation.Example, EventPlace.Example, 1, [ArticleSummary.Example]);
}

/// <param name="Slug">URL key of the place.</param>
/// <param name="Name">Name.</param>
public sealed record EventPlace(string Slug, string Name)
{
    public static EventPlace Example { get; } = new("moscow", "Moscow");
}

/// <summary>Paging and date filters of the event list.</summary>
public sealed record ListEventsQuery : PagingQuery
{
    /// <summary>Only events that end on or after this day (yyyy-MM-dd).</summary>
    [FromQuery(Name = "from")]
    [DocumentedMaxLength(10)]
    public DateOnly? From { get; init; }

    /// <summary>Only events that start on or before this day (yyyy-MM-dd).</summary>
    [FromQuery(Name = "to")]
    [DocumentedMaxLength(10)]
    public DateOnly? To { get; init; }
}

/// <summary>An event as an editor writes it.</summary>
/// <param name="Name">Name, 1 to 300 characters.</param>
/// <param name="StartDate">First day.</param>
/// <param name="EndDate">Last day (not before the first).</param>
/// <param name="Slug">URL key; derived from the name when absent on creation, kept when absent on a replace.</param>
/// <param name="Description">What happened.</param>
/// <param name="Venue">Venue.</param>
/// <param name="City">City.</param>
/// <param name="Country">ISO 3166-1 alpha-2 country code.</param>
/// <param name="Place">Slug of the place, when it is one of ours.</param>
public sealed record EventWrite(
    [DocumentedMaxLength(EntityLimits.Name)] string Name,
    DateOnly StartDate,
    DateOnly EndDate,
    [DocumentedSlug] string? Slug = null,
    [DocumentedMaxLength(EntityLimits.Description)] string? Description = null,
    [DocumentedMaxLength(EntityLimits.Name)] string? Venue = null,
    [DocumentedMaxLength(EntityLimits.City)] string? City = null,
    [DocumentedPattern(EntityLimits.CountryPattern, 2)] string? Country = null,
    [DocumentedSlug] string? Place = null)
{
    public static EventWrite Example { get; } = new("13th International Meeting of High-Level Security Officials", new DateOnly(2025, 5, 27), new DateOnly(2025, 5, 29),
        Description: "Delegations from over one hundred countries gathered in Moscow to discuss the future of global security.", City: "Moscow", Country: "RU", Place: "moscow");
}
