using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using ContentApi.Infrastructure.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ContentApi.Reads;

internal static class ReadsServiceCollectionExtensions
{
    /// <summary>Paging, cursors, list totals, conditional requests and the shared read path.</summary>
    public static IServiceCollection AddPublicReads(this IServiceCollection services)
    {
        services.AddOptions<CachingOptions>().BindConfiguration("Caching");
        services.AddOptions<PagingOptions>().BindConfiguration("Paging");
        services.AddSingleton<ConditionalRequests>();
        services.AddSingleton<CursorSigningKey>();
        services.AddSingleton<CursorCodec>();
        services.AddSingleton<ListTotals>();
        services.AddSingleton<PublicReads>();
        services.AddSingleton<PagedQueryValidator>();
        services.AddSourceGeneratedJson(ReadsJsonContext.Default);

        // Full-text queries are the costliest anonymous reads: only a few run at once, the rest
        // wait in line (429 past the line), so that no pattern of them holds every pooled
        // connection while the cheap reads starve; a costly one rests its slot after it, and
        // while none runs long or rests and the last few ended cheap, they take a slot a core
        // (FullTextQueryLimiter). A query the endpoint refuses never reaches PostgreSQL: it gets
        // its 400 without waiting (a repeated q waits, whichever of its values the endpoint reads).
        services.Configure<RateLimiterOptions>(options => options.AddPolicy(FullTextQueries.ConcurrencyPolicy, httpContext =>
        {
            if (!httpContext.Request.Query.TryGetValue("q", out var q) || (q.Count == 1 && !FullTextQueries.IsValid(q[0]!)))
            {
                return RateLimitPartition.GetNoLimiter("");
            }

            var limits = httpContext.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
            return RateLimitPartition.Get(FullTextQueries.ConcurrencyPolicy, _ => new FullTextQueryLimiter(new FullTextQuerySlots(
                limits.FullTextQueryConcurrency, limits.FullTextQueryCheapConcurrency, limits.FullTextQueryQueue,
                TimeSpan.FromMilliseconds(limits.FullTextQueryCheapMilliseconds))));
        }));
        return services;
    }
}

/// <summary>The list envelope's parts, serialised around the items PostgreSQL rendered.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PageInfo))]
[JsonSerializable(typeof(PageLinks))]
internal sealed partial class ReadsJsonContext : JsonSerializerContext;
