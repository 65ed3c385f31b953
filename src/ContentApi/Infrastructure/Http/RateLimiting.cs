using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ContentApi.Infrastructure.Http;

/// <summary>Request budgets per client network (<c>RateLimits:*</c>); comments add their own.</summary>
internal sealed class RateLimitOptions
{
    /// <summary>Requests per client network and minute without a valid API key (0: no limit). Health checks are not counted.</summary>
    public int AnonymousRequestsPerMinute { get; set; } = 6000;

    /// <summary>Invalid API keys per client network and minute; past it, keys from there are refused (429) without being looked up.</summary>
    public int InvalidApiKeysPerMinute { get; set; } = 20;

    /// <summary>
    /// Full-text queries (search, article lists with q) running at once, in the whole process,
    /// whenever one of them runs long or rests (see FullTextQueryCheapMilliseconds) while other
    /// requests are in progress or ended within the last second. Each takes a core of PostgreSQL
    /// while it ranks: half the cores (at least one) leaves the other half to the cheap reads
    /// (measured by the hostile-search bench scenario).
    /// </summary>
    public int FullTextQueryConcurrency { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>
    /// Full-text queries running at once while every one stays cheap: as many as the cores. Cheap
    /// queries give their slot back within milliseconds, so the reads beside them wait little.
    /// Never fewer than FullTextQueryConcurrency.
    /// </summary>
    public int FullTextQueryCheapConcurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Full-text queries running at once while no other request is in progress or ended within
    /// the last second, when nothing but them waits for PostgreSQL: two a core, since a query
    /// holds its slot while its page is rendered and sent (searches alone at 100,000 articles,
    /// one a core: 14–22% of the cores idle; two a core: 10–17%). Never fewer than
    /// FullTextQueryCheapConcurrency.
    /// </summary>
    public int FullTextQueryAloneConcurrency { get; set; } = 2 * Environment.ProcessorCount;

    /// <summary>Full-text queries waiting for their turn; past it, 429.</summary>
    public int FullTextQueryQueue { get; set; } = 128;

    /// <summary>
    /// How long a full-text query may hold its slot and give it back at once; a slower one's
    /// slot rests twice as long as it ran past this while other requests are in progress or ended
    /// within the last second (see FullTextQueryLimiter). A search of two words among 100,000
    /// articles takes 1–12 ms; one common word, 35–90 ms (at 50, the threshold before snippets
    /// were kept parsed, most of those no longer rested and the article reads beside them lost
    /// their p99).
    /// </summary>
    public int FullTextQueryCheapMilliseconds { get; set; } = 20;

    /// <summary>
    /// Writes (every method but GET, HEAD and OPTIONS) running at once, in the whole process:
    /// fewer than the pool's connections, so that writes blocked on a lock never take them all
    /// and reads always find one. The others wait their turn without a connection.
    /// </summary>
    public int WriteConcurrency { get; set; } = 12;

    /// <summary>Writes waiting for their turn; past it, 429.</summary>
    public int WriteQueue { get; set; } = 256;

    /// <summary>
    /// How many instances share the per-network budgets through Redis (ConnectionStrings:Redis):
    /// while Redis cannot be reached, each applies this share of them alone.
    /// </summary>
    public int Instances { get; set; } = 1;
}

internal static class RateLimiting
{
    /// <summary>
    /// ASP.NET Core rate limiting answering 429 with Retry-After and a problem document (its
    /// default is an empty 503), with a generous budget per client network for anonymous
    /// requests: one address cannot take the database for itself. Resources add their own
    /// policies, or a budget per network of their own (<see cref="NetworkBudget"/>).
    /// </summary>
    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration("RateLimits")
            .Validate(o => o.AnonymousRequestsPerMinute >= 0 && o.InvalidApiKeysPerMinute > 0 && o.FullTextQueryConcurrency > 0 && o.FullTextQueryCheapConcurrency > 0 && o.FullTextQueryAloneConcurrency > 0 && o.FullTextQueryQueue >= 0 && o.FullTextQueryCheapMilliseconds >= 0
                           && o.WriteConcurrency > 0 && o.WriteQueue >= 0 && o.Instances >= 1,
                "RateLimits: AnonymousRequestsPerMinute ≥ 0 (0: no limit), InvalidApiKeysPerMinute > 0, FullTextQueryConcurrency > 0, FullTextQueryCheapConcurrency > 0, FullTextQueryAloneConcurrency > 0, FullTextQueryQueue ≥ 0, FullTextQueryCheapMilliseconds ≥ 0, WriteConcurrency > 0, WriteQueue ≥ 0, Instances ≥ 1.")
            .ValidateOnStart();
        services.AddSingleton<SharedRateLimits>();
        return services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            var writeTurns = PartitionedRateLimiter.Create<HttpContext, string>(httpContext =>
            {
                if (HttpConventions.IsRead(httpContext.Request))
                {
                    return RateLimitPartition.GetNoLimiter("");
                }

                var limits = httpContext.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                return RateLimitPartition.GetConcurrencyLimiter("writes", _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = limits.WriteConcurrency,
                    QueueLimit = limits.WriteQueue,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                });
            });
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(new NetworkBudgets(), writeTurns);
            options.OnRejected = async (context, _) =>
            {
                var retryAfter = RetryAfterSeconds(context.Lease);
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too Many Requests",
                        Detail = $"Too many requests to {context.HttpContext.Request.Method} {context.HttpContext.Request.Path} from your address; retry in {retryAfter} s.",
                    },
                });
            };
        });
    }

    /// <summary>Whole seconds until a refused lease's limiter has permits again (at least 1; 1 for a full queue, which says nothing).</summary>
    public static int RetryAfterSeconds(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
}

