using System.Text.Json;
using ContentApi.Infrastructure.Http;
using ContentApi.Infrastructure.Security;
using ContentApi.Reads;
using ContentApi.Writes;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace ContentApi.Entities;

/// <summary>
/// How an entity is written: its save function (migration 0009: creates or replaces it, with
/// its references, in one transaction) and the SQL that reads its write document and version.
/// </summary>
/// <param name="SaveFunction">e.g. person_save.</param>
/// <param name="WriteDocumentSql">The entity as written (document) and its version from <c>@slug</c>.</param>
/// <param name="NameOf">The name the slug is derived from.</param>
internal sealed record EntityWriting<TWrite>(string SaveFunction, string WriteDocumentSql, Func<TWrite, string> NameOf);

/// <summary>POST, PUT, PATCH (JSON Merge Patch) and DELETE of an entity (API key with content:write).</summary>
internal static class EntityWrites
{
    /// <summary>Room for the largest entity in any script, JSON-escaped.</summary>
    private const int RequestBytes = 256 * 1024;

    private enum Outcome { Created, Saved, Deleted, NotFound, Stale, SlugTaken, UnknownReferences, Referenced }

    private sealed record WriteResult(Outcome Outcome, string? Slug, int? Version, string? Detail);

    private sealed record DeleteResult(Outcome Outcome, int? Version, int? ArticleCount);

