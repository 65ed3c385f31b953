using ContentApi.Articles;
using ContentApi.Entities;
using ContentApi.Infrastructure.Http;

namespace ContentApi.Tags;

/// <summary>A tag in a list.</summary>
/// <param name="Id">Numeric id (the slug is the public key).</param>
/// <param name="Slug">URL key.</param>
/// <param name="Name">Display name.</param>
/// <param name="ArticleCount">Published articles with the tag.</param>
public sealed record TagSummary(long Id, string Slug, string Name, int ArticleCount)
{
    public static TagSummary Example { get; } = new(5, "security-cooperation", "Security cooperation", 1);
}

/// <summary>A tag with its latest articles.</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Slug">URL key.</param>
/// <param name="Name">Display name.</param>
/// <param name="Description">What the topic covers.</param>
/// <param name="ArticleCount">Published articles with the tag.</param>
/// <param name="LatestArticles">The five newest of them.</param>
public sealed record TagDetail(long Id, string Slug, string Name, string? Description, int ArticleCount, IReadOnlyList<ArticleSummary> LatestArticles)
{
    public static TagDetail Example { get; } = new(5, "security-cooperation", "Security cooperation", null, 1, [ArticleSummary.Example]);
}

/// <summary>A tag as an editor writes it.</summary>
/// <param name="Name">Display name, 1 to 100 characters.</param>
/// <param name="Slug">URL key; derived from the name when absent on creation, kept when absent on a replace.</param>
/// <param name="Description">What the topic covers (at most 2,000 characters).</param>
public sealed record TagWrite(
    [DocumentedMaxLength(EntityLimits.TagName)] string Name,
    [DocumentedSlug] string? Slug = null,
    [DocumentedMaxLength(EntityLimits.TagDescription)] string? Description = null)
{
    public static TagWrite Example { get; } = new("Security cooperation", Description: "Countries working together against shared threats.");
}
