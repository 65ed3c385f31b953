using Microsoft.Extensions.Caching.Memory;

namespace ContentApi.Reads;

/// <summary>
/// Totals of lists by scope, valid while the content watermark stays where they were counted:
/// the count (the costliest part of a list) runs again only after content changed.
/// </summary>
internal sealed class ListTotals
{
    /// <summary>At most this many scopes are remembered (one size unit each).</summary>
    public const int Capacity = 10_000;

    // Full, a quarter goes at a time: each compaction sorts every entry, and at 5% (the default)
    // lists of many scopes (an article's comments) sorted 10,000 entries every 500 requests.
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = Capacity, CompactionPercentage = 0.25 });

    public sealed record Counted(long Version, DateTime? VisibleUntil, long Total);

    public Counted? Get(string scope) => cache.Get<Counted>(scope);

    public void Remember(string scope, Counted counted) =>
        cache.Set(scope, counted, new MemoryCacheEntryOptions { Size = 1 });
}
