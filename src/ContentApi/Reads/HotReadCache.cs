using System.Buffers;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ContentApi.Reads;

/// <summary>
/// The public responses kept in memory (<see cref="HotReadMiddleware"/>): entries in a
/// size-bounded <see cref="MemoryCache"/>, their bodies outside the GC's heap (<see cref="NativeBody"/>), evicted by the cache keys of the changes feed
/// (<see cref="CacheTags"/>). It refuses to keep a response computed before an eviction that
/// happened while it was being computed: each request remembers the eviction generation it
/// started in (<see cref="Generation"/>), and a response of an older generation is dropped
/// instead of kept, so a read that raced a change never outlives the change's eviction.
/// While no listener tells it of changes (<see cref="Suspend"/>), it serves and keeps nothing.
/// Beside the responses it keeps the validators of public answers (<see cref="KeptValidatorStore"/>),
/// bounded by count and bytes and evicted by the same keys, so that a conditional GET whose body is not in
/// memory is still answered 304 without the database.
/// </summary>
internal sealed class HotReadCache : IDisposable
{
    /// <summary>A tag every entry has: evicting it empties the cache.</summary>
    public const string EveryEntry = "*";

    private sealed record Entry(CachedResponse Response, string[] Tags);

    private readonly MemoryCache entries;
    private readonly NativeBodyPool bodies;
    private readonly KeptValidatorStore validators;
    private readonly Dictionary<string, HashSet<string>> keysByTag = [];
    private readonly Lock gate = new();
    private long generation;
    private volatile bool serving;
    private DateTime? nextPublication;

    private readonly long sizeLimit;
    private readonly TimeSpan longestEntry;

    public HotReadCache(IOptions<OutputCachingOptions> options)
    {
        sizeLimit = options.Value.SizeLimitMegabytes * 1024L * 1024;
        longestEntry = TimeSpan.FromSeconds(options.Value.EntrySeconds);
        entries = new MemoryCache(new MemoryCacheOptions { SizeLimit = sizeLimit, TrackStatistics = true });
        bodies = new NativeBodyPool(sizeLimit);
        validators = new KeptValidatorStore(options.Value.ValidatorEntries, longestEntry);
    }

    /// <summary>
    /// Whether a response of a typical size may be kept now: when the cache is full, requests need
    /// not buffer theirs, except when room is due to be made (<see cref="CompactionInterval"/>).
    /// </summary>
    public bool HasRoom => !full || CompactionDue;

    // Set when a response was refused for want of room, cleared when an entry goes: every public
    // GET asks HasRoom, and the cache's size statistics are gathered across cores on each call.
    private volatile bool full;

    // A full cache makes room for new responses at most this often, a quarter of its entries at a
    // time (the least recently used): one compaction per miss cost more than the hits it bought,
    // never making room would keep out what becomes hot after the cache filled.
    private static readonly TimeSpan CompactionInterval = TimeSpan.FromSeconds(10);
    private long lastCompaction = Environment.TickCount64;

    private bool CompactionDue => Environment.TickCount64 - Volatile.Read(ref lastCompaction) > CompactionInterval.TotalMilliseconds;

    private bool IsFull(long adding) => KeptBytes + adding > sizeLimit;

    /// <summary>What the kept responses count against the size limit, in bytes: their blocks and keys.</summary>
    public long KeptBytes => entries.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

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

    /// <summary>The response kept for <paramref name="key"/>, if any.</summary>
    public CachedResponse? Find(string key) => entries.TryGetValue(key, out Entry? entry) ? entry!.Response : null;

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

            // An entry counts the blocks its headers and body take, so the cache is full before the pool is.
            var size = ((long)NativeBodyPool.BlocksFor(copied.Bytes.Length) * NativeBodyPool.BlockSize) + (key.Length * 2);
            if (IsFull(size))
            {
                if (!CompactionDue)
                {
                    full = true;
                    return;
                }

                Volatile.Write(ref lastCompaction, Environment.TickCount64);
                entries.Compact(0.25);
            }

            // Never past the next scheduled publication, which may change any page; once it is
            // due, nothing is kept until the listener has read the one after it.
            var validFor = LifetimeLocked(DateTime.UtcNow, longestEntry);
            if (validFor <= TimeSpan.Zero)
            {
                return;
            }

            // Too few blocks free: hits still copying entries that have left hold theirs.
            if (NativeBody.TryCreate(bodies, new ReadOnlySequence<byte>(copied.Bytes)) is not { } body)
            {
                return;
            }

            HashSet<string> distinct = [EveryEntry, .. validators.SurrogateKey.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
            var kept = distinct.ToArray();
            var entry = new Entry(new CachedResponse(validators, copied.Created, body, copied.HeaderLength), kept);
            foreach (var tag in kept)
            {
                if (!keysByTag.TryGetValue(tag, out var keys))
                {
                    keysByTag[tag] = keys = [];
                }

                keys.Add(key);
            }

            var options = new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = validFor, Size = size };
            options.RegisterPostEvictionCallback(static (key, value, reason, state) => ((HotReadCache)state!).Forget((string)key, (Entry)value!, reason), this);
            entries.Set(key, entry, options);
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
        entries.Dispose();
        bodies.Dispose();
    }

    // An entry gone (expired, evicted, replaced, or pushed out by the size limit) frees its bytes
    // and leaves its tags' key sets, unless its key already holds a newer entry (whose tags hold
    // the key again).
    private void Forget(string key, Entry entry, EvictionReason reason)
    {
        entry.Response.Bytes.Dispose();
        full = false;
        if (reason == EvictionReason.Replaced)
        {
            return;
        }

        lock (gate)
        {
            if (entries.TryGetValue(key, out _))
            {
                return;
            }

            foreach (var tag in entry.Tags)
            {
                if (keysByTag.TryGetValue(tag, out var keys) && keys.Remove(key) && keys.Count == 0)
                {
                    keysByTag.Remove(tag);
                }
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
        if (!keysByTag.Remove(tag, out var keys))
        {
            return;
        }

        foreach (var key in keys)
        {
            entries.Remove(key);
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
