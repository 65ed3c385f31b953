using ContentApi.Infrastructure.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Reads;

/// <summary>Settings of the in-memory cache of public responses (<c>OutputCache:*</c>).</summary>
internal sealed class OutputCachingOptions
{
    /// <summary>Serve repeated public GETs from memory (exactly invalidated); off: every request reads the database.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Memory for cached responses, in MiB (bodies and keys; the least recently used go first).</summary>
    public int SizeLimitMegabytes { get; set; } = 64;

    /// <summary>The longest an entry is kept, in seconds, when no change evicts it first.</summary>
    public int EntrySeconds { get; set; } = 300;

    /// <summary>How many public answers' validators are kept, to answer 304s whose body is not in memory (the least recently used go first).</summary>
    public int ValidatorEntries { get; set; } = 100_000;
}

/// <summary>
/// Hot reads from memory (DESIGN.md "Serving hot reads"): ASP.NET Core's output cache in front of
/// the public GETs, keeping a response only when it is public, a 200 and names its cache keys
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
        services.AddSingleton<IOutputCacheStore>(sp => sp.GetRequiredService<HotReadCache>());
        services.AddSingleton<CacheInvalidationListener>();
        services.AddHostedService(sp => sp.GetRequiredService<CacheInvalidationListener>());
        services.AddOutputCache();
        services.AddOptions<OutputCacheOptions>().Configure<HotReadCache, IOptions<OutputCachingOptions>, ContentCodings>((options, cache, settings, codings) =>
        {
            // Slugs are lower case: /v1/articles/ABC is a 400, never another URL's cached 200.
            options.UseCaseSensitivePaths = true;
            options.MaximumBodySize = 1024 * 1024;
            options.AddBasePolicy(new PublicResponsesPolicy(cache, codings, TimeSpan.FromSeconds(settings.Value.EntrySeconds)));
        });
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
            var method = context.Request.Method;
            if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method))
            {
                // The writer's next read on this instance sees its write.
                context.Response.OnStarting(() => context.Response.StatusCode < 400
                    ? listener.CatchUpAfterWriteAsync(CancellationToken.None)
                    : Task.CompletedTask);
            }

            return next(context);
        });
        app.UseOutputCache();
        var cache = app.Services.GetRequiredService<HotReadCache>();
        app.Use((context, next) => AnswerFromKeptValidatorsAsync(context, next, cache));
        return app;
    }

    /// <summary>
    /// Behind the output cache (its misses): a conditional GET that matches the validators kept of
    /// the last public answer to the same request is a 304 without the database; any other public
    /// answer with validators is remembered for the next one. The entries in memory hold bodies
    /// for the hottest reads; the validators, a few hundred bytes each, cover many more.
    /// </summary>
    private static async Task AnswerFromKeptValidatorsAsync(HttpContext context, RequestDelegate next, HotReadCache cache)
    {
        var request = context.Request;
        if (!PublicResponsesPolicy.MayServeFromMemory(cache, request))
        {
            await next(context);
            return;
        }

        var key = string.Concat(request.Path.Value, request.QueryString.Value, "\n", request.Headers.Accept.ToString());
        var response = context.Response;
        if (ConditionalRequests.HasConditions(request) && cache.ValidatorsOf(key) is { } kept
            && (kept.LastModifiedUtc is not null || request.Headers.IfNoneMatch.Count > 0)
            && ConditionalRequests.IsNotModified(request, new ContentValidators(kept.ETag, kept.LastModifiedUtc ?? default)))
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

            return;
        }

        var startedIn = cache.GenerationTag;
        await next(context);
        if (response.StatusCode is StatusCodes.Status200OK or StatusCodes.Status304NotModified
            && response.Headers.ETag.ToString() is { Length: > 0 } etag
            && response.Headers["Surrogate-Key"].ToString() is { Length: > 0 } surrogateKey
            && PublicResponsesPolicy.IsPublic(response.Headers.CacheControl)
            && !response.Headers.ContainsKey(HeaderNames.SetCookie))
        {
            var headers = response.Headers;
            var lastModifiedUtc = HeaderUtilities.TryParseDate(headers.LastModified.ToString(), out var date) ? date.UtcDateTime : (DateTime?)null;
            cache.KeepValidators(key, new KeptValidators(etag, lastModifiedUtc, headers.CacheControl.ToString(),
                headers.Vary.ToString(), surrogateKey), startedIn);
        }
    }
}

