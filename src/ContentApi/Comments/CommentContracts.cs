using ContentApi.Articles;
using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using Microsoft.AspNetCore.Mvc;

namespace ContentApi.Comments;

/// <summary>
/// The "Leave a Reply" form. Required: authorName, authorEmail (never published), body.
/// Lengths count UTF-16 code units, as an HTML form's maxlength does.
/// </summary>
/// <param name="AuthorName">Required; 1 to 245 characters after trimming.</param>
/// <param name="AuthorEmail">Required, a valid address, at most 100 characters. Never published.</param>
/// <param name="AuthorUrl">Optional absolute http or https URL, at most 200 characters.</param>
/// <param name="Body">Required; 1 to 65,525 characters after trimming; plain text (newlines and tabs allowed).</param>
/// <param name="ParentId">Optional: the approved comment of the same article this one replies to.</param>
public sealed record PostCommentRequest(
    [DocumentedMaxLength(CommentLimits.AuthorName)] string AuthorName,
    [DocumentedMaxLength(CommentLimits.AuthorEmail)] string AuthorEmail,
    [DocumentedMaxLength(CommentLimits.Body)] string Body,
    [DocumentedMaxLength(CommentLimits.AuthorUrl)] string? AuthorUrl = null,
    [DocumentedRange(1, long.MaxValue)] long? ParentId = null)
{
    public static PostCommentRequest Example { get; } = new("Reader", "reader@example.org", "Well put: cooperation is the only way.", "https://reader.example.org");
}

/// <summary>The answer to a posted comment.</summary>
/// <param name="Id">The comment's id.</param>
/// <param name="Status">pending (awaits moderation) or approved (visible now).</param>
public sealed record CommentAccepted(long Id, [DocumentedValues("pending", "approved")] string Status)
{
    public static CommentAccepted Example { get; } = new(7, "pending");
}

/// <summary>An approved comment as anyone may read it.</summary>
/// <param name="Id">The comment's id.</param>
/// <param name="ParentId">The comment it replies to, or null. The parent may not be public.</param>
/// <param name="AuthorName">Name as given.</param>
/// <param name="AuthorUrl">Website as given.</param>
/// <param name="Body">Plain text.</param>
/// <param name="CreatedAt">When it was posted, UTC.</param>
public sealed record PublicComment(long Id, long? ParentId, string AuthorName, string? AuthorUrl, string Body, DateTime CreatedAt)
{
    public static PublicComment Example { get; } = new(7, null, "Reader", "https://reader.example.org", "Well put: cooperation is the only way.", new DateTime(2025, 5, 30, 10, 15, 0, DateTimeKind.Utc));
}

/// <summary>An approved comment with its approved replies, nested.</summary>
/// <param name="Id">The comment's id.</param>
/// <param name="ParentId">The comment it replies to (null for a thread's root).</param>
/// <param name="AuthorName">Name as given.</param>
/// <param name="AuthorUrl">Website as given.</param>
/// <param name="Body">Plain text.</param>
/// <param name="CreatedAt">When it was posted, UTC.</param>
/// <param name="ReplyCount">How many approved direct replies it has (more than <c>replies</c> holds when the thread was cut).</param>
/// <param name="Replies">Approved replies, oldest first. A thread embeds at most 100 replies, breadth first; the flat view pages them all.</param>
public sealed record CommentThread(long Id, long? ParentId, string AuthorName, string? AuthorUrl, string Body, DateTime CreatedAt, int ReplyCount, IReadOnlyList<CommentThread> Replies)
{
    public static CommentThread Example { get; } = new(7, null, "Reader", "https://reader.example.org", "Well put: cooperation is the only way.", new DateTime(2025, 5, 30, 10, 15, 0, DateTimeKind.Utc), 1, [new(8, 7, "Another reader", null, "Agreed.", new DateTime(2025, 5, 30, 11, 2, 0, DateTimeKind.Utc), 0, [])]);
}

/// <summary>A comment as moderators see it, private fields included.</summary>
/// <param name="Id">The comment's id.</param>
/// <param name="Article">Slug of the article.</param>
/// <param name="ParentId">The comment it replies to.</param>
/// <param name="AuthorName">Name as given.</param>
/// <param name="AuthorEmail">Email as given (null once erased).</param>
/// <param name="AuthorUrl">Website as given.</param>
/// <param name="Body">Plain text.</param>
/// <param name="Status">pending | approved | spam | trash</param>
/// <param name="ClientAddress">Address the comment came from.</param>
/// <param name="UserAgent">User agent it came with.</param>
/// <param name="CreatedAt">When it was posted, UTC.</param>
/// <param name="UpdatedAt">Last change, UTC.</param>
/// <param name="Version">Its version: send it as <c>If-Match: "version"</c> to change the comment.</param>
public sealed record ModeratorComment(
    long Id, string Article, long? ParentId, string AuthorName, string? AuthorEmail, string? AuthorUrl, string Body,
    [DocumentedValues("pending", "approved", "spam", "trash")] string Status, string? ClientAddress, string? UserAgent,
    DateTime CreatedAt, DateTime UpdatedAt, int Version)
{
    public static ModeratorComment Example { get; } = new(7, SeedArticle.Slug, null, "Reader", "reader@example.org", "https://reader.example.org", "Well put: cooperation is the only way.", "pending", "203.0.113.7", "Mozilla/5.0", new DateTime(2025, 5, 30, 10, 15, 0, DateTimeKind.Utc), new DateTime(2025, 5, 30, 10, 15, 0, DateTimeKind.Utc), 1);
}

/// <summary>A moderation decision.</summary>
/// <param name="Status">approved | pending | spam | trash</param>
public sealed record ModerateCommentRequest([DocumentedValues("approved", "pending", "spam", "trash")] string Status)
{
    public static ModerateCommentRequest Example { get; } = new("approved");
}

/// <summary>An erasure request (right to be forgotten).</summary>
/// <param name="AuthorEmail">Every comment posted with this email is anonymised.</param>
public sealed record EraseCommentsRequest([DocumentedMaxLength(CommentLimits.AuthorEmail)] string AuthorEmail)
{
    public static EraseCommentsRequest Example { get; } = new("reader@example.org");
}

/// <param name="Anonymised">How many comments were anonymised.</param>
public sealed record EraseCommentsResult(int Anonymised)
{
    public static EraseCommentsResult Example { get; } = new(2);
}

/// <summary>Paging and shape of an article's public comments.</summary>
public sealed record ListCommentsQuery : PagingQuery
{
    /// <summary>`flat` (default): approved comments oldest first, each with its parentId. `tree`: threads, each root with its approved replies nested.</summary>
    [FromQuery(Name = "view")]
    [DocumentedValues("flat", "tree")]
    public string? View { get; init; }
}

/// <summary>Filters of the moderation queue (newest first).</summary>
public sealed record ModerationQueueQuery : PagingQuery
{
    /// <summary>Only comments with this status.</summary>
    [FromQuery(Name = "status")]
    [DocumentedValues("pending", "approved", "spam", "trash")]
    public string? Status { get; init; }

    /// <summary>Only comments on this article (slug).</summary>
    [FromQuery(Name = "article")]
    [DocumentedSlug]
    public string? Article { get; init; }
}

/// <summary>The WordPress limits of the comment form.</summary>
public static class CommentLimits
{
    public const int AuthorName = 245;
    public const int AuthorEmail = 100;
    public const int AuthorUrl = 200;
    public const int Body = 65_525;

    /// <summary>Room for a maximal comment in any script, JSON-escaped.</summary>
    public const int RequestBytes = 512 * 1024;
}
