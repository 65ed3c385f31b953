using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using ContentApi.Articles;
using ContentApi.Infrastructure.Http;
using ContentApi.Infrastructure.Security;
using ContentApi.Reads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;
using static ContentApi.Comments.CommentQueries;

namespace ContentApi.Comments;

internal static class CommentsApi
{
    public static IEndpointRouteBuilder MapCommentsApi(this IEndpointRouteBuilder routes)
    {
        var thread = routes.MapGroup("/v1/articles/{slug}/comments").WithTags("Comments");
        thread.MapGet("/", ListArticleComments)
            .WithName(nameof(ListArticleComments))
            .WithSummary("List an article's approved comments")
            .WithDescription("Approved comments only, oldest first: `view=flat` (default) with parentId, or `view=tree` with replies nested. Never an email, address or user agent. A former slug of a renamed article answers 301; a taken-down article 410.")
            .Produces(StatusCodes.Status301MovedPermanently)
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status410Gone);
        thread.MapPost("/", PostComment)
            .WithName(nameof(PostComment))
            .WithSummary("Leave a reply")
            .WithDescription("The comment form. New comments wait for moderation (202, status pending) unless the publisher chose post-moderation. Checks, in order: rate limit (429), content type, size and JSON shape (415/413/400), fields (400), article (404/403), parent (400), duplicate (409), flood (429). An `Idempotency-Key` header makes retries within 24 hours safe: they get the first answer.")
            .Accepts<PostCommentRequest>("application/json")
            .WithMetadata(new RequestSizeLimitAttribute(CommentLimits.RequestBytes))
            // Every comment POST counts against its client's network, accepted or not.
            .WithMetadata(new NetworkBudget("comments", services => services.GetRequiredService<IOptions<CommentOptions>>().Value.RateLimitPerMinute))
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status429TooManyRequests);

        var comments = routes.MapGroup("/v1/comments").WithTags("Comments");
        comments.MapGet("/{id:long}", GetComment)
            .WithName(nameof(GetComment))
            .WithSummary("Get one approved comment")
            .WithDescription("An approved comment of a published article; pending, spam and trashed comments are 404 (new comments appear once approved).")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var moderation = routes.MapGroup("/v1/comments").WithTags("Moderation")
            .RequireAuthorization(Scopes.CommentsModerate);
        moderation.MapGet("/", ListCommentsForModeration)
            .WithName(nameof(ListCommentsForModeration))
            .WithSummary("Moderation queue")
            .WithDescription("Comments of every status, newest first, with their private fields. Needs scope comments:moderate.");
        moderation.MapPatch("/{id:long}", ModerateComment)
            .WithName(nameof(ModerateComment))
            .WithSummary("Approve, hold, mark as spam or trash a comment")
            .WithDescription("Needs scope comments:moderate and `If-Match` with the comment's version (from the queue or a previous answer): 428 without it, 412 when the comment changed since.")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed, StatusCodes.Status428PreconditionRequired);
        moderation.MapDelete("/{id:long}", DeleteComment)
            .WithName(nameof(DeleteComment))
            .WithSummary("Delete a comment")
            .WithDescription("Its replies stay and move up to the deleted comment's parent. `If-Match` is optional here (412 when stale).")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed);
        moderation.MapPost("/erase", EraseComments)
            .WithName(nameof(EraseComments))
            .WithSummary("Erase an author's personal data")
            .WithDescription("Anonymises every comment posted with the email: name becomes \"Anonymous\"; email, URL, client address and user agent are cleared.");

        return routes;
    }

    /// <param name="slug">The article's slug.</param>
    /// <param name="query">Paging and view.</param>
    public static async Task<Results<RawPagedResult<PublicComment>, RawPagedResult<CommentThread>, NotModifiedResult, RedirectHttpResult, ProblemHttpResult>> ListArticleComments(
        string slug, [AsParameters] ListCommentsQuery query, PublicReads reads, ReadRouting routing, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (Slugs.Problem(slug) is { } badSlug)
        {
            return badSlug;
        }

        IResult page = query.View == "tree"
            ? (await reads.ListAsync<CommentThread>(httpContext, query, CommentQueries.PublicListSpec(slug, tree: true), cancellationToken)).Result
            : (await reads.ListAsync<PublicComment>(httpContext, query, CommentQueries.PublicListSpec(slug, tree: false), cancellationToken)).Result;
        return page switch
        {
            RawPagedResult<CommentThread> threads => threads,
            RawPagedResult<PublicComment> comments => comments,
            NotModifiedResult notModified => notModified,
            ProblemHttpResult { StatusCode: StatusCodes.Status404NotFound } =>
                (await ArticlesApi.MissingAsync(await routing.SourceForAsync(httpContext, cancellationToken), slug, "/comments" + httpContext.Request.QueryString, cancellationToken)).Result switch
                {
                    RedirectHttpResult redirect => redirect,
                    var problem => (ProblemHttpResult)problem,
                },
            var problem => (ProblemHttpResult)problem,
        };
    }

    /// <param name="id">The comment's id.</param>
    public static Task<Results<RawJsonResult<PublicComment>, NotModifiedResult, ProblemHttpResult>> GetComment(
        long id, PublicReads reads, HttpContext httpContext, CancellationToken cancellationToken) =>
        reads.DocumentAsync<PublicComment>(httpContext, CommentQueries.PublicCommentSql, new { id },
            $"No approved comment has the id {id} (new comments appear once approved).", "comment", PublicReads.DocumentFormat.Json, cancellationToken);

    /// <param name="slug">The article's slug.</param>
    /// <param name="request">The form.</param>
    /// <param name="idempotencyKey">Optional client-chosen key (1 to 200 characters, e.g. a UUID): a retry with the same key and body returns the first answer; the same key with another body is a 422.</param>
    public static async Task<Results<Accepted<CommentAccepted>, ProblemHttpResult>> PostComment(
        string slug, PostCommentRequest request, [FromHeader(Name = "Idempotency-Key")][DocumentedMaxLength(200)] string? idempotencyKey,
        NpgsqlDataSource db, CommentModeration moderation, IOptions<CommentOptions> options, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (Slugs.Problem(slug) is { } badSlug)
        {
            return badSlug;
        }

        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > 200 || !CleanText.IsClean(idempotencyKey) || idempotencyKey.Any(char.IsControl)))
        {
            return Problems.Validation("Idempotency-Key", "'Idempotency-Key' must be 1 to 200 printable characters.");
        }

        var body = request.Body!.Trim();
        var comment = new CommentQueries.NewComment(
            Slug: slug,
            ParentId: request.ParentId,
            AuthorName: request.AuthorName!.Trim(),
            AuthorEmail: request.AuthorEmail!,
            AuthorUrl: request.AuthorUrl,
            Body: body,
            BodyHash: SHA256.HashData(Encoding.UTF8.GetBytes(body)),
            Status: moderation.InitialStatus(request),
            ClientAddress: httpContext.Connection.RemoteIpAddress?.ToString(),
            ClientNetwork: ClientAddresses.ClientNetwork(httpContext),
            UserAgent: httpContext.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? StoredUserAgent(agent) : null,
            IdempotencyKey: idempotencyKey,
            RequestHash: RequestHash(slug, request),
            FloodSeconds: options.Value.FloodIntervalSeconds,
            MaxDepth: options.Value.MaxDepth);

        var outcome = await CommentQueries.PostAsync(db, comment, cancellationToken);
        switch (outcome.Outcome)
        {
            case PostVerdict.Accepted or PostVerdict.Replay:
                // A comment sent to spam is answered as pending: the answer must not tell a spammer
                // which words are blocked.
                return TypedResults.Accepted($"/v1/comments/{outcome.CommentId}",
                    new CommentAccepted(outcome.CommentId!.Value, outcome.CommentStatus == "spam" ? "pending" : outcome.CommentStatus!));
            case PostVerdict.IdempotencyConflict:
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Unprocessable Content",
                    detail: "This Idempotency-Key was used for a different request.");
            case PostVerdict.ArticleNotFound:
                return Problems.NotFound($"No published article has the slug '{slug}'.");
            case PostVerdict.CommentsClosed:
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "Comments are closed on this article.");
            case PostVerdict.ParentInvalid:
                return Problems.Validation("parentId", "'parentId' must be an approved comment of the same article.");
            case PostVerdict.TooDeep:
                return Problems.Validation("parentId", $"Replies nest at most {options.Value.MaxDepth} levels deep.");
            case PostVerdict.Duplicate:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                    detail: "Duplicate comment: you have already said that.");
            case PostVerdict.Flood:
                var retryAfter = Math.Max(1, outcome.RetryAfterSeconds ?? 1);
                httpContext.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too Many Requests",
                    detail: $"You are posting comments too quickly; retry in {retryAfter} s.");
            default:
                throw new UnreachableException($"Unknown comment verdict {outcome.Outcome}.");
        }
    }

    public static Task<Results<RawPagedResult<ModeratorComment>, NotModifiedResult, ProblemHttpResult>> ListCommentsForModeration(
        [AsParameters] ModerationQueueQuery query, PublicReads reads, HttpContext httpContext, CancellationToken cancellationToken) =>
        reads.ListAsync<ModeratorComment>(httpContext, query, CommentQueries.ModerationQueueSpec(query), cancellationToken);

    /// <param name="id">The comment's id.</param>
    /// <param name="request">The decision.</param>
    public static async Task<Results<RawJsonResult<ModeratorComment>, ProblemHttpResult>> ModerateComment(
        long id, ModerateCommentRequest request, NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (!Preconditions.HasIfMatch(httpContext.Request))
        {
            return Preconditions.Required("the comment's version (\"version\" in the queue)");
        }

        var outcome = await CommentQueries.SetStatusAsync(db, id, request.Status!, Preconditions.ExpectedVersion(httpContext.Request), cancellationToken);
        if (!outcome.Found)
        {
            return Problems.NotFound($"No comment has the id {id}.");
        }

        if (outcome.Document is null)
        {
            return StaleVersion(id);
        }

        httpContext.Response.Headers.ETag = Preconditions.ETag(outcome.Version!.Value);
        return new RawJsonResult<ModeratorComment>(outcome.Document);
    }

    /// <param name="id">The comment's id.</param>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteComment(
        long id, NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var expected = Preconditions.HasIfMatch(httpContext.Request) ? Preconditions.ExpectedVersion(httpContext.Request) : null;
        var (found, deleted) = await CommentQueries.DeleteAsync(db, id, expected, cancellationToken);
        return (found, deleted) switch
        {
            (false, _) => Problems.NotFound($"No comment has the id {id}."),
            (true, false) => StaleVersion(id),
            _ => TypedResults.NoContent(),
        };
    }

    public static async Task<Ok<EraseCommentsResult>> EraseComments(EraseCommentsRequest request, NpgsqlDataSource db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new EraseCommentsResult(await CommentQueries.EraseAsync(db, request.AuthorEmail!.Trim(), cancellationToken)));

    private static ProblemHttpResult StaleVersion(long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition Failed",
            detail: $"Comment {id} changed since you read it: reload it and decide again.");

    // The first 512 UTF-16 units, never half of a surrogate pair (PostgreSQL refuses one).
    private static string StoredUserAgent(string agent)
    {
        var length = Math.Min(agent.Length, 512);
        return length < agent.Length && char.IsHighSurrogate(agent[length - 1]) ? agent[..(length - 1)] : agent[..length];
    }

    // What identifies a request for Idempotency-Key: the article and every field, canonically.
    private static byte[] RequestHash(string slug, PostCommentRequest request) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f',
            slug, request.AuthorName, request.AuthorEmail, request.AuthorUrl, request.Body, request.ParentId?.ToString(System.Globalization.CultureInfo.InvariantCulture))));
}