    public static RouteGroupBuilder MapEntityWrites<TWrite, TDetail>(this RouteGroupBuilder entityGroup, EntityDefinition entity, EntityWriting<TWrite> writing)
        where TWrite : class
    {
        var group = entityGroup.MapGroup("").RequireAuthorization(Scopes.ContentWrite)
            .WithMetadata(new RequestSizeLimitAttribute(RequestBytes));

        // Delegates rather than inline lambdas: the route-handler analyzer of .NET 10 throws on an
        // inline lambda whose parameter type is a type parameter (AD0001).
        Func<TWrite, NpgsqlDataSource, HttpContext, CancellationToken, Task<Results<CreatedRawJsonResult<TDetail>, ProblemHttpResult>>> create =
            async (body, db, httpContext, cancellationToken) =>
            {
                var result = await SaveAsync(db, writing.SaveFunction, null, null, Document(body, Slugs.FromTitle(writing.NameOf(body))), cancellationToken);
                if (Refusal(entity, result.Outcome, result.Slug ?? result.Detail, result.Version, httpContext.Response) is { } refused)
                {
                    return refused;
                }

                httpContext.Response.Headers.ETag = Preconditions.ETag(result.Version!.Value);
                return new CreatedRawJsonResult<TDetail>($"{entity.Path}/{result.Slug}", result.Detail!);
            };
        Func<string, TWrite, NpgsqlDataSource, HttpContext, CancellationToken, Task<Results<RawJsonResult<TDetail>, ProblemHttpResult>>> replace =
            (slug, body, db, httpContext, cancellationToken) => Preconditions.HasIfMatch(httpContext.Request)
                ? SaveExistingAsync<TDetail>(entity, writing.SaveFunction, slug, Document(body, null), db, httpContext, cancellationToken)
                : Task.FromResult<Results<RawJsonResult<TDetail>, ProblemHttpResult>>(Preconditions.Required($"the {entity.Noun}'s version (its ETag)"));
        Func<string, IValidator<TWrite>, NpgsqlDataSource, HttpContext, CancellationToken, Task<IResult>> patch =
            (slug, validator, db, httpContext, cancellationToken) => PatchAsync(entity, writing, slug, validator, db, httpContext, cancellationToken);
        Func<string, bool?, NpgsqlDataSource, HttpContext, CancellationToken, Task<Results<NoContent, ProblemHttpResult>>> delete =
            (slug, [FromQuery(Name = "detach")] detach, db, httpContext, cancellationToken) => DeleteAsync(entity, slug, detach == true, db, httpContext, cancellationToken);

        group.MapPost("/", create)
            .WithName($"Create{entity.Singular}")
            .WithSummary($"Create {entity.OneNoun}")
            .WithDescription($"201 with Location and the strong ETag of the stored version. The slug is derived from the name when absent (made unique); a slug in use is a 409; unknown references are a 400 naming each.")
            .Accepts<TWrite>("application/json")
            .ProducesProblems(StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
        group.MapPut("/{slug}", replace)
            .WithName($"Replace{entity.Singular}")
            .WithSummary($"Replace {entity.OneNoun}")
            .WithDescription("The whole entity as written. Needs If-Match with its version: 428 without it, 412 (with the current ETag) when stale. Articles that embed it change with it: in the same transaction when they are up to 100, and in batches just after it when they are more (each article's ETag moves and its change reaches the changes feed as it is rewritten).")
            .Accepts<TWrite>("application/json")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status428PreconditionRequired);
        group.MapPatch("/{slug}", patch)
            .WithName($"Patch{entity.Singular}")
            .WithSummary($"Change part of {entity.OneNoun} (JSON Merge Patch)")
            .WithDescription("RFC 7396 merge patch (Content-Type: application/merge-patch+json) over the entity as written. Needs If-Match like PUT.")
            .Accepts<TWrite>("application/merge-patch+json")
            .Produces<TDetail>()
            .ProducesValidationProblem()
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status428PreconditionRequired);
        group.MapDelete("/{slug}", delete)
            .WithName($"Delete{entity.Singular}")
            .WithSummary($"Delete {entity.OneNoun}")
            .WithDescription($"Needs If-Match with its version. While articles use it the answer is 409 with how many, unless `detach=true`, which removes those links in the same transaction (the articles show it no more: at once when they are up to 100, just after when they are more, as for a PUT).")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status428PreconditionRequired);
        return entityGroup;
    }

    /// <summary>An entity's detail with its version, for an editor's read (strong ETag); null when absent.</summary>
    public static async Task<MergePatch.Stored?> EditorDetailAsync(NpgsqlDataSource db, string sql, string slug, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<MergePatch.Stored>(new CommandDefinition(sql, new { slug }, cancellationToken: cancellationToken));
    }

    private static async Task<IResult> PatchAsync<TWrite>(
        EntityDefinition entity, EntityWriting<TWrite> writing, string slug, IValidator<TWrite> validator,
        NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
        where TWrite : class
    {
        var (patched, refusal) = await MergePatch.PrepareAsync(
            httpContext, entity.Noun,
            async () =>
            {
                await using var connection = await db.OpenConnectionAsync(cancellationToken);
                return await connection.QuerySingleOrDefaultAsync<MergePatch.Stored>(new CommandDefinition(writing.WriteDocumentSql, new { slug }, cancellationToken: cancellationToken));
            },
            () => Task.FromResult(Problems.NotFound($"No {entity.Noun} has the slug '{slug}'.")),
            validator, cancellationToken);
        return refusal ?? (await SaveExistingAsync<object>(entity, writing.SaveFunction, slug, Document(patched!, null), db, httpContext, cancellationToken)).Result;
    }

    private static async Task<Results<RawJsonResult<TDetail>, ProblemHttpResult>> SaveExistingAsync<TDetail>(
        EntityDefinition entity, string saveFunction, string slug, JsonElement document, NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var result = await SaveAsync(db, saveFunction, slug, Preconditions.ExpectedVersion(httpContext.Request), document, cancellationToken);
        if (Refusal(entity, result.Outcome, result.Outcome == Outcome.NotFound ? slug : result.Detail, result.Version, httpContext.Response) is { } refused)
        {
            return refused;
        }

        httpContext.Response.Headers.ETag = Preconditions.ETag(result.Version!.Value);
        return new RawJsonResult<TDetail>(result.Detail!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        EntityDefinition entity, string slug, bool detach, NpgsqlDataSource db, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (!Preconditions.HasIfMatch(httpContext.Request))
        {
            return Preconditions.Required($"the {entity.Noun}'s version (its ETag)");
        }

        const string sql = "select outcome, version, article_count from entity_delete(@table, @slug, @expectedVersion, @detach)";
        DeleteResult result;
        await using (var connection = await db.OpenConnectionAsync(cancellationToken))
        {
            result = await connection.QuerySingleAsync<DeleteResult>(new CommandDefinition(sql,
                new { table = entity.Table, slug, expectedVersion = Preconditions.ExpectedVersion(httpContext.Request), detach }, cancellationToken: cancellationToken));
        }

        return result.Outcome == Outcome.Referenced
            ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                detail: $"{result.ArticleCount} {(entity.Table == "organisations" ? "articles and positions" : result.ArticleCount == 1 ? "article" : "articles")} still use this {entity.Noun}: relink them first, or delete with detach=true to remove those links.",
                extensions: new Dictionary<string, object?> { ["articleCount"] = result.ArticleCount })
            : Refusal(entity, result.Outcome, slug, result.Version, httpContext.Response) ?? (Results<NoContent, ProblemHttpResult>)TypedResults.NoContent();
    }

    private static async Task<WriteResult> SaveAsync(
        NpgsqlDataSource db, string saveFunction, string? currentSlug, int? expectedVersion, JsonElement document, CancellationToken cancellationToken)
    {
        // The function name comes from the entity's definition, never from the request.
        var sql = $"select outcome, slug, version, detail from {saveFunction}(@currentSlug, @expectedVersion, @document::jsonb)";
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<WriteResult>(new CommandDefinition(sql, new
        {
            currentSlug,
            expectedVersion,
            document = document.GetRawText(),
        }, cancellationToken: cancellationToken));
    }

    private static JsonElement Document(object write, string? derivedSlug)
    {
        var document = JsonSerializer.SerializeToNode(write, write.GetType(), WriteDocuments.Json)!.AsObject();
        if (derivedSlug is not null && document["slug"] is null)
        {
            document["derivedSlug"] = derivedSlug;
        }

        return JsonSerializer.SerializeToElement(document, WriteDocuments.Json);
    }

    private static ProblemHttpResult? Refusal(EntityDefinition entity, Outcome outcome, string? detail, int? version, HttpResponse response) => outcome switch
    {
        Outcome.Created or Outcome.Saved or Outcome.Deleted => null,
        Outcome.NotFound => Problems.NotFound($"No {entity.Noun} has the slug '{detail}'."),
        Outcome.Stale => Preconditions.Stale(response, $"The {entity.Noun} changed since you read it: reload it and apply your change again.", version),
        Outcome.SlugTaken => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"The slug '{detail}' belongs to another {entity.Noun}."),
        Outcome.UnknownReferences => WriteDocuments.UnknownReferences(detail!),
        _ => throw new System.Diagnostics.UnreachableException($"Unknown write outcome {outcome}."),
    };
}
