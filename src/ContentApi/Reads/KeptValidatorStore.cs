using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace ContentApi.Reads;

/// <summary>The validators and cache headers of a public answer: what a 304 for it carries.</summary>
internal readonly record struct KeptValidators(string ETag, DateTime? LastModifiedUtc, string CacheControl, string Vary, string SurrogateKey)
{
    /// <summary>The same cache keys as <see cref="SurrogateKey"/>, comma-separated (<see cref="CacheTags"/>).</summary>
    public string CacheTag => SurrogateKey.Replace(' ', ',');
}

/// <summary>
/// The validators of public answers (see <see cref="HotReadCache"/>), kept for many more URLs than
/// response bodies. Each entry is a record of UTF-8 bytes in one of two fixed arrays (the halves),
/// found through an open-addressing table of offsets beside it: no object an entry. As objects
/// (one an entry beside its strings, 0.4–0.6 kB each) 100,000 entries held ~55 MB of the GC's
/// heap, and what the store replaced ended as garbage in its oldest generation, which the GC kept
/// committed: a process with them peaked ~90 MB above one without (README, "The kept validators' records").
/// Each entry remembers the eviction generation it was read in, and a lookup checks whether one
/// of its cache keys was evicted after that. Bounded by count and bytes in two halves: when the
/// newer half is full or older than the longest an entry lives, the older half is emptied and
/// becomes the newer, and the evictions from before the oldest entry left are forgotten.
/// Lookups take no lock: a half counts the times it was emptied, and a lookup that saw the count
/// change while it read drops what it read (the bytes stay the array's, so a torn read is only
/// ever discarded).
/// </summary>
[SkipLocalsInit] // the stack buffers for a record are written before they are read
internal sealed class KeptValidatorStore
{
    /// <summary>
    /// The bytes a half keeps for each entry it counts, on average: in the bench an article's
    /// record (its URL, ETag and cache key) takes ~90, a comments page's ~140; real slugs are longer.
    /// </summary>
    public const int BytesPerEntry = 256;

    // An answer whose record is larger is not kept (a URL or keys that long are not a hot read).
    private const int LongestRecord = 4096;

    private readonly int entriesPerHalf;
    private readonly TimeSpan longest;

    // Cache-Control and Vary take a few values, kept once and named in a record by their index.
    private const int SharedValuesLimit = 255;
    private readonly string[] sharedValues = new string[256]; // indexed by a byte, read back from bytes that may be torn
    private readonly Dictionary<string, byte> sharedIndex = [];

    private Half newer;
    private Half older;

    // The generation in which each cache key was last evicted.
    private readonly ConcurrentDictionary<string, long> evictedIn = new();
    private readonly ConcurrentDictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> evictedInByName;

