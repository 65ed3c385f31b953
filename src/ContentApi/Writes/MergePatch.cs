using System.Text.Json.Nodes;
using System.Text.Json;
using ContentApi.Infrastructure.Http;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContentApi.Writes;

/// <summary>
/// JSON Merge Patch (RFC 7396) over a resource as written: members of the patch replace, null
/// removes, objects merge recursively; the result is read as strictly as a PUT body.
/// </summary>
internal static class MergePatch
{
    public const string MediaType = "application/merge-patch+json";

    private static bool IsMergePatch(HttpRequest request) =>
        string.Equals(request.ContentType?.Split(';')[0].Trim(), MediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>A resource as written, and its stored version.</summary>
    public sealed record Stored(string Document, int Version);

    /// <summary>
    /// The steps of every PATCH: the patch must be a merge patch (415), name the version it
    /// changes (428), for a resource that exists (<paramref name="missing"/>) at that version (412
    /// with the current ETag); the patched document must read strictly and pass its validator (400).
    /// </summary>
    public static async Task<(T? Patched, IResult? Refusal)> PrepareAsync<T>(
        HttpContext httpContext, string noun, Func<Task<Stored?>> load, Func<Task<ProblemHttpResult>> missing,
        IValidator<T> validator, CancellationToken cancellationToken)
        where T : class
    {
        var (patch, unreadable) = await ReadAsync(httpContext.Request, cancellationToken);
        if (unreadable is not null)
        {
            return (null, unreadable);
        }

        if (!Preconditions.HasIfMatch(httpContext.Request))
        {
            return (null, Preconditions.Required($"the {noun}'s version (its ETag)"));
        }

        if (await load() is not { } current)
        {
            return (null, await missing());
        }

        if (Preconditions.ExpectedVersion(httpContext.Request) is { } expected && expected != current.Version)
        {
            return (null, Preconditions.Stale(httpContext.Response, $"The {noun} changed since version {expected}: reload it and apply your change again.", current.Version));
        }

        if (Apply<T>(current.Document, patch!) is not { } patched)
        {
            return (null, Unacceptable());
        }

        var validation = await validator.ValidateAsync(patched, cancellationToken);
        return validation.IsValid ? (patched, null) : (null, TypedResults.ValidationProblem(validation.ToDictionary()));
    }

    /// <summary>
    /// Reads the patch from the request (as a body parameter it would describe itself as an
    /// untyped object in OpenAPI): a JSON object in application/merge-patch+json, without
    /// duplicate keys; anything else is the problem to answer.
    /// </summary>
    private static async Task<(JsonObject? Patch, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsMergePatch(request))
        {
            return (null, UnsupportedMediaType());
        }

        try
        {
            var node = await JsonNode.ParseAsync(request.Body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }, cancellationToken: cancellationToken);
            return node is JsonObject patch
                ? (patch, null)
                : (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: "A merge patch is a JSON object."));
        }
        catch (JsonException)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: "The request body is not well-formed JSON."));
        }
    }

    private static ProblemHttpResult UnsupportedMediaType() =>
        TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type",
            detail: $"Send the patch as {MediaType} (RFC 7396).");

    private static ProblemHttpResult Unacceptable() =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request",
            detail: "The patch does not give an acceptable document: an unknown field, a wrong type or a malformed value.");

    /// <summary>The patched document as <typeparamref name="T"/>, or null when the result is not one.</summary>
    private static T? Apply<T>(string stored, JsonObject patch) where T : class
    {
        try
        {
            return Merge(JsonNode.Parse(stored), patch).Deserialize<T>(WriteDocuments.StrictJson);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonNode Merge(JsonNode? target, JsonNode patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch.DeepClone();
        }

        var result = target is JsonObject targetObject ? targetObject.DeepClone().AsObject() : new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                result[name] = Merge(result[name], value);
            }
        }

        return result;
    }
}
