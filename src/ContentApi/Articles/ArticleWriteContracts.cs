using ContentApi.Infrastructure.Http;
using ContentApi.Reads;

namespace ContentApi.Articles;

/// <summary>
/// An article as an editor writes it (POST, PUT, the result of a PATCH, a revision): its
/// metadata by reference (slugs). Server-owned values (id, createdAt, updatedAt,
/// firstPublishedAt, commentCount) are not part of it: sending one is a 400.
/// </summary>
/// <param name="Title">Headline, 1 to 300 characters.</param>
/// <param name="Slug">URL key; derived from the title when absent on creation (and made unique), kept when absent on a replace. Renaming keeps the old slug as a 301 redirect.</param>
/// <param name="Summary">Standfirst, plain text, at most 2,000 characters.</param>
/// <param name="Language">ISO 639-1 language code (the BCP 47 primary subtag), e.g. en.</param>
/// <param name="Status">draft | published | archived. Published with a future publishedAt is scheduled: invisible to the public until then.</param>
/// <param name="PublishedAt">Publication time, UTC; now when publishing without one.</param>
/// <param name="CommentsOpen">Whether readers may post comments.</param>
/// <param name="CoverageStart">First day the article covers.</param>
/// <param name="CoverageEnd">Last day the article covers (not before coverageStart).</param>
/// <param name="Image">Lead image, hosted by the publisher (https).</param>
/// <param name="Body">Typed blocks of plain text, in reading order (at most 500).</param>
/// <param name="Event">Slug of the event the article reports on.</param>
/// <param name="People">People involved, in editorial order, with their role.</param>
/// <param name="Organisations">Organisations involved, in editorial order, with their role.</param>
/// <param name="Places">Slugs of the places the article is about.</param>
/// <param name="Tags">Slugs of its topics.</param>
/// <param name="Authors">Slugs of its bylines, in order.</param>
public sealed record ArticleWrite(
    [DocumentedMaxLength(ArticleLimits.Title)] string Title,
    [DocumentedSlug] string? Slug = null,
    [DocumentedMaxLength(ArticleLimits.Summary)] string Summary = "",
    [DocumentedPattern("^[a-z]{2}$", 2)] string Language = "en",
    [DocumentedValues("draft", "published", "archived")] string Status = "draft",
    DateTime? PublishedAt = null,
    bool CommentsOpen = true,
    DateOnly? CoverageStart = null,
    DateOnly? CoverageEnd = null,
    ArticleImage? Image = null,
    [DocumentedMaxItems(ArticleLimits.BodyBlocks)] IReadOnlyList<BodyBlock>? Body = null,
    [DocumentedSlug] string? Event = null,
    [DocumentedMaxItems(ArticleLimits.Links)] IReadOnlyList<LinkedPerson>? People = null,
    [DocumentedMaxItems(ArticleLimits.Links)] IReadOnlyList<LinkedOrganisation>? Organisations = null,
    [DocumentedMaxItems(ArticleLimits.Links), DocumentedSlug] IReadOnlyList<string>? Places = null,
    [DocumentedMaxItems(ArticleLimits.Links), DocumentedSlug] IReadOnlyList<string>? Tags = null,
    [DocumentedMaxItems(ArticleLimits.Links), DocumentedSlug] IReadOnlyList<string>? Authors = null)
{
    public static ArticleWrite Example { get; } = new(
        "Hammouchi promotes a new vision of shared international security cooperation at the Moscow international forum",
        Summary: SeedArticle.Summary,
        Status: "published",
        PublishedAt: SeedArticle.PublishedAt,
        CoverageStart: new DateOnly(2025, 5, 27),
        CoverageEnd: new DateOnly(2025, 5, 29),
        Body: [BodyBlock.Example, BodyBlock.QuoteExample],
        Event: "13th-international-meeting-of-high-level-security-officials",
        People: [LinkedPerson.Example],
        Organisations: [new("dgsn", "subject"), new("dgst", "subject"), LinkedOrganisation.Example],
        Places: ["moscow", "morocco"],
        Tags: ["organised-crime", "terrorism", "cyber-threats", "global-south", "security-cooperation"]);
}

