using System.Buffers;
using System.Globalization;
using ContentApi.Infrastructure.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Reads;

/// <summary>Settings of the in-memory cache of public responses (<c>OutputCache:*</c>).</summary>
internal sealed class OutputCachingOptions
{
    /// <summary>Serve repeated public GETs from memory (exactly invalidated); off: every request reads the database.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Memory for cached responses, in MiB (their bodies and what holds them; once full, the least recently used make room).</summary>
    public int SizeLimitMegabytes { get; set; } = 64;

    /// <summary>The longest an entry is kept, in seconds, when no change evicts it first.</summary>
    public int EntrySeconds { get; set; } = 300;

    /// <summary>How many public answers' validators are kept, to answer 304s whose body is not in memory (the least recently used go first).</summary>
    public int ValidatorEntries { get; set; } = 100_000;
}

/// <summary>
/// Hot reads from memory (DESIGN.md "Serving hot reads"): <see cref="HotReadMiddleware"/> in front
/// of the public GETs, keeping a response only when it is public, a 200 and names its cache keys
/// (<see cref="CacheTags"/>), evicted by those keys when a change is heard
/// (<see cref="CacheInvalidationListener"/>). Requests with credentials pass by it.
/// </summary>
internal static class OutputCaching
{
    public static IServiceCollection AddHotReads(this IServiceCollection services)
    {
        services.AddOptions<OutputCachingOptions>().BindConfiguration("OutputCache")
            .Validate(o => o.SizeLimitMegabytes is >= 1 and <= 4096 && o.EntrySeconds is >= 1 and <= 86400 && o.ValidatorEntries is >= 1 and <= 10_000_000,
                "OutputCache: SizeLimitMegabytes 1–4096, EntrySeconds 1–86400, ValidatorEntries 1–10000000.")
            .ValidateOnStart();
        services.AddSingleton<HotReadCache>();
        services.AddSingleton<CacheInvalidationListener>();
        services.AddHostedService(sp => sp.GetRequiredService<CacheInvalidationListener>());
        return services;
    }

    /// <summary>
    /// Marks endpoints that never give an answer the cache keeps (<see cref="NeverFromMemoryMetadata"/>):
    /// their requests pass by it.
    /// </summary>
    public static TBuilder NeverFromMemory<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(NeverFromMemoryMetadata.Instance);

    public static WebApplication UseHotReads(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<OutputCachingOptions>>().Value.Enabled)
        {
            return app;
        }

        var listener = app.Services.GetRequiredService<CacheInvalidationListener>();
        app.Use((context, next) =>
        {
            if (!HttpConventions.IsRead(context.Request))
            {
                // The writer's next read on this instance sees its write.
                context.Response.OnStarting(() => context.Response.StatusCode < 400
                    ? listener.CatchUpAfterWriteAsync(CancellationToken.None)
                    : Task.CompletedTask);
            }

            return next(context);
        });
        app.UseMiddleware<HotReadMiddleware>();
        return app;
    }
}

