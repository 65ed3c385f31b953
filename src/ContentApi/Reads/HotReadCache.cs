using System.Buffers;
using Microsoft.Extensions.Options;

namespace ContentApi.Reads;

/// <summary>
/// The public responses kept in memory (<see cref="HotReadMiddleware"/>): entries by key, bounded
/// by size, their bodies outside the GC's heap (<see cref="NativeBody"/>), evicted by the cache keys of the changes feed
/// (<see cref="CacheTags"/>). It refuses to keep a response computed before an eviction that
/// happened while it was being computed: each request remembers the eviction generation it
/// started in (<see cref="Generation"/>), and a response of an older generation is dropped
/// instead of kept, so a read that raced a change never outlives the change's eviction.
/// While no listener tells it of changes (<see cref="Suspend"/>), it serves and keeps nothing.
/// Beside the responses it keeps the validators of public answers (<see cref="KeptValidatorStore"/>),
/// bounded by count and bytes and evicted by the same keys, so that a conditional GET whose body is not in
/// memory is still answered 304 without the database.
/// </summary>
/// <remarks>
/// An entry is one object beside its response, in one table under one lock, and its cache keys
/// are read from its <c>Surrogate-Key</c> when it goes. A <c>MemoryCache</c> entry took eight
/// objects and an array of its keys' strings (~1 kB an entry in the GC's heap with the key sets;
/// README, "The cache's own table").
/// </remarks>
internal sealed class HotReadCache : IDisposable
{
    /// <summary>A tag every entry has: evicting it empties the cache.</summary>
    public const string EveryEntry = "*";

    // A kept response and what the cache needs of it: its size against the limit, when it
    // expires and when it was last served (both Environment.TickCount64).
    private sealed class Entry(CachedResponse response, long size, long keptAt, long expiresAt)
    {
        public CachedResponse Response { get; } = response;

        public long Size { get; } = size;

        public long ExpiresAt { get; } = expiresAt;

        public long LastServed { get; set; } = keptAt;
    }

    private readonly Dictionary<string, Entry> entries = [];
    private readonly NativeBodyPool bodies;
    private readonly KeptValidatorStore validators;
    // The keys of the entries that name each cache key (not EveryEntry, which names them all).
    private readonly Dictionary<string, HashSet<string>> keysByTag = [];
    private readonly Dictionary<string, HashSet<string>>.AlternateLookup<ReadOnlySpan<char>> keysByTagName;
    private readonly Lock gate = new();
    private long generation;
    private volatile bool serving;
    private DateTime? nextPublication;
    private long keptBytes;

    private readonly long sizeLimit;
    private readonly TimeSpan longestEntry;

    public HotReadCache(IOptions<OutputCachingOptions> options)
        : this(options, TimeSpan.FromSeconds(10))
    {
    }

    /// <summary>A cache that makes room at most once in <paramref name="compactionInterval"/> (tests make it at once).</summary>
    internal HotReadCache(IOptions<OutputCachingOptions> options, TimeSpan compactionInterval)
    {
        this.compactionInterval = compactionInterval;
        sizeLimit = options.Value.SizeLimitMegabytes * 1024L * 1024;
        longestEntry = TimeSpan.FromSeconds(options.Value.EntrySeconds);
        keysByTagName = keysByTag.GetAlternateLookup<ReadOnlySpan<char>>();
        bodies = new NativeBodyPool(sizeLimit);
        validators = new KeptValidatorStore(options.Value.ValidatorEntries, longestEntry);
    }

    /// <summary>
    /// Whether a response of a typical size may be kept now: when the cache is full, requests need
    /// not buffer theirs, except when room is due to be made.
    /// </summary>
    public bool HasRoom => !full || CompactionDue;

    // Set when a response was refused for want of room, cleared when an entry goes.
    private volatile bool full;

    // A full cache makes room for new responses at most once in 10 s, a quarter of its entries at a
    // time (the least recently served): one compaction per miss cost more than the hits it bought,
    // never making room would keep out what becomes hot after the cache filled.
    private readonly TimeSpan compactionInterval;
    private long lastCompaction = Environment.TickCount64;

    private bool CompactionDue => Environment.TickCount64 - Volatile.Read(ref lastCompaction) >= compactionInterval.TotalMilliseconds;

    /// <summary>How many responses are kept, and what they count against the size limit in bytes (their blocks and keys).</summary>
    public (int Entries, long Bytes) Kept
    {
        get
        {
            lock (gate)
            {
                return (entries.Count, keptBytes);
            }
        }
    }