/// <param name="Slug">Slug of the person.</param>
/// <param name="Role">subject | quoted | mentioned (default mentioned).</param>
public sealed record LinkedPerson([DocumentedSlug] string Slug, [DocumentedValues("subject", "quoted", "mentioned")] string Role = "mentioned")
{
    public static LinkedPerson Example { get; } = new("abdellatif-hammouchi", "subject");
}

/// <param name="Slug">Slug of the organisation.</param>
/// <param name="Role">subject | mentioned (default mentioned).</param>
public sealed record LinkedOrganisation([DocumentedSlug] string Slug, [DocumentedValues("subject", "mentioned")] string Role = "mentioned")
{
    public static LinkedOrganisation Example { get; } = new("fsb", "mentioned");
}

/// <summary>An image the publisher hosts (no upload): the lead image, or a body block of type image.</summary>
/// <param name="Url">Absolute https URL of the image.</param>
/// <param name="Alt">Text alternative, required.</param>
/// <param name="Caption">Caption.</param>
/// <param name="Credit">Who made it.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
public sealed record ArticleImage(
    [DocumentedMaxLength(ArticleLimits.Url)] string Url,
    [DocumentedMaxLength(ArticleLimits.Alt)] string Alt,
    [DocumentedMaxLength(ArticleLimits.Caption)] string? Caption = null,
    [DocumentedMaxLength(ArticleLimits.Credit)] string? Credit = null,
    [DocumentedRange(1, ArticleLimits.ImageSide)] int? Width = null,
    [DocumentedRange(1, ArticleLimits.ImageSide)] int? Height = null)
{
    public static ArticleImage Example { get; } = new(
        "https://media.example.org/2025/05/moscow-forum.jpg", "Delegations at the 13th International Meeting of High-Level Security Officials in Moscow",
        "The forum gathered delegations from over one hundred countries.", "Example Media", 1600, 900);
}

/// <summary>One stored revision of an article.</summary>
/// <param name="Number">1 for the first write, then one more for each.</param>
/// <param name="KeyName">The name of the API key that wrote it.</param>
/// <param name="CreatedAt">When it was written, UTC.</param>
public sealed record ArticleRevisionSummary(int Number, string KeyName, DateTime CreatedAt)
{
    public static ArticleRevisionSummary Example { get; } = new(2, "newsroom", new DateTime(2025, 5, 30, 9, 12, 0, DateTimeKind.Utc));
}

/// <summary>A revision with the document as it was written.</summary>
/// <param name="Number">The revision's number.</param>
/// <param name="KeyName">The name of the API key that wrote it.</param>
/// <param name="CreatedAt">When it was written, UTC.</param>
/// <param name="Document">The article as written.</param>
public sealed record ArticleRevision(int Number, string KeyName, DateTime CreatedAt, ArticleWrite Document)
{
    public static ArticleRevision Example { get; } = new(2, "newsroom", new DateTime(2025, 5, 30, 9, 12, 0, DateTimeKind.Utc), ArticleWrite.Example);
}

/// <summary>A signed link to the current version of an article, drafts included, for a frontend's preview.</summary>
/// <param name="Url">GET it without a key (from any origin) until it expires.</param>
/// <param name="ExpiresAt">When it stops working, UTC.</param>
public sealed record PreviewLink(string Url, DateTime ExpiresAt)
{
    public static PreviewLink Example { get; } = new("/v1/preview/AQAAAAAAAAABAAAAZ2Pq8Q.3jRkX0Cq1m9Q3Vb0cY2w4g", new DateTime(2025, 5, 31, 9, 0, 0, DateTimeKind.Utc));
}

/// <summary>Paging of an article's revisions (newest first).</summary>
public sealed record ListRevisionsQuery : PagingQuery;

internal static class ArticleLimits
{
    public const int Title = 300;
    public const int Summary = 2000;
    public const int Url = 500;
    public const int Alt = 300;
    public const int Caption = 1000;
    public const int Credit = 300;
    public const int ImageSide = 20_000;
    public const int BodyBlocks = 500;
    public const int BlockText = 20_000;
    public const int ListItems = 100;
    public const int Links = 50;

    /// <summary>Room for the largest article in any script, JSON-escaped.</summary>
    public const int RequestBytes = 4 * 1024 * 1024;
}
