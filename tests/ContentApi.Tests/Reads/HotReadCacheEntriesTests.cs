using System.Text;
using ContentApi.Reads;
using Microsoft.Extensions.Options;

namespace ContentApi.Tests.Reads;

/// <summary>
/// The table of kept responses itself (<see cref="HotReadCache"/>): found until a cache key they
/// name is evicted or they expire, bounded by size, room made from the least recently served at
/// the pace of its turnover, and every entry's blocks let go when it leaves.
/// </summary>
public sealed class HotReadCacheEntriesTests
{
    // 1 MiB of responses (Fill); once full, one replacement, and the next after a day unless told otherwise.
    private static HotReadCache Cache(TimeSpan? turnover = null, DateTime? nextPublication = null)
    {
        var cache = new HotReadCache(
            Options.Create(new OutputCachingOptions { SizeLimitMegabytes = 1, ValidatorEntries = 10 }),
            turnover ?? TimeSpan.FromDays(1));
        cache.Resume(nextPublication, walPosition: 0);
        return cache;
    }

    private static void Keep(HotReadCache cache, string key, string surrogateKey, string body = "{}") =>
        cache.Keep(
            key,
            new CopiedResponse(DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes(body), HeaderLength: 0),
            Validators(key, surrogateKey),
            cache.Generation);

    private static KeptValidators Validators(string key, string surrogateKey) => new($"\"{key}\"", null, "public", "", surrogateKey);

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
    public void A_full_cache_keeps_a_new_response_in_place_of_the_least_recently_served()
    {
        using var cache = Cache();
        var keys = Fill(cache);
        Thread.Sleep(20);
        var served = keys.Where(key => key != keys[1]).ToList();
        Assert.All(served, key => Assert.NotNull(cache.Find(key)));

        Keep(cache, "/more", "articles", Large);

        Assert.Equal(Large, BodyOf(cache, "/more"));
        Assert.Null(cache.Find(keys[1]));
        Assert.All(served, key => Assert.NotNull(cache.Find(key)));
        Assert.Equal(keys.Count, cache.Kept.Entries);
        Assert.True(cache.Kept.Bytes <= 1024 * 1024);
    }

    [Fact]
    public void A_full_cache_replaces_no_more_entries_than_its_turnover_allows()
    {
        using var cache = FullWithTurnoverSpent(out var keys);

        Assert.NotNull(cache.Find("/first"));
        Assert.Null(cache.Find("/second"));
        Assert.False(cache.HasRoom);
        Assert.Equal(keys.Count, cache.Kept.Entries);
    }

    [Fact]
    public void A_full_cache_replaces_entries_again_as_its_turnover_allows()
    {
        // 5 entries in 50 ms: one replacement every 10 ms.
        using var cache = Cache(turnover: TimeSpan.FromMilliseconds(50));
        Fill(cache);
        Keep(cache, "/first", "articles", Large);

        Thread.Sleep(100);

        Assert.True(cache.HasRoom);
        Keep(cache, "/second", "articles", Large);
        Assert.Equal(Large, BodyOf(cache, "/second"));
        Assert.NotNull(cache.Find("/first"));
    }

    [Fact]
    public void A_full_cache_whose_turnover_is_spent_keeps_a_response_again_once_an_eviction_made_room()
    {
        using var cache = FullWithTurnoverSpent(out var keys);

        cache.Invalidate(["first"], null, 0);

        Assert.True(cache.HasRoom);
        Keep(cache, "/second", "second", Large);
        Assert.Equal(Large, BodyOf(cache, "/second"));
        Assert.Equal(keys.Count, cache.Kept.Entries);
    }

    // A full cache that replaced an entry with /first (cache key "first") and, its turnover
    // spent, did not keep /second.
    private static HotReadCache FullWithTurnoverSpent(out List<string> keys)
    {
        var cache = Cache();
        keys = Fill(cache);
        Keep(cache, "/first", "first", Large);
        Keep(cache, "/second", "second", Large);
        return cache;
    }

    // A body of 200 KiB: 1 MiB holds five, fewer than the entries looked at to make room, so
    // the one that goes is always the least recently served.
    private static readonly string Large = new('x', 200 * 1024);

    // As many entries of a Large body as 1 MiB holds, each naming its own article.
    private static List<string> Fill(HotReadCache cache)
    {
        var keys = new List<string>();
        for (var i = 0; ; i++)
        {
            var key = $"/{i}";
            var surrogateKey = $"articles article:{i}";
            if (cache.Kept.Bytes + HotReadCache.SizeOf(key, Large.Length, Validators(key, surrogateKey)) > 1024 * 1024)
            {
                Assert.Equal(5, keys.Count);
                return keys;
            }

            Keep(cache, key, surrogateKey, Large);
            keys.Add(key);
        }
    }
}
