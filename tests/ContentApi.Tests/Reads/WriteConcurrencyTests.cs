using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace ContentApi.Tests.Reads;

/// <summary>
/// Writes cannot take the connection pool: only a few run at once, the rest wait their turn
/// without a connection, so reads go on while writes are blocked. The test locks the comments
/// table, which would stall every other test: it runs alone, after the parallel ones.
/// </summary>
[Collection(nameof(FullTextConcurrencyTests))]
public sealed class WriteConcurrencyTests(ContentApiFixture app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Sessions waiting for a lock on comments (their statements are longer than pg_stat_activity shows).
    private const string WaitingInserts = """
        select count(distinct l.pid) from pg_locks l join pg_class c on c.oid = l.relation
        where c.relname = 'comments' and not l.granted and l.database = (select oid from pg_database where datname = current_database())
        """;

    [Fact]
    public async Task Writes_blocked_by_a_lock_hold_at_most_the_configured_connections_and_reads_go_on()
    {
        await using var limited = app.WithWebHostBuilder(b => b
            .UseSetting("RateLimits:WriteConcurrency", "2")
            .UseSetting("Comments:FloodIntervalSeconds", "0"));
        var client = limited.CreateClient();
        var slug = TestDatabase.UniqueSlug("write-turns");
        await app.Database.InsertArticleAsync(slug);
        (await client.GetAsync($"/v1/articles/{slug}", Ct)).EnsureSuccessStatusCode();

        await using var held = await app.Database.LockTableAsync("comments", "exclusive");

        var posts = Enumerable.Range(0, 8)
            .Select(i => client.PostAsJsonAsync($"/v1/articles/{slug}/comments",
                new { authorName = "Writer", authorEmail = $"writer-{i}-{Guid.NewGuid():N}@example.org", body = $"Blocked {i} {Guid.NewGuid():N}" }, Ct))
            .ToList();
        var waitingAtMost = await app.Database.SettledCountAsync(WaitingInserts, 2);
        var clock = Stopwatch.StartNew();
        var reads = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.GetAsync($"/v1/articles/{slug}", Ct)));
        var readsWhileBlocked = clock.Elapsed;
        await held.ReleaseAsync();
        var answers = await Task.WhenAll(posts);

        Assert.Equal(2, waitingAtMost);
        Assert.All(reads, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.True(readsWhileBlocked < TimeSpan.FromSeconds(3), $"the reads took {readsWhileBlocked.TotalSeconds:F1} s beside the blocked writes");
        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, $"a blocked write answered {(int)a.StatusCode}"));
    }
}
