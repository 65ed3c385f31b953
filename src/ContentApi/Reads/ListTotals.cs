using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;

namespace ContentApi.Reads;

/// <summary>
/// Totals of lists by scope, valid while the version they follow (<see cref="ListSpec.TotalVersion"/>)
/// stays where they were counted: the count (the costliest part of a long list) runs again only
/// after what it counts may have changed, and once for the pages of a scope asked while it runs.
/// </summary>
internal sealed class ListTotals
{
    /// <summary>At most this many scopes are remembered (one size unit each).</summary>
    public const int Capacity = 10_000;

    /// <summary>
    /// A total up to this is counted again on each request rather than remembered (unless its list
    /// <see cref="ListSpec.KeepsShortTotal"/>): counting it reads no more than the largest page
    /// does, while remembering the many short lists (an article's comments, a person's articles)
    /// would push out the long ones whose counts are worth keeping.
    /// </summary>
    public const int CountedEachTimeUpTo = PagingOptions.MaxPageSize;

    // Full, a quarter goes at a time: each compaction sorts every entry, and at 5% (the default)
    // lists of many scopes sorted 10,000 entries every 500 requests.
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = Capacity, CompactionPercentage = 0.25 });

    // The counts running, by scope: each ends with its total (null when its statement failed).
    private readonly ConcurrentDictionary<string, Task<Counted?>> counting = new();

    // The newest version of each kind (TotalVersion) a statement has answered with: a total
    // counted before it is likely stale.
    private readonly long[] newestVersions = new long[Enum.GetValues<TotalVersion>().Length];

    // Scopes whose last total was short, each marked in its hash's slot: counting one is cheap, so
    // their pages never wait for another's count (a hot short list, an article's comments, would
    // run one page and then the others, in turns). A slot taken by another scope only makes this
    // one's pages wait for a count again.
    private readonly int[] shortScopes = new int[4096];

    /// <summary>
    /// A total, whether it is estimated (<see cref="ListSpec.BoundedTotal"/>), and what it holds
    /// for: the version of its kind it was counted at, and the watermark's newest publication time
    /// then (a scheduled article becoming visible moves it); and whether the page it was counted
    /// with came from the matches ranked above the floor alone (<see cref="ListSpec.RankFloor"/>).
    /// </summary>
    public sealed record Counted(long Version, DateTime? VisibleUntil, long Total, bool Estimated = false, bool PageFromRanked = false);

    /// <summary>
    /// What a page of <paramref name="scope"/> may give its statement as the known total, and the
    /// most items the list is likely to hold (the last total remembered, or
    /// <see cref="CountedEachTimeUpTo"/> when the last was short; null when none is known). The
    /// remembered total while nothing newer is known. Otherwise the list will be counted: by each
    /// page when its last total was short; else the total of the count running for the scope,
    /// once it ends, or, when none runs, the claim to count it (the pages asked meanwhile wait for
    /// its total rather than each counting it: right after a start or a write, 32 connections of
    /// one long list counted it 32 times at once, 200–900 ms each at 283,000 articles, and some of
    /// them reached the read timeout).
    /// </summary>
    public async ValueTask<Known> KnownAsync(string scope, TotalVersion kind, CancellationToken cancellationToken)
    {
        var remembered = Get(scope);
        if (remembered is not null && remembered.Version >= Volatile.Read(ref newestVersions[(int)kind]))
        {
            return new Known(remembered, null, remembered.Total);
        }

        if (remembered is null && WasShort(scope))
        {
            return new Known(null, null, CountedEachTimeUpTo);
        }

        var claim = new TaskCompletionSource<Counted?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = counting.GetOrAdd(scope, claim.Task);
        if (running != claim.Task)
        {
            // The statement still checks the version: a total from before a later change is counted again.
            var total = await running.WaitAsync(cancellationToken) ?? remembered;
            return new Known(total, null, total?.Total);
        }

        return new Known(remembered, new Count(this, scope, claim), remembered?.Total);
    }

    public Counted? Get(string scope) => cache.Get<Counted>(scope);

    /// <summary>
    /// The total a statement answered with, at its version of <paramref name="kind"/>, after the one
    /// given to it no longer held; a short one only with <paramref name="keepShort"/>.
    /// </summary>
    public void Remember(string scope, TotalVersion kind, Counted counted, bool keepShort = false)
    {
        ref var newestVersion = ref newestVersions[(int)kind];
        long newest;
        do
        {
            newest = Volatile.Read(ref newestVersion);
        }
        while (counted.Version > newest && Interlocked.CompareExchange(ref newestVersion, counted.Version, newest) != newest);

        if (counted.Total > CountedEachTimeUpTo || keepShort)
        {
            cache.Set(scope, counted, new MemoryCacheEntryOptions { Size = 1 });
        }
        else
        {
            // A long list that became short: its old total must not stay behind.
            cache.Remove(scope);
            var (slot, mark) = ShortScopeSlot(scope);
            Volatile.Write(ref shortScopes[slot], mark);
        }
    }

    private bool WasShort(string scope)
    {
        var (slot, mark) = ShortScopeSlot(scope);
        return Volatile.Read(ref shortScopes[slot]) == mark;
    }

    // Never 0, which marks an empty slot.
    private (int Slot, int Mark) ShortScopeSlot(string scope)
    {
        var hash = scope.GetHashCode();
        return ((int)((uint)hash % (uint)shortScopes.Length), hash | 1);
    }

    /// <summary>
    /// The total to give a page's statement, the claim to count it when this page counts for the
    /// others, and the most items the list likely holds: a hint of how to read it, which may no
    /// longer hold (<see cref="ListSpec.ReadsFromPosition"/>).
    /// </summary>
    public readonly record struct Known(Counted? Total, Count? Count, long? AtMost);

    /// <summary>
    /// The claim to count a scope: the pages that wait for it get the total it ends with, or, when it
    /// is disposed without one (its statement failed or was cancelled), count themselves.
    /// </summary>
    public sealed class Count(ListTotals totals, string scope, TaskCompletionSource<Counted?> claim) : IDisposable
    {
        public void Ended(Counted counted) => claim.TrySetResult(counted);

        public void Dispose()
        {
            totals.counting.TryRemove(new KeyValuePair<string, Task<Counted?>>(scope, claim.Task));
            claim.TrySetResult(null);
        }
    }
}
