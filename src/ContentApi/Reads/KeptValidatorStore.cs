using System.Collections.Concurrent;

namespace ContentApi.Reads;

/// <summary>The validators and cache headers of a public answer: what a 304 for it carries.</summary>
internal readonly record struct KeptValidators(string ETag, DateTime? LastModifiedUtc, string CacheControl, string Vary, string SurrogateKey)
{
    /// <summary>The same cache keys as <see cref="SurrogateKey"/>, comma-separated (<see cref="CacheTags"/>).</summary>
    public string CacheTag => SurrogateKey.Replace(' ', ',');
}

/// <summary>
/// The validators of public answers (see <see cref="HotReadCache"/>), lean enough to keep for
/// many more URLs than response bodies (0.4–0.6 kB each, README "Hot reads from memory"): no
/// index from cache keys to entries, one object an entry beside its strings, the few distinct
/// Cache-Control and Vary values shared, and an answer equal to one kept since the last change
/// to its keys is not kept again (what the store replaces ends as garbage in the GC's oldest
/// generation, which grew the process by about three times what the store held).
/// Each entry remembers the eviction generation it was read in, and a lookup checks whether one
/// of its cache keys was evicted after that. Bounded by count in two halves: when the newer half
/// is full or older than the longest an entry lives, the older half goes, and with it what the
/// evictions remember from before the oldest entry left.
/// </summary>
internal sealed class KeptValidatorStore
{
    private readonly int capacity;
    private readonly TimeSpan longest;

    private sealed record Kept(KeptValidators Validators, long Generation, long ExpiresAt);

    // Cache-Control and Vary take a few values; a distinct string for each entry would cost more than the rest of it.
    private const int SharedValuesLimit = 256;
    private readonly Dictionary<string, string> sharedValues = [];

    private sealed class Half(long firstGeneration)
    {
        public ConcurrentDictionary<string, Kept> Entries { get; } = new();

        /// <summary>No entry of this half was read before this generation.</summary>
        public long FirstGeneration => firstGeneration;

        public long StartedAt { get; } = Environment.TickCount64;

        /// <summary>
        /// Keys added, counted under the cache's lock: <c>ConcurrentDictionary.Count</c> takes
        /// every lock of the dictionary, and it ran on each public miss while holding the cache's.
        /// </summary>
        public int Added { get; set; }
    }

    private Half newer = new(0);
    private Half older = new(0);

    // The generation in which each cache key was last evicted.
    private readonly ConcurrentDictionary<string, long> evictedIn = new();
    private readonly ConcurrentDictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> evictedInByName;

    public KeptValidatorStore(int capacity, TimeSpan longest)
    {
        this.capacity = capacity;
        this.longest = longest;
        evictedInByName = evictedIn.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The validators kept for <paramref name="key"/>, unless one of their cache keys was evicted since they were read.</summary>
    public KeptValidators? Find(string key)
    {
        if (!Volatile.Read(ref newer).Entries.TryGetValue(key, out var kept) && !Volatile.Read(ref older).Entries.TryGetValue(key, out kept))
        {
            return null;
        }

        // Found in a half dropped meanwhile, whose evictions may have been forgotten already.
        return IsValid(kept) && kept.Generation >= Volatile.Read(ref older).FirstGeneration ? kept.Validators : null;
    }

    private bool IsValid(Kept kept)
    {
        if (Environment.TickCount64 > kept.ExpiresAt)
        {
            return false;
        }

        var keys = kept.Validators.SurrogateKey.AsSpan();
        foreach (var range in keys.Split(' '))
        {
            if (evictedInByName.TryGetValue(keys[range], out var evicted) && evicted > kept.Generation)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Keeps <paramref name="validators"/>, read in <paramref name="generation"/>, for <paramref name="validFor"/>. Called under the cache's lock.</summary>
    public void Keep(string key, KeptValidators validators, long generation, TimeSpan validFor)
    {
        var current = newer;
        if (current.Added >= capacity / 2 || Environment.TickCount64 - current.StartedAt > longest.TotalMilliseconds)
        {
            Volatile.Write(ref older, current);
            Volatile.Write(ref newer, new Half(generation));
            // No entry left was read before the older half began: what was evicted before then concerns none.
            foreach (var (tag, evicted) in evictedIn)
            {
                if (evicted <= current.FirstGeneration)
                {
                    evictedIn.TryRemove(new KeyValuePair<string, long>(tag, evicted));
                }
            }
        }

        if (newer.Entries.TryGetValue(key, out var same) && same.Validators == validators && IsValid(same))
        {
            return; // the same answer, and no change since: keeping it again would only make garbage
        }

        validators = validators with { CacheControl = Shared(validators.CacheControl), Vary = Shared(validators.Vary) };
        var kept = new Kept(validators, generation, Environment.TickCount64 + (long)validFor.TotalMilliseconds);
        if (newer.Entries.TryAdd(key, kept))
        {
            newer.Added++;
        }
        else
        {
            newer.Entries[key] = kept;
        }
    }

    private string Shared(string value)
    {
        if (sharedValues.TryGetValue(value, out var shared))
        {
            return shared;
        }

        if (sharedValues.Count < SharedValuesLimit)
        {
            sharedValues[value] = value;
        }

        return value;
    }

    /// <summary>A change named <paramref name="tag"/> in <paramref name="generation"/>. Called under the cache's lock.</summary>
    public void Evicted(string tag, long generation)
    {
        if (tag == HotReadCache.EveryEntry)
        {
            Volatile.Write(ref older, new Half(generation));
            Volatile.Write(ref newer, new Half(generation));
            evictedIn.Clear();
            return;
        }

        evictedIn[tag] = generation;
    }
}
