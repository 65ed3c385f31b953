using System.Text;
using ContentApi.Reads;
using Microsoft.Extensions.Options;

namespace ContentApi.Tests.Reads;

/// <summary>
/// The table of kept responses itself (<see cref="HotReadCache"/>): found until a cache key they
/// name is evicted or they expire, bounded by size, room made from the least recently served,
/// and every entry's blocks let go when it leaves.
/// </summary>
public sealed class HotReadCacheEntriesTests
{
    // 1 MiB of responses (Fill).
    private static HotReadCache Cache(TimeSpan? compactionInterval = null, DateTime? nextPublication = null)
    {
        var cache = new HotReadCache(
            Options.Create(new OutputCachingOptions { SizeLimitMegabytes = 1, ValidatorEntries = 10 }),
            compactionInterval ?? TimeSpan.FromSeconds(10));
        cache.Resume(nextPublication, walPosition: 0);
        return cache;
    }

    private static void Keep(HotReadCache cache, string key, string surrogateKey, string body = "{}") =>
        cache.Keep(
            key,
            new CopiedResponse(DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes(body), HeaderLength: 0),
            new KeptValidators($"\"{key}\"", null, "public", "", surrogateKey),
            cache.Generation);

    private static string? BodyOf(HotReadCache cache, string key)
    {
        if (cache.Find(key) is not { } entry)
        {
            return null;
        }

        Assert.True(entry.Bytes.TryHold());
        var bytes = new byte[entry.BodyLength];
        entry.Bytes.CopyStartTo(bytes);
        entry.Bytes.Release();
        return Encoding.UTF8.GetString(bytes);
    }

    [Fact]
    public void An_entry_is_found_until_a_cache_key_it_names_is_evicted_and_then_lets_its_blocks_go()
    {
        using var cache = Cache();
        Keep(cache, "/a1", "articles article:1", "{\"a\":1}");
        Keep(cache, "/a2", "articles article:2");
        Keep(cache, "/p1", "people person:1");
        var first = cache.Find("/a1")!;

        cache.Invalidate(["article:1"], null, 0);

        Assert.Null(cache.Find("/a1"));
        Assert.False(first.Bytes.TryHold());
        Assert.Equal("{}", BodyOf(cache, "/a2"));
        cache.Invalidate(["articles"], null, 0);
        Assert.Null(cache.Find("/a2"));
        Assert.Equal("{}", BodyOf(cache, "/p1"));
        Assert.Equal(1, cache.Kept.Entries);
        cache.Invalidate([HotReadCache.EveryEntry], null, 0);
        Assert.Equal((0, 0L), cache.Kept);
    }

    [Fact]
    public void A_response_kept_again_replaces_the_entry_and_only_its_own_cache_keys_evict_it()
    {
        using var cache = Cache();
        Keep(cache, "/a", "article:1", "\"old\"");
        var old = cache.Find("/a")!;
        Keep(cache, "/a", "article:2", "\"new\"");

        Assert.False(old.Bytes.TryHold());
        Assert.Equal("\"new\"", BodyOf(cache, "/a"));
        Assert.Equal(1, cache.Kept.Entries);
        cache.Invalidate(["article:1"], null, 0);
        Assert.Equal("\"new\"", BodyOf(cache, "/a"));
        cache.Invalidate(["article:2"], null, 0);
        Assert.Null(cache.Find("/a"));
        Assert.Equal((0, 0L), cache.Kept);
    }

    [Fact]
    public void An_entry_is_not_found_once_the_next_scheduled_publication_is_due()
    {
        using var cache = Cache(nextPublication: DateTime.UtcNow.AddMilliseconds(200));
        Keep(cache, "/a", "articles");
        Assert.NotNull(cache.Find("/a"));

        Thread.Sleep(300);

        Assert.Null(cache.Find("/a"));
        Assert.Equal((0, 0L), cache.Kept);
    }

    [Fact]
    public void A_full_cache_keeps_nothing_more_until_room_is_due()
    {
        using var cache = Cache();
        var keys = Fill(cache);

        Keep(cache, "/more", "articles");

        Assert.Null(cache.Find("/more"));
        Assert.False(cache.HasRoom);
        Assert.Equal(keys.Count, cache.Kept.Entries);
        Assert.All(keys, key => Assert.NotNull(cache.Find(key)));
    }

    [Fact]
    public void Room_is_made_from_the_least_recently_served_quarter()
    {
        using var cache = Cache(compactionInterval: TimeSpan.Zero);
        var keys = Fill(cache);
        Thread.Sleep(20);
        var served = keys.Take(100).ToList();
        Assert.All(served, key => Assert.NotNull(cache.Find(key)));

        Keep(cache, "/more", "articles");

        var left = keys.Where(key => cache.Find(key) is not null).ToList();
        Assert.Equal(keys.Count - (keys.Count / 4), left.Count);
        Assert.Subset(left.ToHashSet(), served.ToHashSet());
        Assert.NotNull(cache.Find("/more"));
        Assert.Equal(left.Count + 1, cache.Kept.Entries);
        Assert.True(cache.Kept.Bytes <= 1024 * 1024);
    }

    // As many one-block entries as 1 MiB holds (each counts its block and its key's characters).
    private static List<string> Fill(HotReadCache cache)
    {
        var keys = new List<string>();
        for (var i = 0; ; i++)
        {
            var key = $"/{i:D5}";
            if (cache.Kept.Bytes + NativeBodyPool.BlockSize + (key.Length * 2) > 1024 * 1024)
            {
                return keys;
            }

            Keep(cache, key, $"articles article:{i}");
            keys.Add(key);
        }
    }
}