/// <summary>
/// Answers public GETs from <see cref="HotReadCache"/> and keeps what the endpoints answer. A
/// conditional GET that matches the validators kept of the last public answer to the same request
/// is a 304 without the database; a request whose answer is kept is sent it, as it was sent the
/// first time (compressed, when the client takes that coding), with its <c>Age</c>; any other
/// request goes on, and its answer is kept when it is a public 200 that names its cache keys.
/// The entries in memory hold bodies for the hottest reads; the validators, a few hundred bytes
/// each, cover many more.
/// Our own rather than ASP.NET Core's output cache, which, measured, cost each miss about a
/// fifth more of the API's CPU than no cache: it buffered every answer it might keep in a new
/// 80 kB array (its pooling off since .NET 8), locked each key around its lookup, and parsed
/// Cache-Control twice. Concurrent misses of one URL are
/// not held for one another, as the framework's were: the statements they make are shared
/// already (<see cref="CoalescedLookups{TRow}"/>, <see cref="CoalescedListStatements"/>).
/// </summary>
internal sealed class HotReadMiddleware(RequestDelegate next, HotReadCache cache, ContentCodings codings)
{
    // The largest body kept; a larger answer is sent without a copy.
    private const int LargestBody = 1024 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!PublicResponses.IsCacheable(cache, request))
        {
            await next(context);
            return;
        }

        // Validators are the same for every coding and origin; bodies differ by both (and the
        // host, which absolute URLs name).
        var validatorsKey = string.Concat(request.Path.Value, request.QueryString.Value, "\n", request.Headers.Accept.ToString());
        var key = string.Concat([validatorsKey, "\n", request.Headers.Origin.ToString(), "\n", codings.Negotiate(context), "\n", request.Host.Value]);
        // A reader who wrote after the last change heard here must not get an answer older than its write.
        var fromMemory = !PublicResponses.AsksPastHeard(cache, request);
        if (fromMemory && await TryAnswerAsync(context, validatorsKey, key))
        {
            return;
        }

        var startedIn = cache.Generation;
        var response = context.Response;
        var client = response.Body;
        using var copy = cache.HasRoom ? new ResponseCopyStream(response, client, LargestBody) : null;
        if (copy is not null)
        {
            response.Body = copy;
        }

        try
        {
            await next(context);
        }
        finally
        {
            response.Body = client;
        }

        if (PublicResponses.ValidatorsOf(response) is not { } validators)
        {
            return;
        }

        if (fromMemory)
        {
            cache.KeepValidators(validatorsKey, validators, startedIn);
        }

        if (copy?.Kept(response.ContentLength) is { } kept)
        {
            cache.Keep(key, kept, validators, startedIn);
        }
    }

    private async Task<bool> TryAnswerAsync(HttpContext context, string validatorsKey, string key)
    {
        var request = context.Request;
        var entry = cache.Find(key);
        if (ConditionalRequests.HasConditions(request)
            && (entry?.Validators ?? cache.ValidatorsOf(validatorsKey)) is { } kept
            && (kept.LastModifiedUtc is not null || request.Headers.IfNoneMatch.Count > 0)
            && ConditionalRequests.IsNotModified(request, new ContentValidators(kept.ETag, kept.LastModifiedUtc ?? default)))
        {
            NotModified(context.Response, kept);
            return true;
        }

        if (entry is null || !TryWriteKept(context.Response, entry))
        {
            return false;
        }

        try
        {
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            context.Abort();
        }

        return true;
    }

    // The kept response, headers and body; false when it left the cache since its lookup.
    private static bool TryWriteKept(HttpResponse response, CachedResponse entry)
    {
        if (!entry.Bytes.TryHold())
        {
            return false;
        }

        byte[]? rented = null;
        try
        {
            var headerBytes = entry.HeaderLength <= 2048
                ? stackalloc byte[entry.HeaderLength]
                : (rented = ArrayPool<byte>.Shared.Rent(entry.HeaderLength)).AsSpan(0, entry.HeaderLength);
            entry.Bytes.CopyStartTo(headerBytes);
            response.StatusCode = StatusCodes.Status200OK;
            KeptHeaders.Apply(headerBytes, response.Headers);
            var age = (long)(DateTimeOffset.UtcNow - entry.Created).TotalSeconds;
            response.Headers.Age = age.ToString(CultureInfo.InvariantCulture);
            response.ContentLength = entry.BodyLength;
            entry.Bytes.WriteTo(response.BodyWriter, entry.HeaderLength);
            return true;
        }
        finally
        {
            entry.Bytes.Release();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void NotModified(HttpResponse response, KeptValidators kept)
    {
        response.StatusCode = StatusCodes.Status304NotModified;
        var headers = response.Headers;
        headers.ETag = kept.ETag;
        headers.CacheControl = kept.CacheControl;
        headers["Surrogate-Key"] = kept.SurrogateKey;
        headers["Cache-Tag"] = kept.CacheTag;
        if (kept.LastModifiedUtc is { } lastModified)
        {
            headers.LastModified = HeaderUtilities.FormatDate(new DateTimeOffset(lastModified, TimeSpan.Zero));
        }

        // What the endpoint added to Vary (Accept); the CORS middleware's part is there already.
        foreach (var varies in kept.Vary.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!headers.Vary.Any(v => v?.Contains(varies, StringComparison.OrdinalIgnoreCase) == true))
            {
                headers.Append(HeaderNames.Vary, varies);
            }
        }
    }
}

