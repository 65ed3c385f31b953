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

    // A kept response and what the cache needs of it: its key, its place in the sampling table,
    // its size against the limit, when it expires and when it was last served (both
    // Environment.TickCount64).
    private sealed class Entry(string key, CachedResponse response, long size, long keptAt, long expiresAt)
    {
        public string Key { get; } = key;

        public int Slot { get; set; }

        public CachedResponse Response { get; } = response;

        public long Size { get; } = size;

        public long ExpiresAt { get; } = expiresAt;

        public long LastServed { get; set; } = keptAt;
    }

    // How many entries are looked at to choose the one that makes room: the least recently served
    // of 8 taken at random is older than ~90% of the entries.
    private const int Candidates = 8;

    private readonly Dictionary<string, Entry> entries = [];
    // The same entries in no order, each at its Slot: where candidates for eviction are drawn from.
    private readonly List<Entry> slots = [];
    private readonly NativeBodyPool bodies;
    private readonly KeptValidatorStore validators;
    // The keys of the entries that name each cache key (not EveryEntry, which names them all): the
    // key itself while one entry names it, as most cache keys are named (a set took ~200 bytes of
    // the heap more), else a HashSet<string> of them.
    private readonly Dictionary<string, object> keysByTag = [];
    private readonly Dictionary<string, object>.AlternateLookup<ReadOnlySpan<char>> keysByTagName;
    private readonly Lock gate = new();
    private long generation;
    private volatile bool serving;
    private DateTime? nextPublication;
    private long keptBytes;

    private readonly long sizeLimit;
    private readonly TimeSpan longestEntry;

    // A full cache replaces at most as many entries as it holds in this time: a response that finds
    // no room pushes out an entry while the budget lasts (topped up continuously, at most a
    // second's worth), and is neither kept nor copied after. Reads spread over more URLs than fit
    // would otherwise replace an entry at each miss, and the GC would find the objects of the
    // entries pushed out in its oldest generation (peak RSS +25 MB, measured); what turns hot once
    // the cache is full is kept at its first miss, as long as it comes slower than the budget.
    private readonly TimeSpan turnover;
    private double replacements = 1;
    private long replacementsAt = Environment.TickCount64;
    // When the budget allows a replacement again, once it ran out (HasRoom).
    private long nextReplacementAt;

    public HotReadCache(IOptions<OutputCachingOptions> options)
        : this(options, TimeSpan.FromSeconds(40))
    {
    }

    /// <summary>A cache that replaces at most as many entries as it holds in <paramref name="turnover"/> once full.</summary>
    internal HotReadCache(IOptions<OutputCachingOptions> options, TimeSpan turnover)
    {
        this.turnover = turnover;
        sizeLimit = options.Value.SizeLimitMegabytes * 1024L * 1024;
        longestEntry = TimeSpan.FromSeconds(options.Value.EntrySeconds);
        keysByTagName = keysByTag.GetAlternateLookup<ReadOnlySpan<char>>();
        bodies = new NativeBodyPool(sizeLimit);
        validators = new KeptValidatorStore(options.Value.ValidatorEntries, longestEntry);
    }

    /// <summary>
    /// Whether a response may be kept now: while a full cache's budget of replacements is spent,
    /// requests need not copy theirs.
    /// </summary>
    public bool HasRoom => Environment.TickCount64 >= Volatile.Read(ref nextReplacementAt);

    /// <summary>How many responses are kept, and what they count against the size limit in bytes (<see cref="SizeOf"/>).</summary>
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
                RemoveLocked(entry);
                Volatile.Write(ref nextReplacementAt, 0);
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

            if (entries.TryGetValue(key, out var replaced))
            {
                RemoveLocked(replaced);
            }

            var size = SizeOf(key, copied.Bytes.Length, validators);
            if (size > sizeLimit)
            {
                return;
            }

            if (keptBytes + size > sizeLimit)
            {
                if (!TakeReplacementLocked())
                {
                    return;
                }

                while (keptBytes + size > sizeLimit)
                {
                    RemoveLocked(LeastRecentlyServedCandidateLocked());
                }
            }

            // Too few blocks free: hits still copying entries that have left hold theirs.
            if (NativeBody.TryCreate(bodies, new ReadOnlySequence<byte>(copied.Bytes)) is not { } body)
            {
                return;
            }

            // Truncated to the millisecond: an entry may go a little early, never late.
            var now = Environment.TickCount64;
            var entry = new Entry(key, new CachedResponse(validators, copied.Created, body, copied.HeaderLength), size, now, now + (long)validFor.TotalMilliseconds)
            {
                Slot = slots.Count,
            };
            entries.Add(key, entry);
            slots.Add(entry);
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
                    keysByTag[tag.ToString()] = key;
                }
                else if (keys is HashSet<string> set)
                {
                    set.Add(key);
                }
                else if ((string)keys != key)
                {
                    keysByTagName[tag] = new HashSet<string> { (string)keys, key };
                }
            }
        }
    }

    /// <summary>
    /// What an entry counts against the size limit: the blocks its headers and body take (so the
    /// cache is full before the pool is), and what it holds in the GC's heap: its strings, ~320
    /// bytes of objects and ~128 for each cache key it names (measured with 20,000 entries: 0.85 kB
    /// for a comments page's, which names two, 0.65 kB for an article's).
    /// </summary>
    internal static long SizeOf(string key, int length, KeptValidators validators) =>
        ((long)NativeBodyPool.BlocksFor(length) * NativeBodyPool.BlockSize)
        + (2L * (key.Length + validators.ETag.Length + validators.SurrogateKey.Length))
        + 320 + (128L * (1 + validators.SurrogateKey.AsSpan().Count(' ')));

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

    // Whether the budget allows one more replacement now (see turnover).
    private bool TakeReplacementLocked()
    {
        var now = Environment.TickCount64;
        var perMillisecond = Math.Max(entries.Count, 1) / turnover.TotalMilliseconds;
        replacements = Math.Min(replacements + ((now - replacementsAt) * perMillisecond), Math.Max(perMillisecond * 1000, 1));
        replacementsAt = now;
        var taken = replacements >= 1;
        if (taken)
        {
            replacements--;
        }

        if (replacements < 1)
        {
            Volatile.Write(ref nextReplacementAt, now + (long)Math.Ceiling((1 - replacements) / perMillisecond));
        }

        return taken;
    }

    // The entry that makes room: an expired one, else the least recently served of a few drawn at
    // random (all of them when there are few), close to the least recently served of all without
    // ordering them.
    private Entry LeastRecentlyServedCandidateLocked()
    {
        var now = Environment.TickCount64;
        var drawn = slots.Count > Candidates;
        Entry? oldest = null;
        for (var i = 0; i < Math.Min(Candidates, slots.Count); i++)
        {
            var candidate = slots[drawn ? Random.Shared.Next(slots.Count) : i];
            if (candidate.ExpiresAt <= now)
            {
                return candidate;
            }

            if (oldest is null || candidate.LastServed < oldest.LastServed)
            {
                oldest = candidate;
            }
        }

        return oldest!;
    }

    // An entry gone (expired, evicted, replaced, or pushed out for room) leaves the table, frees its
    // blocks once no hit holds them, and leaves the key sets of its cache keys.
    private void RemoveLocked(Entry entry)
    {
        entries.Remove(entry.Key);
        var last = slots[^1];
        slots[entry.Slot] = last;
        last.Slot = entry.Slot;
        slots.RemoveAt(slots.Count - 1);
        entry.Response.Bytes.Dispose();
        keptBytes -= entry.Size;
        var surrogateKey = entry.Response.Validators.SurrogateKey.AsSpan();
        foreach (var range in surrogateKey.Split(' '))
        {
            var tag = surrogateKey[range];
            if (keysByTagName.TryGetValue(tag, out var keys)
                && (keys is HashSet<string> set ? set.Remove(entry.Key) && set.Count == 0 : (string)keys == entry.Key))
            {
                keysByTagName.Remove(tag);
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
        Volatile.Write(ref nextReplacementAt, 0); // room, perhaps
        if (tag == EveryEntry)
        {
            foreach (var entry in entries.Values)
            {
                entry.Response.Bytes.Dispose();
            }

            entries.Clear();
            slots.Clear();
            keysByTag.Clear();
            keptBytes = 0;
            return;
        }

        if (!keysByTag.Remove(tag, out var keys))
        {
            return;
        }

        foreach (var key in keys as HashSet<string> ?? [(string)keys])
        {
            if (entries.TryGetValue(key, out var entry))
            {
                RemoveLocked(entry);
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