    /// <summary>Whether changes are being heard: only then are responses served from memory and kept.</summary>
    public bool IsServing => serving;

    /// <summary>The current eviction generation, for a request starting now.</summary>
    public long Generation => Volatile.Read(ref generation);

    /// <summary>How long a response computed now may be kept: never past the next scheduled publication (it may change any page).</summary>
    public TimeSpan LifetimeFrom(DateTime nowUtc, TimeSpan longest)
    {
        lock (gate)
        {
            return LifetimeLocked(nowUtc, longest);
        }
    }

    private TimeSpan LifetimeLocked(DateTime nowUtc, TimeSpan longest) =>
        nextPublication is { } next && next - nowUtc < longest ? next - nowUtc : longest;

    /// <summary>
    /// The primary's WAL position when the last changes were heard: a response kept from now on
    /// must be read from a server that has replayed it (ReadRouting), or it could be older than
    /// an eviction already done.
    /// </summary>
    public ulong HeardPosition => Volatile.Read(ref heardPosition);

    private ulong heardPosition;

    /// <summary>
    /// Evicts every entry a change named, learns when the next scheduled article appears and
    /// how far the primary's WAL was when the change was heard (0: not known, nothing learnt).
    /// </summary>
    public void Invalidate(IEnumerable<string> tags, DateTime? nextScheduledPublication, ulong walPosition)
    {
        lock (gate)
        {
            Hear(walPosition);
            NextGeneration();
            // An earlier publication than the entries were kept for: they may outlive it.
            var scheduledSooner = nextScheduledPublication < (nextPublication ?? DateTime.MaxValue);
            nextPublication = nextScheduledPublication;
            foreach (var tag in scheduledSooner ? [EveryEntry] : tags)
            {
                EvictLocked(tag);
            }
        }
    }

    /// <summary>Nothing is heard of changes any more: forget everything, serve nothing until <see cref="Resume"/>.</summary>
    public void Suspend()
    {
        lock (gate)
        {
            serving = false;
            NextGeneration();
            EvictLocked(EveryEntry);
        }
    }

    /// <summary>Changes are heard again: start afresh (what changed meanwhile was not heard).</summary>
    public void Resume(DateTime? nextScheduledPublication, ulong walPosition)
    {
        lock (gate)
        {
            Hear(walPosition);
            NextGeneration();
            EvictLocked(EveryEntry);
            nextPublication = nextScheduledPublication;
            serving = true;
        }
    }

    /// <summary>The response kept for <paramref name="key"/>, if any and not expired.</summary>
    public CachedResponse? Find(string key)
    {
        var now = Environment.TickCount64;
        lock (gate)
        {
            if (!entries.TryGetValue(key, out var entry))
            {
                return null;
            }

            if (entry.ExpiresAt <= now)
            {
                RemoveLocked(key, entry);
                return null;
            }

            entry.LastServed = now;
            return entry.Response;
        }
    }

    /// <summary>
    /// Keeps a public 200 (<paramref name="copied"/>, with its <paramref name="validators"/>) under
    /// the cache keys it names, unless a change was heard since its request started in
    /// generation <paramref name="startedIn"/>.
    /// </summary>
    public void Keep(string key, CopiedResponse copied, KeptValidators validators, long startedIn)
    {
        lock (gate)
        {
            if (!serving || startedIn != generation)
            {
                return; // computed before a change was heard, or while none can be
            }

            // Never past the next scheduled publication, which may change any page; once it is
            // due, nothing is kept until the listener has read the one after it.
            var validFor = LifetimeLocked(DateTime.UtcNow, longestEntry);
            if (validFor <= TimeSpan.Zero)
            {
                return;
            }

            if (entries.Remove(key, out var replaced))
            {
                ForgetLocked(key, replaced);
            }

            // An entry counts the blocks its headers and body take, so the cache is full before the pool is.
            var size = ((long)NativeBodyPool.BlocksFor(copied.Bytes.Length) * NativeBodyPool.BlockSize) + (key.Length * 2);
            if (keptBytes + size > sizeLimit)
            {
                if (!CompactionDue)
                {
                    full = true;
                    return;
                }

                Volatile.Write(ref lastCompaction, Environment.TickCount64);
                CompactLocked();
            }

            // Too few blocks free: hits still copying entries that have left hold theirs.
            if (NativeBody.TryCreate(bodies, new ReadOnlySequence<byte>(copied.Bytes)) is not { } body)
            {
                return;
            }

            // Truncated to the millisecond: an entry may go a little early, never late.
            var now = Environment.TickCount64;
            var entry = new Entry(new CachedResponse(validators, copied.Created, body, copied.HeaderLength), size, now, now + (long)validFor.TotalMilliseconds);
            entries.Add(key, entry);
            keptBytes += size;
            var surrogateKey = validators.SurrogateKey.AsSpan();
            foreach (var range in surrogateKey.Split(' '))
            {
                var tag = surrogateKey[range];
                if (tag.IsEmpty)
                {
                    continue;
                }

                if (!keysByTagName.TryGetValue(tag, out var keys))
                {
                    keysByTag[tag.ToString()] = keys = [];
                }

                keys.Add(key);
            }
        }
    }