/// <summary>Which requests may be answered from memory, and which answers are kept.</summary>
internal static class PublicResponses
{
    /// <summary>
    /// Whether a public answer from memory may do for this request, and its answer be kept: a GET
    /// without credentials, to an endpoint whose answers may be kept, while changes are heard.
    /// </summary>
    public static bool IsCacheable(HotReadCache cache, HttpRequest request) =>
        cache.IsServing
        && HttpMethods.IsGet(request.Method)
        && request.HttpContext.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<NeverFromMemoryMetadata>() is null
        && !request.Headers.ContainsKey(HeaderNames.Authorization)
        && !HasFutureIfModifiedSince(request);

    /// <summary>Whether the reader asks for what it wrote after the last change heard here (it could get an answer older than its write).</summary>
    public static bool AsksPastHeard(HotReadCache cache, HttpRequest request)
    {
        try
        {
            return CommitPosition.Asked(request) > cache.HeardPosition;
        }
        catch (BadHttpRequestException)
        {
            return true; // answered 400 further on
        }
    }

    /// <summary>
    /// Whether a response, as it starts, may be one the cache keeps: a 200 with validators that
    /// names its cache keys (whether it is public is read once, when it is done: <see cref="ValidatorsOf"/>).
    /// </summary>
    public static bool MayBeKept(HttpResponse response) =>
        response.StatusCode == StatusCodes.Status200OK && HasValidatorsAndKeys(response.Headers);

    /// <summary>The validators of a public answer (a 200 or a 304) that names its cache keys; null for any other.</summary>
    public static KeptValidators? ValidatorsOf(HttpResponse response)
    {
        var headers = response.Headers;
        if (response.StatusCode is not (StatusCodes.Status200OK or StatusCodes.Status304NotModified) || !HasValidatorsAndKeys(headers)
            || !CacheControlHeaderValue.TryParse(headers.CacheControl.ToString(), out var cacheControl)
            || cacheControl is not { Public: true, Private: false, NoStore: false, NoCache: false })
        {
            return null;
        }

        var lastModifiedUtc = HeaderUtilities.TryParseDate(headers.LastModified.ToString(), out var date) ? date.UtcDateTime : (DateTime?)null;
        return new KeptValidators(headers.ETag.ToString(), lastModifiedUtc, headers.CacheControl.ToString(), headers.Vary.ToString(),
            headers["Surrogate-Key"].ToString());
    }

    private static bool HasValidatorsAndKeys(IHeaderDictionary headers) =>
        headers.ETag.Count > 0 && !StringValues.IsNullOrEmpty(headers["Surrogate-Key"]) && !headers.ContainsKey(HeaderNames.SetCookie);

    // The cache would answer 304 to a date in the future; the endpoints ignore such a date (RFC 9110 §13.1.3).
    private static bool HasFutureIfModifiedSince(HttpRequest request) =>
        request.Headers.IfNoneMatch.Count == 0
        && HeaderUtilities.TryParseDate(request.Headers.IfModifiedSince.ToString(), out var since)
        && since > DateTimeOffset.UtcNow;
}

/// <summary>
/// Endpoint metadata (<see cref="OutputCaching.NeverFromMemory"/>): the endpoint's answers are never
/// kept (no-store, no-cache), so its requests pass by the cache, as requests that no endpoint
/// answers (404s, Swagger's files) do: no lookup, no copy of the answer.
/// </summary>
internal sealed class NeverFromMemoryMetadata
{
    public static NeverFromMemoryMetadata Instance { get; } = new();

    private NeverFromMemoryMetadata()
    {
    }
}
