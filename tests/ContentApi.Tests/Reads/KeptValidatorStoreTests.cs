using ContentApi.Reads;

namespace ContentApi.Tests.Reads;

/// <summary>
/// The validators kept for 304s without the database: an entry stays valid until a change names
/// one of its cache keys after it was read, and the store holds at most its capacity.
/// </summary>
public sealed class KeptValidatorStoreTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    private static KeptValidators Validators(string keys, string etag = "W/\"a1\"") =>
        new(etag, new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc), "public, max-age=60", "Accept", keys);

    [Fact]
    public void An_entry_is_found_until_a_change_names_one_of_its_keys_after_it_was_read()
    {
        var store = new KeptValidatorStore(100, Long);
        store.Keep("/v1/articles/a", Validators("article:1"), generation: 5, Long);
        store.Keep("/v1/articles?page=1", Validators("articles person:3"), generation: 5, Long);
        store.Keep("/v1/people/p", Validators("person:3"), generation: 5, Long);
        store.Evicted("article:2", generation: 6);
        var untouched = store.Find("/v1/articles/a");

        store.Evicted("person:3", generation: 7);

        Assert.Equal("W/\"a1\"", untouched?.ETag);
        Assert.NotNull(store.Find("/v1/articles/a"));
        Assert.Null(store.Find("/v1/articles?page=1"));
        Assert.Null(store.Find("/v1/people/p"));
        Assert.Null(store.Find("/v1/articles/b"));
    }

    [Fact]
    public void An_entry_read_after_the_change_is_found_and_evicting_everything_forgets_all()
    {
        var store = new KeptValidatorStore(100, Long);
        store.Evicted("article:1", generation: 6);
        store.Keep("/v1/articles/a", Validators("article:1", "W/\"a2\""), generation: 6, Long);
        var afterChange = store.Find("/v1/articles/a");

        store.Evicted(HotReadCache.EveryEntry, generation: 7);

        Assert.Equal("W/\"a2\"", afterChange?.ETag);
        Assert.Null(store.Find("/v1/articles/a"));
    }

    [Fact]
    public void The_store_holds_at_most_its_capacity_newest_first_and_what_it_forgot_of_evictions_concerns_no_entry_left()
    {
        var store = new KeptValidatorStore(4, Long);
        store.Keep("old", Validators("article:1"), generation: 1, Long);
        store.Evicted("article:9", generation: 2);
        for (var i = 0; i < 6; i++)
        {
            store.Keep($"new{i}", Validators($"article:{10 + i}"), generation: 3, Long);
        }

        store.Evicted("article:15", generation: 4);

        // Halves of two: new3 and new4 in the older, new5 (evicted since) in the newer.
        Assert.Null(store.Find("old"));
        Assert.Equal(["new3", "new4"], Enumerable.Range(0, 6).Select(i => $"new{i}").Where(key => store.Find(key) is not null));
    }

    [Fact]
    public void Keeping_a_key_again_does_not_count_towards_the_capacity()
    {
        var store = new KeptValidatorStore(4, Long);
        for (var i = 0; i < 4; i++)
        {
            store.Keep("a", Validators("article:1"), generation: 1, Long);
        }

        foreach (var key in new[] { "b", "c", "d" })
        {
            store.Keep(key, Validators("article:2"), generation: 1, Long);
        }

        // Four keys fill the two halves of two; "a" kept four times is one of them.
        Assert.All(new[] { "a", "b", "c", "d" }, key => Assert.NotNull(store.Find(key)));
    }

    [Fact]
    public void An_entry_is_not_found_past_its_lifetime()
    {
        var store = new KeptValidatorStore(100, Long);
        store.Keep("/v1/articles/a", Validators("article:1"), generation: 1, TimeSpan.FromMilliseconds(-1));

        Assert.Null(store.Find("/v1/articles/a"));
    }

    [Fact]
    public void An_equal_answer_kept_again_keeps_its_first_lifetime_and_a_different_one_replaces_it()
    {
        var store = new KeptValidatorStore(100, Long);
        store.Keep("/v1/articles/a", Validators("article:1"), generation: 1, TimeSpan.FromMilliseconds(-1));
        store.Keep("/v1/articles/b", Validators("article:2"), generation: 1, Long);

        store.Keep("/v1/articles/b", Validators("article:2"), generation: 2, TimeSpan.FromMilliseconds(-1));
        store.Keep("/v1/articles/a", Validators("article:1"), generation: 2, Long);
        store.Keep("/v1/articles/c", Validators("article:3"), generation: 2, Long);
        store.Keep("/v1/articles/c", Validators("article:3", "W/\"a2\""), generation: 2, TimeSpan.FromMilliseconds(-1));

        Assert.NotNull(store.Find("/v1/articles/a")); // the expired entry was replaced
        Assert.NotNull(store.Find("/v1/articles/b")); // the equal answer kept its first lifetime
        Assert.Null(store.Find("/v1/articles/c")); // a new ETag replaced it, with its own lifetime
    }

    [Fact]
    public void An_entry_with_several_keys_goes_when_any_of_them_is_evicted_and_carries_them_comma_separated()
    {
        var store = new KeptValidatorStore(100, Long);
        store.Keep("/v1/articles/a/comments", Validators("comments:1 article:1"), generation: 1, Long);
        store.Keep("/v1/articles/b/comments", Validators("comments:2 article:2"), generation: 1, Long);

        store.Evicted("article:2", generation: 2);

        Assert.Equal("comments:1,article:1", store.Find("/v1/articles/a/comments")?.CacheTag);
        Assert.Null(store.Find("/v1/articles/b/comments"));
    }

    [Fact]
    public void A_half_whose_bytes_are_used_up_is_full_before_its_count()
    {
        // Halves of 50 entries, 50 × 256 bytes each: records of ~1 kB fill one after 12.
        var store = new KeptValidatorStore(100, Long);
        var keys = string.Join(' ', Enumerable.Range(0, 100).Select(i => $"person:{i}"));
        for (var i = 0; i < 40; i++)
        {
            store.Keep($"/v1/articles/{i}", Validators(keys), generation: 1, Long);
        }

        var found = Enumerable.Range(0, 40).Where(i => store.Find($"/v1/articles/{i}") is not null).ToList();
        Assert.InRange(found.Count, 12, 24);
        Assert.Equal(Enumerable.Range(40 - found.Count, found.Count), found); // the newest
    }

    [Fact]
    public void Answers_too_large_to_be_hot_reads_and_unusual_header_values_are_not_kept_and_the_rest_are()
    {
        var store = new KeptValidatorStore(100, Long);
        var longKey = "/v1/articles?q=" + new string('x', 5000);
        store.Keep(longKey, Validators("articles"), generation: 1, Long);
        for (var i = 0; i < 300; i++)
        {
            store.Keep($"/v1/articles/{i}", Validators("article:1") with { CacheControl = $"public, max-age={i}" }, generation: 1, Long);
        }

        // 255 shared values: Vary's "Accept" and the first 254 Cache-Control values.
        Assert.Null(store.Find(longKey));
        Assert.Equal("public, max-age=253", store.Find("/v1/articles/253")?.CacheControl);
        Assert.Null(store.Find("/v1/articles/254"));
        Assert.Equal(DateTimeKind.Utc, store.Find("/v1/articles/250")?.LastModifiedUtc?.Kind);
    }

    [Fact]
    public async Task A_lookup_while_halves_are_emptied_and_refilled_finds_what_was_kept_for_its_key_or_nothing()
    {
        // Halves of 8 turned over thousands of times while two threads look up: a lookup that
        // read a record as its half was emptied under it must not return another key's bytes.
        var store = new KeptValidatorStore(16, Long);
        static KeptValidators For(int key) => Validators($"article:{key} person:{key * 7}", $"W/\"{key}-{key * 31}\"");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var wrong = 0;
        var found = 0;
        var readers = Enumerable.Range(0, 2).Select(reader => Task.Run(() =>
        {
            var random = new Random(reader);
            while (!stop.IsCancellationRequested)
            {
                var key = random.Next(64);
                if (store.Find($"/v1/articles/{key}") is { } kept)
                {
                    Interlocked.Increment(ref found);
                    if (kept != For(key))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            }
        })).ToArray();

        var writes = 0;
        var writer = new Random(7);
        while (!stop.IsCancellationRequested)
        {
            var key = writer.Next(64);
            lock (store)
            {
                store.Keep($"/v1/articles/{key}", For(key), generation: 1, Long);
            }

            writes++;
        }

        await Task.WhenAll(readers);
        Assert.Equal(0, wrong);
        Assert.True(found > 1000 && writes > 1000, $"{found} found, {writes} writes");
    }
}
