using System.Net;

namespace ContentApi.Tests.Reads;

/// <summary>
/// Full-text queries cannot take the connection pool: only a few reach PostgreSQL at once. The
/// test holds a lock on articles so that searches pile up, which would stall every other test:
/// it runs alone, after the parallel ones.
/// </summary>
[Collection(nameof(FullTextConcurrencyTests))]
[CollectionDefinition(nameof(FullTextConcurrencyTests), DisableParallelization = true)]
public sealed class FullTextConcurrencyTests(ContentApiFixture app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A list's first statement (the watermark, which reads articles) is where a search waits for
    // the lock; a first page of search results counts its hits in the second.
    private const string WaitingSearches = """
        select count(*) from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and query like '%from content_watermark() w%'
        """;

    [Fact]
    public async Task A_flood_of_searches_holds_at_most_the_configured_connections_and_the_excess_is_a_429()
    {
        await using var limited = app.WithWebHostBuilder(b => b
            .UseSetting("RateLimits:FullTextQueryConcurrency", "2")
            .UseSetting("RateLimits:FullTextQueryQueue", "3"));
        var client = limited.CreateClient();

        await using var held = await app.Database.LockTableAsync("articles", "access exclusive");

        var searches = Enumerable.Range(0, 10)
            .Select(i => client.GetAsync(i % 2 == 0 ? $"/v1/search?q=security{i}" : $"/v1/articles?q=forum{i}", Ct))
            .ToList();
        // 2 run (and wait for the lock), 3 wait their turn, 5 are refused at once.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (searches.Count(s => s.IsCompleted) < 5 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        var refused = searches.Where(s => s.IsCompleted).Select(s => s.Result).ToList();
        var waitingAtMost = await app.Database.SettledCountAsync(WaitingSearches, 2);
        await held.ReleaseAsync();
        var answers = await Task.WhenAll(searches);

        Assert.Equal(2, waitingAtMost);
        Assert.Equal(5, refused.Count);
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.All(refused, r => Assert.NotNull(r.Headers.RetryAfter));
        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
    }
}
