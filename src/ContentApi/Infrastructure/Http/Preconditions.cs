using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Infrastructure.Http;

/// <summary>
/// Optimistic concurrency (RFC 9110 §13.1.1): writes name the version they change in
/// If-Match; the stored version is the strong ETag <c>"N"</c>.
/// </summary>
internal static class Preconditions
{
    public static string ETag(int version) => string.Create(CultureInfo.InvariantCulture, $"\"{version}\"");

    public static bool HasIfMatch(HttpRequest request) => request.Headers.ContainsKey(HeaderNames.IfMatch);

    /// <summary>
    /// The version If-Match names: null for <c>*</c> (any), -1 for anything that is not a version of
    /// ours (matches nothing). If-Match compares strongly (RFC 9110 §13.1.1): a weak tag matches nothing.
    /// </summary>
    public static int? ExpectedVersion(HttpRequest request)
    {
        var value = request.Headers.IfMatch.ToString().Trim();
        if (value == "*")
        {
            return null;
        }

        return EntityTagHeaderValue.TryParse(value, out var tag) && !tag.IsWeak
               && int.TryParse(tag.Tag.AsSpan().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : -1;
    }

    public static ProblemHttpResult Required(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status428PreconditionRequired, title: "Precondition Required",
            detail: $"Send If-Match with {what}, so that no change is silently lost.");

    /// <summary>412, with the current version as the ETag when it is known, to reload from.</summary>
    public static ProblemHttpResult Stale(HttpResponse response, string detail, int? currentVersion)
    {
        if (currentVersion is { } version)
        {
            response.Headers.ETag = ETag(version);
        }

        return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition Failed", detail: detail);
    }
}
