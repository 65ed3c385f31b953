using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using Microsoft.AspNetCore.Mvc;

namespace ContentApi.Articles;

/// <summary>An article in a list: everything but the body and the metadata block.</summary>
/// <param name="Id">Numeric id (the slug is the public key).</param>
/// <param name="Slug">URL key of the article.</param>
/// <param name="Title">Headline.</param>
/// <param name="Summary">Standfirst, plain text.</param>
/// <param name="Language">ISO 639-1 language code.</param>
/// <param name="PublishedAt">Publication time, UTC; null only for a draft without one (editorial lists).</param>
/// <param name="UpdatedAt">Last editorial change, UTC.</param>
/// <param name="CommentCount">Approved reader comments.</param>
/// <param name="Authors">Bylines, in order.</param>
/// <param name="Image">Lead image, if any.</param>
public sealed record ArticleSummary(
    long Id, string Slug, string Title, string Summary, string Language,
    DateTime? PublishedAt, DateTime UpdatedAt, int CommentCount, IReadOnlyList<ArticleAuthor> Authors, ArticleImage? Image)
{
    public static ArticleSummary Example { get; } = new(1, SeedArticle.Slug, SeedArticle.Title, SeedArticle.Summary, "en", SeedArticle.PublishedAt, SeedArticle.PublishedAt, 1, [], null);
}

/// <summary>One article with its body and its whole metadata block.</summary>
/// <param name="Id">Numeric id (the slug is the public key).</param>
/// <param name="Slug">URL key of the article.</param>
/// <param name="Title">Headline.</param>
/// <param name="Summary">Standfirst, plain text.</param>
/// <param name="Language">ISO 639-1 language code.</param>
/// <param name="Status">Always <c>published</c> on public reads; draft | published | archived for editors (API key with content:write).</param>
/// <param name="Image">Lead image, if any.</param>
/// <param name="Body">Typed blocks of plain text, in reading order.</param>
/// <param name="Authors">Bylines, in order.</param>
/// <param name="CommentsOpen">Whether readers may post comments.</param>
/// <param name="CommentCount">Approved reader comments.</param>
/// <param name="Metadata">Event, dates, people, organisations, places and tags.</param>
public sealed record ArticleDetail(
    long Id, string Slug, string Title, string Summary, string Language, [DocumentedValues("draft", "published", "archived")] string Status,
    ArticleImage? Image, IReadOnlyList<BodyBlock> Body, IReadOnlyList<ArticleAuthor> Authors, bool CommentsOpen, int CommentCount, ArticleMetadata Metadata)
{
    public static ArticleDetail Example { get; } = new(1, SeedArticle.Slug, SeedArticle.Title, SeedArticle.Summary, "en", "published", null, [BodyBlock.Example, BodyBlock.QuoteExample], [], CommentsOpen: true, CommentCount: 1, ArticleMetadata.Example);
}

/// <summary>A block of the article body. Text is plain text, never HTML. Each type has its own fields; others are absent.</summary>
/// <param name="Type">paragraph | heading | quote | list | image</param>
/// <param name="Text">The text of a paragraph, heading or quote.</param>
/// <param name="Person">For a quote: the slug of the person quoted.</param>
/// <param name="Level">For a heading: 2 to 6.</param>
/// <param name="Items">For a list: its items.</param>
/// <param name="Ordered">For a list: whether it is numbered.</param>
/// <param name="Url">For an image: its absolute https URL.</param>
/// <param name="Alt">For an image: its text alternative (required).</param>
/// <param name="Caption">For an image: its caption.</param>
/// <param name="Credit">For an image: who made it.</param>
/// <param name="Width">For an image: width in pixels.</param>
/// <param name="Height">For an image: height in pixels.</param>
public sealed record BodyBlock(
    [DocumentedValues("paragraph", "heading", "quote", "list", "image")] string Type,
    [DocumentedMaxLength(ArticleLimits.BlockText)] string? Text = null,
    [DocumentedSlug] string? Person = null,
    [DocumentedRange(2, 6)] int? Level = null,
    [DocumentedMaxItems(ArticleLimits.ListItems), DocumentedMaxLength(ArticleLimits.BlockText)] IReadOnlyList<string>? Items = null,
    bool? Ordered = null,
    [DocumentedMaxLength(ArticleLimits.Url)] string? Url = null,
    [DocumentedMaxLength(ArticleLimits.Alt)] string? Alt = null,
    [DocumentedMaxLength(ArticleLimits.Caption)] string? Caption = null,
    [DocumentedMaxLength(ArticleLimits.Credit)] string? Credit = null,
    [DocumentedRange(1, ArticleLimits.ImageSide)] int? Width = null,
    [DocumentedRange(1, ArticleLimits.ImageSide)] int? Height = null)
{
    /// <summary>The seed article's quote, attributed to the person who said it.</summary>
    public static BodyBlock QuoteExample { get; } = new("quote", Text: "effective security can only be achieved through strong and shared cooperation", Person: "abdellatif-hammouchi");

    public static BodyBlock Example { get; } = new("paragraph", Text: "From May 27 to 29, 2025, Abdellatif Hammouchi, Director General of Morocco’s National Security and Territorial Surveillance (DGSN-DGST), took active part in the 13th International Meeting of High-Level Security Officials in Moscow, where delegations from over one hundred countries gathered to discuss the future of global security.");
}