    public KeptValidatorStore(int capacity, TimeSpan longest)
    {
        entriesPerHalf = Math.Max(1, capacity / 2);
        this.longest = longest;
        newer = new Half(entriesPerHalf);
        older = new Half(entriesPerHalf);
        evictedInByName = evictedIn.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The validators kept for <paramref name="key"/>, unless one of their cache keys was evicted since they were read.</summary>
    public KeptValidators? Find(string key)
    {
        Span<byte> keyBytes = stackalloc byte[LongestRecord];
        if (!Encoding.UTF8.TryGetBytes(key, keyBytes, out var keyLength))
        {
            return null;
        }

        keyBytes = keyBytes[..keyLength];
        var hash = key.GetHashCode();
        if (!Volatile.Read(ref newer).TryFind(hash, keyBytes, sharedValues, out var kept)
            && !Volatile.Read(ref older).TryFind(hash, keyBytes, sharedValues, out kept))
        {
            return null;
        }

        // Found in a half emptied meanwhile, whose evictions may have been forgotten already.
        return IsValid(kept.Validators.SurrogateKey, kept.Generation, kept.ExpiresAt)
            && kept.Generation >= Volatile.Read(ref older).FirstGeneration ? kept.Validators : null;
    }

    private bool IsValid(string surrogateKey, long generation, long expiresAt)
    {
        if (Environment.TickCount64 > expiresAt)
        {
            return false;
        }

        var keys = surrogateKey.AsSpan();
        foreach (var range in keys.Split(' '))
        {
            if (evictedInByName.TryGetValue(keys[range], out var evicted) && evicted > generation)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Keeps <paramref name="validators"/>, read in <paramref name="generation"/>, for <paramref name="validFor"/>. Called under the cache's lock.</summary>
    public void Keep(string key, KeptValidators validators, long generation, TimeSpan validFor)
    {
        if (Shared(validators.CacheControl) is not { } cacheControl || Shared(validators.Vary) is not { } vary)
        {
            return;
        }

        Span<byte> record = stackalloc byte[LongestRecord];
        var kept = new Record(validators, generation, Environment.TickCount64 + (long)validFor.TotalMilliseconds);
        if (!Record.TryWrite(record, key, kept, cacheControl, vary, out var length))
        {
            return;
        }

        record = record[..length];
        var current = newer;
        if (current.Count >= entriesPerHalf || !current.HasRoomFor(length)
            || Environment.TickCount64 - current.StartedAt > longest.TotalMilliseconds)
        {
            var emptied = older;
            Volatile.Write(ref older, current);
            emptied.Empty(generation);
            Volatile.Write(ref newer, emptied);
            // No entry left was read before the older half began: what was evicted before then concerns none.
            foreach (var (tag, evicted) in evictedIn)
            {
                if (evicted <= current.FirstGeneration)
                {
                    evictedIn.TryRemove(new KeyValuePair<string, long>(tag, evicted));
                }
            }
        }

        var hash = key.GetHashCode();
        var same = newer.KeptFor(hash, Record.KeyOf(record));
        if (Record.SameAnswer(same, record) && IsValid(validators.SurrogateKey, Record.GenerationOf(same), Record.ExpiresAtOf(same)))
        {
            return; // the same answer, and no change since: keeping it again would only fill the half
        }

        newer.Add(hash, record);
    }

    private byte? Shared(string value)
    {
        if (sharedIndex.TryGetValue(value, out var index))
        {
            return index;
        }

        if (sharedIndex.Count == SharedValuesLimit)
        {
            return null; // not one of the few values answers carry: not kept
        }

        index = (byte)sharedIndex.Count;
        // Written before any record that names it is published (Half.Add).
        sharedValues[index] = value;
        sharedIndex[value] = index;
        return index;
    }

    /// <summary>A change named <paramref name="tag"/> in <paramref name="generation"/>. Called under the cache's lock.</summary>
    public void Evicted(string tag, long generation)
    {
        if (tag == HotReadCache.EveryEntry)
        {
            older.Empty(generation);
            newer.Empty(generation);
            evictedIn.Clear();
            return;
        }

        evictedIn[tag] = generation;
    }

    /// <summary>An entry as read back: its validators, the generation it was read in and when it expires.</summary>
    private readonly record struct Record(KeptValidators Validators, long Generation, long ExpiresAt)
    {
        // length (int), generation, expires at, Last-Modified ticks (0: none) (longs), Cache-Control
        // and Vary (shared value indexes), the UTF-8 lengths of the key, ETag and cache keys (ushorts).
        public const int HeaderLength = 4 + 8 + 8 + 8 + 1 + 1 + 2 + 2 + 2;

        public static ReadOnlySpan<byte> KeyOf(ReadOnlySpan<byte> record) =>
            record.Slice(HeaderLength, BinaryPrimitives.ReadUInt16LittleEndian(record[30..]));

        public static long GenerationOf(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[4..]);

        public static long ExpiresAtOf(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[12..]);

        /// <summary>Whether two records hold the same answer (all but when they were read and expire).</summary>
        public static bool SameAnswer(ReadOnlySpan<byte> kept, ReadOnlySpan<byte> record) =>
            kept.Length == record.Length && kept[20..].SequenceEqual(record[20..]);

        public static bool TryWrite(Span<byte> destination, string key, Record kept, byte cacheControl, byte vary, out int length)
        {
            length = 0;
            var text = destination[HeaderLength..];
            if (!Encoding.UTF8.TryGetBytes(key, text, out var keyLength)
                || !Encoding.UTF8.TryGetBytes(kept.Validators.ETag, text[keyLength..], out var etagLength)
                || !Encoding.UTF8.TryGetBytes(kept.Validators.SurrogateKey, text[(keyLength + etagLength)..], out var keysLength))
            {
                return false;
            }

            length = HeaderLength + keyLength + etagLength + keysLength;
            BinaryPrimitives.WriteInt32LittleEndian(destination, length);
            BinaryPrimitives.WriteInt64LittleEndian(destination[4..], kept.Generation);
            BinaryPrimitives.WriteInt64LittleEndian(destination[12..], kept.ExpiresAt);
            BinaryPrimitives.WriteInt64LittleEndian(destination[20..], kept.Validators.LastModifiedUtc?.Ticks ?? 0);
            destination[28] = cacheControl;
            destination[29] = vary;
            BinaryPrimitives.WriteUInt16LittleEndian(destination[30..], (ushort)keyLength);
            BinaryPrimitives.WriteUInt16LittleEndian(destination[32..], (ushort)etagLength);
            BinaryPrimitives.WriteUInt16LittleEndian(destination[34..], (ushort)keysLength);
            return true;
        }

        /// <summary>
        /// The record at the start of <paramref name="bytes"/> when its key is <paramref name="key"/>.
        /// The bytes may be torn (a half emptied while they are read): every length is checked
        /// against what is there, and the caller drops the result unless the half is unchanged.
        /// </summary>
        public static bool TryRead(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> key, string[] sharedValues, out Record record)
        {
            record = default;
            if (bytes.Length < HeaderLength)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
            int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[30..]);
            int etagLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[32..]);
            int keysLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[34..]);
            if (length != HeaderLength + keyLength + etagLength + keysLength || length > bytes.Length
                || !bytes.Slice(HeaderLength, keyLength).SequenceEqual(key)
                || sharedValues[bytes[28]] is not { } cacheControl || sharedValues[bytes[29]] is not { } vary)
            {
                return false;
            }

            var lastModifiedTicks = BinaryPrimitives.ReadInt64LittleEndian(bytes[20..]);
            if (lastModifiedTicks < 0 || lastModifiedTicks > DateTime.MaxValue.Ticks)
            {
                return false;
            }

            var text = bytes[(HeaderLength + keyLength)..];
            var validators = new KeptValidators(
                Encoding.UTF8.GetString(text[..etagLength]),
                lastModifiedTicks == 0 ? null : new DateTime(lastModifiedTicks, DateTimeKind.Utc),
                cacheControl,
                vary,
                Encoding.UTF8.GetString(text.Slice(etagLength, keysLength)));
            record = new Record(validators, GenerationOf(bytes), ExpiresAtOf(bytes));
            return true;
        }
    }

