using ContentApi.Articles;
using ContentApi.Entities;
using ContentApi.Infrastructure.Http;

namespace ContentApi.Places;

/// <summary>A place in a list.</summary>
/// <param name="Id">Numeric id (the slug is the public key).</param>
/// <param name="Slug">URL key.</param>
/// <param name="Name">Name.</param>
/// <param name="Kind">city | region | country | venue | other</param>
/// <param name="Country">ISO 3166-1 alpha-2 country code.</param>
/// <param name="ArticleCount">Published articles about the place.</param>
public sealed record PlaceSummary(long Id, string Slug, string Name, [DocumentedValues("city", "region", "country", "venue", "other")] string Kind, string? Country, int ArticleCount)
{
    public static PlaceSummary Example { get; } = new(1, "moscow", "Moscow", "city", "RU", 1);
}

/// <summary>A place with its latest articles.</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Slug">URL key.</param>
/// <param name="Name">Name.</param>
/// <param name="Kind">city | region | country | venue | other</param>
/// <param name="Country">ISO 3166-1 alpha-2 country code.</param>
/// <param name="ArticleCount">Published articles about the place.</param>
/// <param name="LatestArticles">The five newest of them.</param>
public sealed record PlaceDetail(long Id, string Slug, string Name, [DocumentedValues("city", "region", "country", "venue", "other")] string Kind, string? Country, int ArticleCount, IReadOnlyList<ArticleSummary> LatestArticles)
{
    public static PlaceDetail Example { get; } = new(1, "moscow", "Moscow", "city", "RU", 1, [ArticleSummary.Example]);
}

/// <summary>A place as an editor writes it.</summary>
/// <param name="Name">Name, 1 to 300 characters.</param>
/// <param name="Slug">URL key; derived from the name when absent on creation, kept when absent on a replace.</param>
/// <param name="Kind">city | region | country | venue | other (default city).</param>
/// <param name="Country">ISO 3166-1 alpha-2 country code.</param>
public sealed record PlaceWrite(
    [DocumentedMaxLength(EntityLimits.Name)] string Name,
    [DocumentedSlug] string? Slug = null,
    [DocumentedValues("city", "region", "country", "venue", "other")] string Kind = "city",
    [DocumentedPattern(EntityLimits.CountryPattern, 2)] string? Country = null)
{
    public static PlaceWrite Example { get; } = new("Moscow", Country: "RU");
}