/// <summary>What the article is about, embedded in the detail view.</summary>
/// <param name="Event">The event the article reports on, if any.</param>
/// <param name="Dates">Publication, modification and coverage dates.</param>
/// <param name="People">People involved, in editorial order.</param>
/// <param name="Organisations">Organisations involved, in editorial order.</param>
/// <param name="Places">Places the article is about.</param>
/// <param name="Tags">Topics.</param>
public sealed record ArticleMetadata(
    ArticleEvent? Event, ArticleDates Dates, IReadOnlyList<ArticlePerson> People,
    IReadOnlyList<ArticleOrganisation> Organisations, IReadOnlyList<ArticlePlace> Places, IReadOnlyList<ArticleTag> Tags)
{
    public static ArticleMetadata Example { get; } = new(ArticleEvent.Example, ArticleDates.Example, [ArticlePerson.Example], [ArticleOrganisation.Example], [ArticlePlace.Example], [ArticleTag.Example]);
}

/// <param name="Slug">URL key of the event.</param>
/// <param name="Name">Name of the event.</param>
/// <param name="StartDate">First day (yyyy-MM-dd).</param>
/// <param name="EndDate">Last day (yyyy-MM-dd).</param>
/// <param name="Location">Where it took place.</param>
public sealed record ArticleEvent(string Slug, string Name, DateOnly StartDate, DateOnly EndDate, EventLocation Location)
{
    public static ArticleEvent Example { get; } = new("13th-international-meeting-of-high-level-security-officials", "13th International Meeting of High-Level Security Officials", new DateOnly(2025, 5, 27), new DateOnly(2025, 5, 29), EventLocation.Example);
}

/// <param name="Venue">Venue, when known.</param>
/// <param name="City">City.</param>
/// <param name="Country">ISO 3166-1 alpha-2 country code.</param>
public sealed record EventLocation(string? Venue, string? City, string? Country)
{
    public static EventLocation Example { get; } = new(null, "Moscow", "RU");
}

/// <param name="Published">Publication time, UTC (null for a draft that has none yet).</param>
/// <param name="FirstPublished">When it was first published, UTC: set once, never moved by later edits.</param>
/// <param name="Modified">Last editorial change, UTC.</param>
/// <param name="CoverageStart">First day the article covers.</param>
/// <param name="CoverageEnd">Last day the article covers.</param>
public sealed record ArticleDates(DateTime? Published, DateTime? FirstPublished, DateTime Modified, DateOnly? CoverageStart, DateOnly? CoverageEnd)
{
    public static ArticleDates Example { get; } = new(SeedArticle.PublishedAt, SeedArticle.PublishedAt, SeedArticle.PublishedAt, new DateOnly(2025, 5, 27), new DateOnly(2025, 5, 29));
}

/// <param name="Slug">URL key of the person.</param>
/// <param name="Name">Full name.</param>
/// <param name="Role">subject | quoted | mentioned</param>
/// <param name="Affiliations">The person's positions.</param>
public sealed record ArticlePerson(string Slug, string Name, [DocumentedValues("subject", "quoted", "mentioned")] string Role, IReadOnlyList<PersonAffiliation> Affiliations)
{
    public static ArticlePerson Example { get; } = new("abdellatif-hammouchi", "Abdellatif Hammouchi", "subject", [PersonAffiliation.Example, new("dgst", "Director General")]);
}

/// <param name="Organisation">Slug of the organisation.</param>
/// <param name="Title">Position held, e.g. Director General.</param>
public sealed record PersonAffiliation(string Organisation, string Title)
{
    public static PersonAffiliation Example { get; } = new("dgsn", "Director General");
}

/// <param name="Slug">URL key of the organisation.</param>
/// <param name="Name">Full name.</param>
/// <param name="Acronym">Acronym, e.g. FSB.</param>
/// <param name="Country">ISO 3166-1 alpha-2 country code.</param>
/// <param name="Role">subject | mentioned</param>
public sealed record ArticleOrganisation(string Slug, string Name, string? Acronym, string? Country, [DocumentedValues("subject", "mentioned")] string Role)
{
    public static ArticleOrganisation Example { get; } = new("fsb", "Federal Security Service", "FSB", "RU", "mentioned");
}

/// <param name="Slug">URL key of the place.</param>
/// <param name="Name">Name.</param>
/// <param name="Country">ISO 3166-1 alpha-2 country code.</param>
public sealed record ArticlePlace(string Slug, string Name, string? Country)
{
    public static ArticlePlace Example { get; } = new("moscow", "Moscow", "RU");
}

/// <summary>A byline as articles embed it.</summary>
/// <param name="Slug">URL key of the author, under /v1/authors.</param>
/// <param name="Name">Name as printed.</param>
/// <param name="Url">The author's profile page.</param>
public sealed record ArticleAuthor(string Slug, string Name, string? Url)
{
    public static ArticleAuthor Example { get; } = new("jane-doe", "Jane Doe", "https://news.example.org/authors/jane-doe");
}