/// <summary>Which requests the output cache answers and which responses it keeps, for how long, under which keys.</summary>
internal sealed class PublicResponsesPolicy(HotReadCache cache, ContentCodings codings, TimeSpan longest) : IOutputCachePolicy
{
    // Representations differ by format (JSON, JSON-LD, ninjs) and by the CORS answer to the origin.
    private static readonly StringValues VariesBy = new([HeaderNames.Accept, HeaderNames.Origin]);

    // And by content coding: the compression middleware runs behind the cache, so an entry holds
    // the body as it was sent (compressed once, not on every hit).
    private const string ContentCoding = "coding";

    /// <summary>
    /// Whether a public answer from memory may do for this request: a GET without credentials,
    /// while changes are heard, from a reader who did not write after the last change heard here
    /// (or it could get an answer older than its write).
    /// </summary>
    public static bool MayServeFromMemory(HotReadCache cache, HttpRequest request) =>
        IsCacheable(cache, request) && !AsksPastHeard(cache, request);

    private static bool IsCacheable(HotReadCache cache, HttpRequest request) =>
        cache.IsServing
        && HttpMethods.IsGet(request.Method)
        && request.HttpContext.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<NeverFromMemoryMetadata>() is null
        && !request.Headers.ContainsKey(HeaderNames.Authorization)
        && !HasFutureIfModifiedSince(request);

    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var request = context.HttpContext.Request;
        var cacheable = IsCacheable(cache, request);
        context.EnableOutputCaching = cacheable;
        context.AllowCacheLookup = cacheable && !AsksPastHeard(cache, request);
        context.AllowCacheStorage = cacheable && cache.HasRoom;
        context.AllowLocking = true;
        context.CacheVaryByRules.QueryKeys = "*";
        context.CacheVaryByRules.HeaderNames = VariesBy;
        if (cacheable && codings.Negotiate(context.HttpContext) is var coding and not ContentCodings.Identity)
        {
            context.CacheVaryByRules.VaryByValues[ContentCoding] = coding;
        }

        context.Tags.Add(cache.GenerationTag);
        // Set before the response starts: the middleware fixes an entry's lifetime then. The
        // store shortens it to the next scheduled publication when it keeps the entry.
        context.ResponseExpirationTimeSpan = longest;
        return ValueTask.CompletedTask;
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var response = context.HttpContext.Response;
        var keys = response.Headers["Surrogate-Key"];
        if (response.StatusCode != StatusCodes.Status200OK || StringValues.IsNullOrEmpty(keys) || !IsPublic(response.Headers.CacheControl)
            || response.Headers.ContainsKey(HeaderNames.SetCookie))
        {
            context.AllowCacheStorage = false;
            return ValueTask.CompletedTask;
        }

        foreach (var key in keys.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            context.Tags.Add(key);
        }

        return ValueTask.CompletedTask;
    }

    private static bool AsksPastHeard(HotReadCache cache, HttpRequest request)
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

    public static bool IsPublic(StringValues cacheControl) =>
        CacheControlHeaderValue.TryParse(cacheControl.ToString(), out var parsed) && parsed is { Public: true, Private: false, NoStore: false, NoCache: false };

    // The cache would answer 304 to a date in the future; the endpoints ignore such a date (RFC 9110 §13.1.3).
    private static bool HasFutureIfModifiedSince(HttpRequest request) =>
        request.Headers.IfNoneMatch.Count == 0
        && HeaderUtilities.TryParseDate(request.Headers.IfModifiedSince.ToString(), out var since)
        && since > DateTimeOffset.UtcNow;
}

/// <summary>
/// Endpoint metadata (<see cref="OutputCaching.NeverFromMemory"/>): the endpoint's answers are never
/// kept (no-store, no-cache), so its requests pass by the output cache, as requests that no endpoint
/// answers (404s, Swagger's files) do. Otherwise the cache would buffer each answer only to drop it,
/// and hold each request while another for the same URL was being answered, in case that answer
/// could be shared (the framework's locking): with the cache on, `/health/live` cost twice the
/// API's CPU.
/// </summary>
internal sealed class NeverFromMemoryMetadata
{
    public static NeverFromMemoryMetadata Instance { get; } = new();

    private NeverFromMemoryMetadata()
    {
    }
}
