using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Reads;

internal sealed class CachingOptions
{
    public int MaxAgeSeconds { get; set; } = 60;
    public int StaleWhileRevalidateSeconds { get; set; } = 300;
}

/// <summary>The validators of one representation: a weak ETag and its Last-Modified time.</summary>
internal readonly record struct ContentValidators(string ETag, DateTime LastModifiedUtc)
{
    public static ContentValidators From(string kind, long version, DateTime lastModifiedUtc) =>
        new($"W/\"{kind}{version}\"", lastModifiedUtc);
}

/// <summary>
/// Conditional GET (RFC 9110 §13): If-None-Match wins over If-Modified-Since; a match is a 304
/// without a body, so a client that has the representation costs the validators' query only.
/// </summary>
internal sealed class ConditionalRequests(IOptions<CachingOptions> options)
{
    private readonly string publicCacheControl =
        $"public, max-age={options.Value.MaxAgeSeconds}, stale-while-revalidate={options.Value.StaleWhileRevalidateSeconds}";

    public static bool HasConditions(HttpRequest request) =>
        request.Headers.IfNoneMatch.Count > 0 || request.Headers.IfModifiedSince.Count > 0;

    /// <summary>
    /// Whether a match of the validators alone proves the representation is still there: an
    /// entity tag the client got from us. A date or <c>*</c> says nothing about whether the
    /// resource exists, so those are answered once it has been read.
    /// </summary>
    public static bool HasEntityTags(HttpRequest request) =>
        request.Headers.IfNoneMatch.Count > 0 && !request.Headers.IfNoneMatch.ToString().Contains('*', StringComparison.Ordinal);

    public static bool IsNotModified(HttpRequest request, ContentValidators validators)
    {
        var ifNoneMatch = request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            if (!EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
            {
                return false;
            }

            var current = EntityTagHeaderValue.Parse(validators.ETag);
            return tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: false));
        }

        // A date in the future is not a date the client saw: it is ignored (RFC 9110 §13.1.3).
        return HeaderUtilities.TryParseDate(request.Headers.IfModifiedSince.ToString(), out var since)
               && since <= DateTimeOffset.UtcNow
               && TruncateToSeconds(validators.LastModifiedUtc) <= since.UtcDateTime;
    }

    /// <summary>Sets ETag, Last-Modified and the public Cache-Control on the response.</summary>
    public void Apply(HttpResponse response, ContentValidators validators)
    {
        var headers = response.Headers;
        headers.ETag = validators.ETag;
        headers.LastModified = HeaderUtilities.FormatDate(new DateTimeOffset(TruncateToSeconds(validators.LastModifiedUtc), TimeSpan.Zero));
        headers.CacheControl = publicCacheControl;
    }

    private static DateTime TruncateToSeconds(DateTime value) =>
        new(value.Ticks - value.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
}

/// <summary>A 304 Not Modified: headers only.</summary>
internal sealed class NotModifiedResult : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified));

    public static readonly NotModifiedResult Instance = new();

    public int? StatusCode => StatusCodes.Status304NotModified;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status304NotModified;
        return Task.CompletedTask;
    }
}
