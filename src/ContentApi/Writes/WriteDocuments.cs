using System.Text.Json.Serialization;
using System.Text.Json;
using ContentApi.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContentApi.Writes;

/// <summary>Documents as the write functions of migration 0009 read and answer them.</summary>
internal static class WriteDocuments
{
    /// <summary>As SQL reads a document: camelCase, UTC timestamps, absent instead of null.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new UtcTimestampConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>As request bodies are read: unknown or server-owned members and duplicate keys are errors.</summary>
    public static readonly JsonSerializerOptions StrictJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new UtcTimestampConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    /// <summary>The 400 for references to nothing: <paramref name="errors"/> is the function's {path: message} JSON.</summary>
    public static ProblemHttpResult UnknownReferences(string errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(
            JsonSerializer.Deserialize<Dictionary<string, string>>(errors)!.ToDictionary(e => e.Key, e => new[] { e.Value }))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more validation errors occurred.",
            Detail = "The document refers to something that does not exist.",
        });
}
