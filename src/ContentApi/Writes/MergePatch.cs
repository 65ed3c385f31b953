using System.Text.Json.Nodes;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContentApi.Writes;

/// <summary>
/// JSON Merge Patch (RFC 7396) over a resource as written: members of the patch replace, null
/// removes, objects merge recursively; the result is read as strictly as a PUT body.
/// </summary>
internal static class MergePatch
{
    public const string MediaType = "application/merge-patch+json";

    public static bool IsMergePatch(HttpRequest request) =>
        string.Equals(request.ContentType?.Split(';')[0].Trim(), MediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads the patch from the request (as a body parameter it would describe itself as an
    /// untyped object in OpenAPI): a JSON object in application/merge-patch+json, without
    /// duplicate keys; anything else is the problem to answer.
    /// </summary>
    public static async Task<(JsonObject? Patch, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
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

    public static ProblemHttpResult UnsupportedMediaType() =>
        TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type",
            detail: $"Send the patch as {MediaType} (RFC 7396).");

    public static ProblemHttpResult Unacceptable() =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request",
            detail: "The patch does not give an acceptable document: an unknown field, a wrong type or a malformed value.");

    /// <summary>The patched document as <typeparamref name="T"/>, or null when the result is not one.</summary>
    public static T? Apply<T>(string stored, JsonObject patch) where T : class
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
