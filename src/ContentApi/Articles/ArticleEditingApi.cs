using System.Text.Json;
using ContentApi.Infrastructure.Http;
using ContentApi.Infrastructure.Security;
using ContentApi.Reads;
using ContentApi.Writes;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using static ContentApi.Articles.ArticleWriteQueries;

namespace ContentApi.Articles;

/// <summary>
/// The editorial side of articles (API key with content:write): create, replace, merge-patch,
/// take down, revisions and preview links. Every write is one transaction and answers the
/// stored version as a strong ETag; replacing, patching, restoring and deleting need it in If-Match.
/// </summary>
internal static class ArticleEditingApi
{
    public static void MapArticleEditing(this RouteGroupBuilder articles, IEndpointRouteBuilder routes)
    {
        var editing = articles.MapGroup("").RequireAuthorization(Scopes.ContentWrite);
        editing.MapPost("/", CreateArticle)
            .WithName(nameof(CreateArticle))
            .WithSummary("Create an article")
            .WithDescription("Creates an article with its metadata by reference (slugs) and its first revision, in one transaction. The slug is derived from the title when absent (made unique). 201 with Location and the strong ETag of the stored version. Unknown references are a 400 naming each; a slug in use (or redirecting) is a 409.")
            .Accepts<ArticleWrite>("application/json")
            .WithMetadata(new RequestSizeLimitAttribute(ArticleLimits.RequestBytes))
            .ProducesProblems(StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
        editing.MapPut("/{slug}", ReplaceArticle)
            .WithName(nameof(ReplaceArticle))
            .WithSummary("Replace an article")
            .WithDescription("The whole article as written (absent optional fields take their defaults; an absent slug keeps the current one, another slug renames with a 301 from the old one). Needs If-Match with the current version: 428 without it, 412 (with the current ETag) when stale.")
            .Accepts<ArticleWrite>("application/json")
            .WithMetadata(new RequestSizeLimitAttribute(ArticleLimits.RequestBytes))
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status410Gone, StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status428PreconditionRequired);
        editing.MapPatch("/{slug}", PatchArticle)
            .WithName(nameof(PatchArticle))
            .WithSummary("Change part of an article (JSON Merge Patch)")
            .WithDescription("RFC 7396 merge patch (Content-Type: application/merge-patch+json) over the article as written: members given replace, null removes, the rest stays. The result is validated as a whole. Needs If-Match like PUT.")
            .Accepts<ArticleWrite>(MergePatch.MediaType)
            .WithMetadata(new RequestSizeLimitAttribute(ArticleLimits.RequestBytes))
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status410Gone, StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status428PreconditionRequired);
        editing.MapDelete("/{slug}", DeleteArticle)
            .WithName(nameof(DeleteArticle))
            .WithSummary("Take an article down")
            .WithDescription("Keeps a tombstone: the public detail answers 410 Gone and its comments leave public view. Needs If-Match with the current version.")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status410Gone, StatusCodes.Status412PreconditionFailed, StatusCodes.Status428PreconditionRequired);
        editing.MapGet("/{slug}/revisions", ListRevisions)
            .WithName(nameof(ListRevisions))
            .WithSummary("List an article's revisions")
            .WithDescription("Every write of the article, newest first: number, key name, time.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        editing.MapGet("/{slug}/revisions/{number:int}", GetRevision)
            .WithName(nameof(GetRevision))
            .WithSummary("Get one revision")
            .WithDescription("The article as it was written in that revision.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        editing.MapPost("/{slug}/revisions/{number:int}/restore", RestoreRevision)
            .WithName(nameof(RestoreRevision))
            .WithSummary("Restore a revision")
            .WithDescription("Writes the revision's document again, as a new revision. Needs If-Match with the current version, like PUT.")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status428PreconditionRequired);
        editing.MapPost("/{slug}/preview-links", CreatePreviewLink)
            .WithName(nameof(CreatePreviewLink))
            .WithSummary("Create a preview link")
            .WithDescription("A signed, expiring URL (24 hours unless configured) that serves the article's current version, drafts included, without a key and from any origin: for a frontend's preview. A taken-down article has none (410).")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status410Gone);

        routes.MapGroup("/v1/preview").WithTags("Articles")
            .MapGet("/{token}", GetPreview)
            .WithName(nameof(GetPreview))
            .WithSummary("Preview an article through a preview link")
            .WithDescription("The current version of the article the link was made for, whatever its status. Private (Cache-Control: private, no-store) and not for search engines (X-Robots-Tag: noindex). An expired or altered token is a 401.")
            .ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound);
    }

    /// <param name="article">The article as written (validated by the group's filter).</param>
    public static async Task<Results<CreatedRawJsonResult<ArticleDetail>, ProblemHttpResult>> CreateArticle(
        ArticleWrite article, NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var result = await SaveAsync(db, null, null, Document(article, derivedSlug: article.Slug is null ? Slugs.FromTitle(article.Title) : null), httpContext.KeyName(), cancellationToken);
        if (Refusal(result, httpContext.Response) is { } refused)
        {
            return refused;
        }

        httpContext.Response.Headers.ETag = Preconditions.ETag(result.Version!.Value);
        return new CreatedRawJsonResult<ArticleDetail>($"/v1/articles/{result.Slug}", result.Detail!);
    }

    /// <param name="slug">The article's current slug.</param>
    /// <param name="article">The article as written (validated by the group's filter).</param>
    public static async Task<Results<RawJsonResult<ArticleDetail>, ProblemHttpResult>> ReplaceArticle(
        string slug, ArticleWrite article, NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (!Preconditions.HasIfMatch(httpContext.Request))
        {
            return Preconditions.Required("the article's version (its ETag)");
        }

        return await SaveExistingAsync(db, slug, Document(article, derivedSlug: null), httpContext, cancellationToken);
    }

    /// <param name="slug">The article's current slug.</param>
    public static async Task<Results<RawJsonResult<ArticleDetail>, ProblemHttpResult, ValidationProblem>> PatchArticle(
        string slug, IValidator<ArticleWrite> validator, NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var (article, refusal) = await MergePatch.PrepareAsync(
            httpContext, "article",
            async () => await GetEditorialAsync(db, slug, cancellationToken) is { } current ? new MergePatch.Stored(current.WriteDocument, current.Version) : null,
            () => MissingAsync(db, slug, cancellationToken),
            validator, cancellationToken);
        if (refusal is not null)
        {
            return refusal is ValidationProblem invalid ? invalid : (ProblemHttpResult)refusal;
        }

        return (await SaveExistingAsync(db, slug, Document(article!, derivedSlug: null), httpContext, cancellationToken)).Result switch
        {
            RawJsonResult<ArticleDetail> saved => saved,
            var problem => (ProblemHttpResult)problem,
        };
    }

    /// <param name="slug">The article's slug.</param>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteArticle(
        string slug, NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (!Preconditions.HasIfMatch(httpContext.Request))
        {
            return Preconditions.Required("the article's version (its ETag)");
        }

        var result = await ArticleWriteQueries.DeleteAsync(db, slug, Preconditions.ExpectedVersion(httpContext.Request), cancellationToken);
        return Refusal(result, httpContext.Response) ?? (Results<NoContent, ProblemHttpResult>)TypedResults.NoContent();
    }

    /// <param name="slug">The article's slug.</param>
    /// <param name="query">Paging.</param>
    public static Task<Results<RawPagedResult<ArticleRevisionSummary>, NotModifiedResult, ProblemHttpResult>> ListRevisions(
        string slug, [AsParameters] ListRevisionsQuery query, PublicReads reads, HttpContext httpContext, CancellationToken cancellationToken) =>
        Slugs.Problem(slug) is { } badSlug
            ? Task.FromResult<Results<RawPagedResult<ArticleRevisionSummary>, NotModifiedResult, ProblemHttpResult>>(badSlug)
            : reads.ListAsync<ArticleRevisionSummary>(httpContext, query, RevisionsSpec(slug), cancellationToken);

    /// <param name="slug">The article's slug.</param>
    /// <param name="number">The revision's number.</param>
    public static async Task<Results<Ok<ArticleRevision>, ProblemHttpResult>> GetRevision(
        string slug, int number, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        if (await GetRevisionAsync(db, slug, number, cancellationToken) is not { } revision)
        {
            return Problems.NotFound($"The article '{slug}' has no revision {number}.");
        }

        return TypedResults.Ok(new ArticleRevision(revision.Number, revision.KeyName, DateTime.SpecifyKind(revision.CreatedAt, DateTimeKind.Utc),
            JsonSerializer.Deserialize<ArticleWrite>(revision.Document, WriteDocuments.Json)!));
    }

    /// <param name="slug">The article's slug.</param>
    /// <param name="number">The revision to write again.</param>
    public static async Task<Results<RawJsonResult<ArticleDetail>, ProblemHttpResult>> RestoreRevision(
        string slug, int number, NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (!Preconditions.HasIfMatch(httpContext.Request))
        {
            return Preconditions.Required("the article's version (its ETag)");
        }

        if (await GetRevisionAsync(db, slug, number, cancellationToken) is not { } revision)
        {
            return Problems.NotFound($"The article '{slug}' has no revision {number}.");
        }

        return await SaveExistingAsync(db, slug, JsonDocument.Parse(revision.Document).RootElement, httpContext, cancellationToken);
    }

    /// <param name="slug">The article's slug.</param>
    public static async Task<Results<Created<PreviewLink>, ProblemHttpResult>> CreatePreviewLink(
        string slug, NpgsqlDataSource db, PreviewTokens tokens, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (await GetEditorialAsync(db, slug, cancellationToken) is not { } article)
        {
            return await MissingAsync(db, slug, cancellationToken);
        }

        var (token, expiresAt) = await tokens.IssueAsync(article.Id, cancellationToken);
        var request = httpContext.Request;
        var url = $"{request.Scheme}://{request.Host}{request.PathBase}/v1/preview/{token}";
        return TypedResults.Created(url, new PreviewLink(url, expiresAt));
    }

    /// <param name="token">The preview link's token.</param>
    public static async Task<Results<RawJsonResult<ArticleDetail>, ProblemHttpResult>> GetPreview(
        string token, NpgsqlDataSource db, PreviewTokens tokens, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var response = httpContext.Response;
        response.Headers.CacheControl = "private, no-store";
        response.Headers["X-Robots-Tag"] = "noindex";
        if (await tokens.VerifyAsync(token, cancellationToken) is not { } articleId)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "This preview link is not valid or has expired: ask for a new one.");
        }

        return await GetDetailByIdAsync(db, articleId, cancellationToken) is { } detail
            ? new RawJsonResult<ArticleDetail>(detail)
            : Problems.NotFound("The article of this preview link no longer exists.");
    }

    private static async Task<Results<RawJsonResult<ArticleDetail>, ProblemHttpResult>> SaveExistingAsync(
        NpgsqlDataSource db, string slug, JsonElement document, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var result = await SaveAsync(db, slug, Preconditions.ExpectedVersion(httpContext.Request), document, httpContext.KeyName(), cancellationToken);
        if (result.Outcome == Outcome.NotFound)
        {
            return await MissingAsync(db, slug, cancellationToken);
        }

        if (Refusal(result, httpContext.Response) is { } refused)
        {
            return refused;
        }

        httpContext.Response.Headers.ETag = Preconditions.ETag(result.Version!.Value);
        return new RawJsonResult<ArticleDetail>(result.Detail!);
    }

    private static JsonElement Document(ArticleWrite article, string? derivedSlug)
    {
        var document = JsonSerializer.SerializeToNode(article, WriteDocuments.Json)!.AsObject();
        if (derivedSlug is not null)
        {
            document["derivedSlug"] = derivedSlug;
        }

        return JsonSerializer.SerializeToElement(document, WriteDocuments.Json);
    }

    private static async Task<ProblemHttpResult> MissingAsync(NpgsqlDataSource db, string slug, CancellationToken cancellationToken)
    {
        var whereabouts = await LocateAsync(db, slug, cancellationToken);
        return whereabouts switch
        {
            { Gone: true } => ArticleProblems.Gone(slug),
            { CurrentSlug: { } current } => Problems.NotFound($"No article has the slug '{slug}' any more: it was renamed to '{current}'."),
            _ => Problems.NotFound($"No article has the slug '{slug}'."),
        };
    }

    /// <summary>The problem for a write that did not happen; null when it did.</summary>
    private static ProblemHttpResult? Refusal(WriteResult result, HttpResponse response) => result.Outcome switch
    {
        Outcome.Created or Outcome.Saved or Outcome.Deleted => null,
        Outcome.NotFound => Problems.NotFound("No article has this slug."),
        Outcome.Gone => ArticleProblems.Gone(null),
        Outcome.Stale => Preconditions.Stale(response, "The article changed since you read it: reload it and apply your change again.", result.Version),
        Outcome.SlugTaken => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
            detail: $"The slug '{result.Detail}' belongs to another article."),
        Outcome.SlugRedirects => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
            detail: $"The slug '{result.Detail}' redirects to another article (a former slug of it): choose another."),
        Outcome.UnknownReferences => WriteDocuments.UnknownReferences(result.Detail!),
        _ => throw new System.Diagnostics.UnreachableException($"Unknown write outcome {result.Outcome}."),
    };
}

/// <summary>Problems about articles that more than one endpoint answers.</summary>
internal static class ArticleProblems
{
    public static ProblemHttpResult Gone(string? slug) =>
        TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Gone",
            detail: slug is null ? "This article was taken down." : $"The article '{slug}' was taken down.");
}
