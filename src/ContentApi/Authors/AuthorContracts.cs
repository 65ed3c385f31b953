using ContentApi.Articles;
using ContentApi.Entities;
using ContentApi.Infrastructure.Http;

namespace ContentApi.Authors;

/// <summary>A byline in a list.</summary>
/// <param name="Id">Numeric id (the slug is the public key).</param>
/// <param name="Slug">URL key.</param>
/// <param name="Name">Name as printed.</param>
/// <param name="Url">The author's profile page.</param>
/// <param name="Image">Portrait URL.</param>
/// <param name="ArticleCount">Published articles with this byline.</param>
public sealed record AuthorSummary(long Id, string Slug, string Name, string? Url, string? Image, int ArticleCount)
{
    public static AuthorSummary Example { get; } = new(1, "jane-doe", "Jane Doe", "https://news.example.org/authors/jane-doe", null, 12);
}

/// <summary>A byline with its bio and latest articles.</summary>
/// <param name="Id">Numeric id.</param>
/// <param name="Slug">URL key.</param>
/// <param name="Name">Name as printed.</param>
/// <param name="Bio">Who the author is.</param>
/// <param name="Url">The author's profile page.</param>
/// <param name="Image">Portrait URL.</param>
/// <param name="ArticleCount">Published articles with this byline.</param>
/// <param name="LatestArticles">The five newest of them.</param>
public sealed record AuthorDetail(long Id, string Slug, string Name, string? Bio, string? Url, string? Image, int ArticleCount, IReadOnlyList<ArticleSummary> LatestArticles)
{
    public static AuthorDetail Example { get; } = new(1, "jane-doe", "Jane Doe", "Security correspondent.", "https://news.example.org/authors/jane-doe", null, 12, [ArticleSummary.Example]);
}

/// <summary>A byline as an editor writes it.</summary>
/// <param name="Name">Name as printed, 1 to 300 characters.</param>
/// <param name="Slug">URL key; derived from the name when absent on creation, kept when absent on a replace.</param>
/// <param name="Bio">Who the author is (at most 5,000 characters).</param>
/// <param name="Url">Profile page, absolute http(s) URL.</param>
/// <param name="Image">Portrait, absolute https URL.</param>
public sealed record AuthorWrite(
    [DocumentedMaxLength(EntityLimits.Name)] string Name,
    [DocumentedSlug] string? Slug = null,
    [DocumentedMaxLength(EntityLimits.Description)] string? Bio = null,
    [DocumentedMaxLength(EntityLimits.Url)] string? Url = null,
    [DocumentedMaxLength(EntityLimits.Url)] string? Image = null)
{
    public static AuthorWrite Example { get; } = new("Jane Doe", Bio: "Security correspondent.", Url: "https://news.example.org/authors/jane-doe");
}
