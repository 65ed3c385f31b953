using System.Text.Json.Serialization;
using ContentApi.Infrastructure.Http;
using Microsoft.Extensions.Options;

namespace ContentApi.Reads;

internal static class ReadsServiceCollectionExtensions
{
    /// <summary>Paging, cursors, list totals, conditional requests and the shared read path.</summary>
    public static IServiceCollection AddPublicReads(this IServiceCollection services)
    {
        services.AddOptions<CachingOptions>().BindConfiguration("Caching");
        services.AddOptions<PagingOptions>().BindConfiguration("Paging");
        services.AddOptions<FullTextOptions>().BindConfiguration("FullText")
            .Validate(o => o.RankedMatchesAtMost >= 1, "FullText:RankedMatchesAtMost must be at least 1.")
            .ValidateOnStart();
        services.AddSingleton<ConditionalRequests>();
        services.AddSingleton<CursorSigningKey>();
        services.AddSingleton<CursorCodec>();
        services.AddSingleton<ListTotals>();
        services.AddSingleton<PublicReads>();
        services.AddSingleton<PagedQueryValidator>();
        services.AddSourceGeneratedJson(ReadsJsonContext.Default);

        // Other requests hold the full-text slots back for a second after the last one ended.
        services.AddSingleton(new OtherRequests(TimeSpan.FromSeconds(1)));
        services.AddSingleton(provider =>
        {
            var limits = provider.GetRequiredService<IOptions<RateLimitOptions>>().Value;
            return new FullTextQueryLimiter(
                new FullTextQuerySlots(limits.FullTextQueryConcurrency, limits.FullTextQueryCheapConcurrency, limits.FullTextQueryAloneConcurrency,
                                       limits.FullTextQueryQueue, TimeSpan.FromMilliseconds(limits.FullTextQueryCheapMilliseconds)),
                provider.GetRequiredService<OtherRequests>());
        });
        return services;
    }
}

/// <summary>The list envelope's parts, serialised around the items PostgreSQL rendered.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PageInfo))]
[JsonSerializable(typeof(PageLinks))]
internal sealed partial class ReadsJsonContext : JsonSerializerContext;