    /// <summary>The validators last answered for <paramref name="key"/>, when no change named its keys since.</summary>
    public KeptValidators? ValidatorsOf(string key) => serving ? validators.Find(key) : null;

    /// <summary>
    /// Keeps the validators of a public answer to a request that started in generation
    /// <paramref name="startedIn"/> (<see cref="Generation"/> then); dropped when a change was
    /// heard since, as a response is.
    /// </summary>
    public void KeepValidators(string key, KeptValidators kept, long startedIn)
    {
        lock (gate)
        {
            var validFor = LifetimeLocked(DateTime.UtcNow, longestEntry);
            if (serving && startedIn == generation && validFor > TimeSpan.Zero)
            {
                validators.Keep(key, kept, generation, validFor);
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            EvictLocked(EveryEntry);
        }

        bodies.Dispose();
    }

    // Makes room: the expired entries, then the least recently served, a quarter of the entries in all.
    private void CompactLocked()
    {
        var now = Environment.TickCount64;
        var toRemove = entries.Count / 4;
        var lastServed = ArrayPool<long>.Shared.Rent(entries.Count);
        var unexpired = 0;
        foreach (var (key, entry) in entries)
        {
            if (entry.ExpiresAt <= now)
            {
                RemoveLocked(key, entry);
                toRemove--;
            }
            else
            {
                lastServed[unexpired++] = entry.LastServed;
            }
        }

        if (toRemove > 0)
        {
            Array.Sort(lastServed, 0, unexpired);
            var servedLast = lastServed[toRemove - 1];
            foreach (var (key, entry) in entries)
            {
                if (toRemove > 0 && entry.LastServed <= servedLast)
                {
                    RemoveLocked(key, entry);
                    toRemove--;
                }
            }
        }

        ArrayPool<long>.Shared.Return(lastServed);
    }

    private void RemoveLocked(string key, Entry entry)
    {
        entries.Remove(key);
        ForgetLocked(key, entry);
    }

    // An entry gone (expired, evicted, replaced, or pushed out for room) frees its blocks once
    // no hit holds them, and leaves the key sets of its cache keys.
    private void ForgetLocked(string key, Entry entry)
    {
        entry.Response.Bytes.Dispose();
        keptBytes -= entry.Size;
        full = false;
        var surrogateKey = entry.Response.Validators.SurrogateKey.AsSpan();
        foreach (var range in surrogateKey.Split(' '))
        {
            if (keysByTagName.TryGetValue(surrogateKey[range], out var keys) && keys.Remove(key) && keys.Count == 0)
            {
                keysByTagName.Remove(surrogateKey[range]);
            }
        }
    }

    private void Hear(ulong walPosition)
    {
        if (walPosition > heardPosition)
        {
            Volatile.Write(ref heardPosition, walPosition);
        }
    }

    private void NextGeneration() => Volatile.Write(ref generation, generation + 1);

    private void EvictLocked(string tag)
    {
        validators.Evicted(tag, generation);
        if (tag == EveryEntry)
        {
            foreach (var entry in entries.Values)
            {
                entry.Response.Bytes.Dispose();
            }

            entries.Clear();
            keysByTag.Clear();
            keptBytes = 0;
            full = false;
            return;
        }

        if (!keysByTag.Remove(tag, out var keys))
        {
            return;
        }

        foreach (var key in keys)
        {
            if (entries.Remove(key, out var entry))
            {
                ForgetLocked(key, entry);
            }
        }
    }
}

/// <summary>
/// A public 200 kept in memory: its validators, when it was made, and its bytes: the headers it
/// was sent with (<see cref="KeptHeaders"/>, the first <paramref name="HeaderLength"/>), then its body.
/// </summary>
internal sealed record CachedResponse(KeptValidators Validators, DateTimeOffset Created, NativeBody Bytes, int HeaderLength)
{
    public int BodyLength => Bytes.Length - HeaderLength;
}
