using ContentApi.Articles;
using ContentApi.Infrastructure.Http;
using Microsoft.AspNetCore.Mvc;

namespace ContentApi.Changes;

/// <summary>One change to public content: an upsert (the resource is public as it now is) or a tombstone (it no longer is).</summary>
/// <param name="Type">The kind of resource; its URL is /v1/{articles|people|organisations|events|places|tags|authors}/{slug}, a comment's is in its article's comments.</param>
/// <param name="Id">Numeric id of the resource: the key a mirror keeps it under (slugs change).</param>
/// <param name="Slug">Its slug as of this change (null for comments).</param>
/// <param name="Event">What happened: article.published | article.updated | article.unpublished | article.deleted; person.created | .updated | .deleted (and the same for organisation, event, place, tag, author); comment.approved | comment.updated | comment.unapproved | comment.deleted. An entity's `updated` also covers a change to the articles it lists.</param>
/// <param name="Deleted">True for a tombstone: remove the resource (an unpublished, taken-down or deleted article; an unapproved or deleted comment; a deleted entity).</param>
/// <param name="At">When the change took effect, UTC (a scheduled article's publication time).</param>
/// <param name="Etag">For an upsert, the ETag a GET of the resource's page answers after this change (fetch only when it differs from yours); null for a tombstone.</param>
/// <param name="Keys">The cache keys the change invalidates (`article:12`, `articles`, `comments:12`…), for purging a CDN.</param>
public sealed record ContentChange(
    [DocumentedValues("article", "person", "organisation", "event", "place", "tag", "author", "comment")] string Type,
    long Id, string? Slug, string Event, bool Deleted, DateTime At, string? Etag, IReadOnlyList<string> Keys)
{
    public static ContentChange Example { get; } = new(
        "article", 1, SeedArticle.Slug, "article.published", false, SeedArticle.PublishedAt, "W/\"a42\"", ["article:1", "articles"]);
}

/// <summary>A page of the changes feed.</summary>
/// <param name="Items">The changes, oldest first (commit order); during the initial sync, every public resource as an upsert.</param>
/// <param name="Next">The token to ask with next (`since`); keep it: it is your position in the feed.</param>
/// <param name="HasMore">Whether more changes wait now; when false, ask again later with `next`.</param>
/// <param name="Phase">sync while the initial copy of the public dataset is being paged; changes after that.</param>
public sealed record ChangesPage(
    IReadOnlyList<ContentChange> Items, string Next, bool HasMore, [DocumentedValues("sync", "changes")] string Phase)
{
    public static ChangesPage Example { get; } = new([ContentChange.Example], "AQdjaGFuZ2VzAAUqAAAAAAAAAAAAAAAAAAAAw1v8zJ0tq0d7V5n2wq3R4g", false, "changes");
}

/// <summary>Where to read the feed from.</summary>
public sealed record ChangesQuery
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;
    public const int MaxTokenLength = 500;

    /// <summary>A `next` token from an earlier page. Without it, the feed starts with a full sync of the public dataset.</summary>
    [FromQuery(Name = "since")]
    [DocumentedMaxLength(MaxTokenLength)]
    public string? Since { get; init; }

    /// <summary>Changes per page, 1 to 1,000 (default 100).</summary>
    [FromQuery(Name = "pageSize")]
    [DocumentedRange(1, MaxPageSize)]
    public int? PageSize { get; init; }
}