    /// <summary>
    /// Records appended to a fixed array, found by the hash of their key in a table of offsets at
    /// most half full. Written under the cache's lock; read without one.
    /// </summary>
    private sealed class Half
    {
        private readonly byte[] records;
        private readonly int[] offsets; // a record's offset + 1; 0: an empty slot
        private readonly int[] hashes;
        private int used;
        private int version; // odd while the half is being emptied
        private long firstGeneration;

        public Half(int entries)
        {
            // Uninitialised: the pages are touched as records fill them, not when the store is made.
            records = GC.AllocateUninitializedArray<byte>(Math.Max(entries * BytesPerEntry, LongestRecord));
            var slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, entries * 2));
            offsets = new int[slots];
            hashes = new int[slots];
        }

        /// <summary>The distinct keys kept.</summary>
        public int Count { get; private set; }

        /// <summary>No entry of this half was read before this generation.</summary>
        public long FirstGeneration => Volatile.Read(ref firstGeneration);

        public long StartedAt { get; private set; } = Environment.TickCount64;

        public bool HasRoomFor(int length) => used + length <= records.Length;

        public void Empty(long generation)
        {
            // A full fence each way: a lookup that read anything of what is cleared sees the count change.
            Interlocked.Increment(ref version);
            Array.Clear(offsets);
            used = 0;
            Count = 0;
            StartedAt = Environment.TickCount64;
            Volatile.Write(ref firstGeneration, generation);
            Interlocked.Increment(ref version);
        }

        /// <summary>The record kept for <paramref name="key"/>, or none. Under the cache's lock: the half does not change meanwhile.</summary>
        public ReadOnlySpan<byte> KeptFor(int hash, ReadOnlySpan<byte> key)
        {
            var at = offsets[SlotOf(hash, key)] - 1;
            return at < 0 ? default : records.AsSpan(at, BinaryPrimitives.ReadInt32LittleEndian(records.AsSpan(at)));
        }

        public void Add(int hash, ReadOnlySpan<byte> record)
        {
            record.CopyTo(records.AsSpan(used));
            var slot = SlotOf(hash, Record.KeyOf(record));
            if (offsets[slot] == 0)
            {
                hashes[slot] = hash;
                Count++;
            }

            // Published after its bytes and its hash: a lookup that finds the offset reads both.
            Volatile.Write(ref offsets[slot], used + 1);
            used += record.Length;
        }

        // The slot of the record kept for the key, or the empty slot where it would go (the table is at most half full).
        private int SlotOf(int hash, ReadOnlySpan<byte> key)
        {
            var mask = offsets.Length - 1;
            for (var slot = hash & mask; ; slot = (slot + 1) & mask)
            {
                var at = offsets[slot] - 1;
                if (at < 0 || (hashes[slot] == hash && Record.KeyOf(records.AsSpan(at)).SequenceEqual(key)))
                {
                    return slot;
                }
            }
        }

        public bool TryFind(int hash, ReadOnlySpan<byte> key, string[] sharedValues, out Record record)
        {
            record = default;
            var seen = Volatile.Read(ref version);
            if ((seen & 1) != 0)
            {
                return false;
            }

            var found = false;
            var mask = offsets.Length - 1;
            for (int slot = hash & mask, probes = 0; probes < offsets.Length; slot = (slot + 1) & mask, probes++)
            {
                var at = Volatile.Read(ref offsets[slot]) - 1;
                if (at < 0 || at >= records.Length)
                {
                    break;
                }

                if (hashes[slot] == hash && Record.TryRead(records.AsSpan(at), key, sharedValues, out record))
                {
                    found = true;
                    break;
                }
            }

            Interlocked.MemoryBarrier();
            return found && Volatile.Read(ref version) == seen;
        }
    }
}
