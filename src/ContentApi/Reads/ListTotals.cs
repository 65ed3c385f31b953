using Microsoft.Extensions.Caching.Memory;

namespace ContentApi.Reads;

/// <summary>
/// Totals of lists by scope, valid while the content watermark stays where they were counted:
/// the count (the costliest part of a long list) runs again only after content changed.
/// </summary>
internal sealed class ListTotals
{
    /// <summary>At most this many scopes are remembered (one size unit each).</summary>
    public const int Capacity = 10_000;

    /// <summary>
    /// A total up to this is counted again on each request rather than remembered: counting it reads
    /// no more than the largest page does, while remembering the many short lists (an article's
    /// comments, a person's articles) would push out the long ones whose counts are worth keeping.
    /// </summary>
    public const int CountedEachTimeUpTo = PagingOptions.MaxPageSize;

    // Full, a quarter goes at a time: each compaction sorts every entry, and at 5% (the default)
    // lists of many scopes sorted 10,000 entries every 500 requests.
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = Capacity, CompactionPercentage = 0.25 });

    public sealed record Counted(long Version, DateTime? VisibleUntil, long Total);

    public Counted? Get(string scope) => cache.Get<Counted>(scope);

    public void Remember(string scope, Counted counted)
    {
        if (counted.Total > CountedEachTimeUpTo)
        {
            cache.Set(scope, counted, new MemoryCacheEntryOptions { Size = 1 });
        }
        else
        {
            // A long list that became short: its old total must not stay behind.
            cache.Remove(scope);
        }
    }
}
