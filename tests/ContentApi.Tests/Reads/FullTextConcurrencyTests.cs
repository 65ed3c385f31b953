using System.Globalization;
using System.Net;
using ContentApi.Infrastructure.Http;
using ContentApi.Reads;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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

    [Theory]
    // Two slots, each search waiting for the lock past the cheap time: two hold a turn.
    [InlineData(2, 2, 20, 2)]
    // One slot, three while every query stays cheap (the lock's wait stays within a minute): three hold a turn.
    [InlineData(1, 3, 60_000, 3)]
    // Four while nothing but full-text queries is in progress: four hold a turn.
    [InlineData(1, 2, 20, 4)]
    public async Task A_flood_of_searches_holds_at_most_the_configured_connections_and_the_excess_is_a_429(
        int concurrency, int cheapConcurrency, int cheapMilliseconds, int aloneConcurrency)
    {
        const int queue = 3;
        await using var limited = Limited(concurrency, queue, cheapConcurrency, cheapMilliseconds, aloneConcurrency);
        var client = limited.CreateClient();

        await using var held = await app.Database.LockTableAsync("articles", "access exclusive");

        var running = Math.Max(Math.Max(concurrency, cheapConcurrency), aloneConcurrency);
        var searches = Enumerable.Range(0, 10)
            .Select(i => client.GetAsync(i % 2 == 0 ? $"/v1/search?q=security{i}" : $"/v1/articles?q=forum{i}", Ct))
            .ToList();
        // Some run (and wait for the lock), 3 wait their turn, the others are refused at once.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (searches.Count(s => s.IsCompleted) < 10 - running - queue && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        var refused = searches.Where(s => s.IsCompleted).Select(s => s.Result).ToList();
        // The turns taken and none given back (the lock holds them), and at most as many statements:
        // fewer when pages of one statement go together (CoalescedListStatements: two at a time
        // of each, so three searches of one kind wait in two statements).
        var turns = limited.Services.GetRequiredService<FullTextQueryLimiter>().GetStatistics()!;
        var waitingAtMost = await app.Database.SettledCountAsync(TestDatabase.ListStatementsWaitingForALock, 1);
        await held.ReleaseAsync();
        var answers = await Task.WhenAll(searches);

        Assert.Equal(running, turns.TotalSuccessfulLeases);
        Assert.Equal(queue, turns.CurrentQueuedCount);
        Assert.InRange(waitingAtMost, 1, running);
        Assert.Equal(10 - running - queue, refused.Count);
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.All(refused, r => Assert.NotNull(r.Headers.RetryAfter));
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, running + queue), answers.Except(refused).Select(a => a.StatusCode));
    }

    [Fact]
    public async Task A_request_the_endpoint_refuses_is_a_400_at_once_while_every_slot_and_place_in_line_is_taken()
    {
        await using var limited = Limited(concurrency: 1, queue: 1, cheapConcurrency: 1);
        var client = limited.CreateClient();

        await using var held = await app.Database.LockTableAsync("articles", "access exclusive");
        var running = client.GetAsync("/v1/search?q=security", Ct);
        Assert.Equal(1, await app.Database.SettledCountAsync(TestDatabase.ListStatementsWaitingForALock, 1));
        // One takes the place in line, the other is refused at once.
        Task<HttpResponseMessage>[] next = [client.GetAsync("/v1/articles?q=forum", Ct), client.GetAsync("/v1/search?q=cooperation", Ct)];
        var refused = await await Task.WhenAny(next);

        // Only excluded words, no word at all, too long, a control character; a page past the
        // first 10,000 items, no item a page, an unknown type: each a 400, not a 429.
        string[] badQueries =
        [
            "/v1/search?q=-security", "/v1/search?q=%20", $"/v1/search?q={new string('a', 201)}", "/v1/articles?q=forum%01", "/v1/articles?q=",
            "/v1/search?q=security&page=600", "/v1/articles?q=forum&pageSize=0", "/v1/search?q=security&types=nothing",
        ];
        var answers = await Task.WhenAll(badQueries.Select(url => client.GetAsync(url, Ct)));
        Assert.False(running.IsCompleted);
        await held.ReleaseAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode));
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests], (await Task.WhenAll(next)).Select(r => r.StatusCode).Order());
    }

    [Theory]
    // Alone, a search that runs long leaves the cheap slots open: the next one runs beside it.
    [InlineData(false, 2)]
    // While another request is in progress (an article read), it closes them: one at a time.
    [InlineData(true, 1)]
    public async Task A_search_that_runs_long_closes_the_cheap_slots_only_while_other_requests_are_in_progress(bool otherInProgress, int running)
    {
        await using var limited = Limited(concurrency: 1, queue: 2, cheapConcurrency: 2);
        var client = limited.CreateClient();

        await using var held = await app.Database.LockTableAsync("articles", "access exclusive");
        var other = otherInProgress ? client.GetAsync("/v1/articles/no-such-article", Ct) : null;
        var first = client.GetAsync("/v1/search?q=security", Ct);
        // Both wait for the lock, the search past the cheap time (20 ms).
        Assert.Equal(otherInProgress ? 2 : 1, await app.Database.SettledCountAsync(StatementsWaitingForALock, otherInProgress ? 2 : 1));
        var second = client.GetAsync("/v1/articles?q=forum", Ct);
        var searchesWaiting = await app.Database.SettledCountAsync(TestDatabase.ListStatementsWaitingForALock, running);
        await held.ReleaseAsync();

        Assert.Equal(running, searchesWaiting);
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
        if (other is not null)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other).StatusCode);
        }
    }

    [Fact]
    public void Full_text_queries_take_half_the_processors_all_while_cheap_and_two_each_alone_unless_configured()
    {
        var byDefault = app.Services.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        using var configured = Limited(concurrency: 3, queue: 1, cheapConcurrency: 5, aloneConcurrency: 7);
        var configuredLimits = configured.Services.GetRequiredService<IOptions<RateLimitOptions>>().Value;

        Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), byDefault.FullTextQueryConcurrency);
        Assert.Equal(Environment.ProcessorCount, byDefault.FullTextQueryCheapConcurrency);
        Assert.Equal(2 * Environment.ProcessorCount, byDefault.FullTextQueryAloneConcurrency);
        Assert.Equal(3, configuredLimits.FullTextQueryConcurrency);
        Assert.Equal(5, configuredLimits.FullTextQueryCheapConcurrency);
        Assert.Equal(7, configuredLimits.FullTextQueryAloneConcurrency);
    }

    private const string StatementsWaitingForALock =
        "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'";

    // The statements wait for the test's lock while it counts them: on a slow host that passed the
    // app's 4 s lock timeout once (three 503s in a full run), and its 5 s command timeout in 3 of
    // ~50 runs of these tests (503s: "Timeout during reading attempt"), which is not what these
    // tests are about.
    // The alone slots as many as the cheap ones unless given.
    private WebApplicationFactory<Program> Limited(int concurrency, int queue, int cheapConcurrency, int cheapMilliseconds = 20, int? aloneConcurrency = null) => app.WithWebHostBuilder(b => b
        .UseSetting("ConnectionStrings:Content", $"{app.ApiConnectionString};Command Timeout=30;Options=-c jit=off -c plan_cache_mode=force_generic_plan -c lock_timeout=30s")
        .UseSetting("RateLimits:FullTextQueryConcurrency", concurrency.ToString(CultureInfo.InvariantCulture))
        .UseSetting("RateLimits:FullTextQueryCheapConcurrency", cheapConcurrency.ToString(CultureInfo.InvariantCulture))
        .UseSetting("RateLimits:FullTextQueryAloneConcurrency", (aloneConcurrency ?? cheapConcurrency).ToString(CultureInfo.InvariantCulture))
        .UseSetting("RateLimits:FullTextQueryCheapMilliseconds", cheapMilliseconds.ToString(CultureInfo.InvariantCulture))
        .UseSetting("RateLimits:FullTextQueryQueue", queue.ToString(CultureInfo.InvariantCulture)));
}