/// <param name="Slug">URL key of the tag.</param>
/// <param name="Name">Display name.</param>
public sealed record ArticleTag(string Slug, string Name)
{
    public static ArticleTag Example { get; } = new("security-cooperation", "Security cooperation");
}

/// <summary>Paging and order of any list of articles.</summary>
public record ArticlePagingQuery : PagingQuery
{
    /// <summary>Order: `-publishedAt` (newest first, default), `publishedAt`, `title`, or `relevance` (with `q` only: as `/v1/search` ranks articles).</summary>
    [FromQuery(Name = "sort")]
    [DocumentedValues(ArticleSorts.Newest, ArticleSorts.Oldest, ArticleSorts.Title, ArticleSorts.Relevance)]
    public string? Sort { get; init; }
}

/// <summary>An article in which an entity is involved, with the entity's role in it.</summary>
/// <param name="Role">subject | quoted | mentioned (people); subject | mentioned (organisations)</param>
/// <param name="Article">The article.</param>
public sealed record ArticleInvolvement([DocumentedValues("subject", "quoted", "mentioned")] string Role, ArticleSummary Article)
{
    public static ArticleInvolvement Example { get; } = new("subject", ArticleSummary.Example);
}

/// <summary>Query parameters of the article list: paging, order and combinable filters.</summary>
public sealed record ListArticlesQuery : ArticlePagingQuery
{
    /// <summary>Only articles with this tag (slug). An unknown slug gives an empty list.</summary>
    [FromQuery(Name = "tag")]
    [DocumentedSlug]
    public string? Tag { get; init; }

    /// <summary>Only articles involving this person (slug).</summary>
    [FromQuery(Name = "person")]
    [DocumentedSlug]
    public string? Person { get; init; }

    /// <summary>Only articles involving this organisation (slug).</summary>
    [FromQuery(Name = "organisation")]
    [DocumentedSlug]
    public string? Organisation { get; init; }

    /// <summary>Only articles about this event (slug).</summary>
    [FromQuery(Name = "event")]
    [DocumentedSlug]
    public string? Event { get; init; }

    /// <summary>Only articles about this place (slug).</summary>
    [FromQuery(Name = "place")]
    [DocumentedSlug]
    public string? Place { get; init; }

    /// <summary>Only articles with this byline (slug).</summary>
    [FromQuery(Name = "author")]
    [DocumentedSlug]
    public string? Author { get; init; }

    /// <summary>Editors only (API key with content:write): draft, scheduled, published or archived articles instead of the public list.</summary>
    [FromQuery(Name = "status")]
    [DocumentedValues("draft", "scheduled", "published", "archived")]
    public string? Status { get; init; }

    /// <summary>Published on or after this day (yyyy-MM-dd, UTC).</summary>
    [FromQuery(Name = "publishedFrom")]
    [DocumentedMaxLength(10)]
    public DateOnly? PublishedFrom { get; init; }

    /// <summary>Published on or before this day (yyyy-MM-dd, UTC).</summary>
    [FromQuery(Name = "publishedTo")]
    [DocumentedMaxLength(10)]
    public DateOnly? PublishedTo { get; init; }

    /// <summary>About an event that ends on or after this day (yyyy-MM-dd): events overlapping [eventFrom, eventTo].</summary>
    [FromQuery(Name = "eventFrom")]
    [DocumentedMaxLength(10)]
    public DateOnly? EventFrom { get; init; }

    /// <summary>About an event that starts on or before this day (yyyy-MM-dd).</summary>
    [FromQuery(Name = "eventTo")]
    [DocumentedMaxLength(10)]
    public DateOnly? EventTo { get; init; }

    /// <summary>ISO 639-1 language code, e.g. `en`.</summary>
    [FromQuery(Name = "language")]
    [DocumentedPattern("^[a-z]{2}$", 2)]
    public string? Language { get; init; }

    /// <summary>Full-text query, web-search syntax: words, "quoted phrases", -excluded, `or` (1 to 200 characters). Exclusions need a word to find beside them in each alternative (else 400); words as common as "the" are not searched.</summary>
    [FromQuery(Name = "q")]
    [DocumentedMaxLength(200)]
    public string? Q { get; init; }
}

/// <summary>Paging and order of the articles linked to one person, organisation, event, place or tag.</summary>
public sealed record LinkedArticlesQuery : ArticlePagingQuery;

/// <summary>The seed article (sql/seed), which the OpenAPI examples show.</summary>
internal static class SeedArticle
{
    public const string Slug = "hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum";
    public const string Title = "Hammouchi promotes a new vision of shared international security cooperation at the Moscow international forum";
    public const string Summary = "Abdellatif Hammouchi, Director General of the DGSN-DGST, took part in the 13th International Meeting of High-Level Security Officials in Moscow (27–29 May 2025), advocating a security architecture based on fairness, mutual trust and the inclusion of all states.";
    public static readonly DateTime PublishedAt = new(2025, 5, 30, 9, 0, 0, DateTimeKind.Utc);
}