/// <summary>An endpoint's own budget per client network and minute, beside the anonymous requests' (<see cref="NetworkBudgets"/>).</summary>
internal sealed record NetworkBudget(string Name, Func<IServiceProvider, int> PermitsPerMinute);

/// <summary>
/// The budgets per client network a request counts against: anonymous requests
/// (<c>RateLimits:AnonymousRequestsPerMinute</c>; not health checks) and its endpoint's
/// <see cref="NetworkBudget"/>, counted by <see cref="SharedRateLimits"/>. One limiter for every
/// network: the framework's partitioned limiter keeps a limiter object for each key.
/// </summary>
internal sealed class NetworkBudgets : PartitionedRateLimiter<HttpContext>
{
    private const string AnonymousRequests = "requests";

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    protected override RateLimitLease AttemptAcquireCore(HttpContext httpContext, int permitCount)
    {
        var (anonymous, own) = (AnonymousPermits(httpContext), OwnBudget(httpContext));
        if (anonymous is null && own is null)
        {
            return SharedRateLimits.NoBudget;
        }

        // A write may find the write turns taken after this; then it is asked again through
        // AcquireAsync, which would count it twice: writes are counted there alone.
        if (!HttpConventions.IsRead(httpContext.Request))
        {
            return SharedRateLimits.NotCountedHere;
        }

        var shared = httpContext.RequestServices.GetRequiredService<SharedRateLimits>();
        var network = ClientAddresses.ClientNetworkKey(httpContext);
        if (anonymous is { } requests && shared.AttemptAcquire(AnonymousRequests, network, requests, permitCount) is { IsAcquired: false } refused)
        {
            return refused;
        }

        return own is var (name, permits) ? shared.AttemptAcquire(name, network, permits, permitCount) : SharedRateLimits.NoBudget;
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext httpContext, int permitCount, CancellationToken cancellationToken)
    {
        var (anonymous, own) = (AnonymousPermits(httpContext), OwnBudget(httpContext));
        if (anonymous is null && own is null)
        {
            return SharedRateLimits.NoBudget;
        }

        var shared = httpContext.RequestServices.GetRequiredService<SharedRateLimits>();
        var network = ClientAddresses.ClientNetworkKey(httpContext);
        if (anonymous is { } requests && await shared.AcquireAsync(AnonymousRequests, network, requests, permitCount) is { IsAcquired: false } refused)
        {
            return refused;
        }

        return own is var (name, permits) ? await shared.AcquireAsync(name, network, permits, permitCount) : SharedRateLimits.NoBudget;
    }

    private static int? AnonymousPermits(HttpContext httpContext)
    {
        var perMinute = httpContext.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.AnonymousRequestsPerMinute;
        return perMinute == 0 || httpContext.User.Identity?.IsAuthenticated == true || httpContext.Request.Path.StartsWithSegments("/health") ? null : perMinute;
    }

    private static (string Name, int Permits)? OwnBudget(HttpContext httpContext) =>
        httpContext.GetEndpoint()?.Metadata.GetMetadata<NetworkBudget>() is { } budget ? (budget.Name, budget.PermitsPerMinute(httpContext.RequestServices)) : null;
}
