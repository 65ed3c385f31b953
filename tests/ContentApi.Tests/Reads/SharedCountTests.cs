using System.Net;
using ContentApi.Articles;
using ContentApi.Reads;

namespace ContentApi.Tests.Reads;

/// <summary>
/// Pages of one list asked while its total is being counted wait for that count rather than each
/// counting it. The test holds a lock on articles, which would stall every other test: it runs
/// alone, after the parallel ones.
/// </summary>
[Collection(nameof(FullTextConcurrencyTests))]
public sealed class SharedCountTests(ContentApiFixture app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pages_of_a_list_asked_while_its_total_is_counted_share_that_count()
    {
        // An instance of its own knows no total yet: its first page of the list counts it.
        await using var fresh = app.WithWebHostBuilder(_ => { });
        var client = fresh.CreateClient();

        await using var held = await app.Database.LockTableAsync("articles", "access exclusive");
        // Page sizes apart: each page is a statement of its own, none shares another's batch.
        var pages = Enumerable.Range(0, 5).Select(i => client.GetAsync($"/v1/articles?pageSize={10 + i}", Ct)).ToList();
        var waiting = await app.Database.SettledCountAsync(TestDatabase.ListStatementsWaitingForALock, 1);
        await held.ReleaseAsync();
        var answers = await Task.WhenAll(pages);
        var totals = await Task.WhenAll(answers.Select(async a => (await a.ReadContractAsync<Paged<ArticleSummary>>()).Page.TotalItems));
        var counted = await app.Database.ScalarAsync<long>("select count(*) from articles a where article_is_public(a)");

        Assert.Equal(1, waiting);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.All(totals, total => Assert.Equal(counted, total));
    }

    [Fact]
    public async Task Pages_of_a_list_whose_total_is_known_run_at_once_without_waiting_for_one_another()
    {
        // A list long enough for its total to be remembered.
        var tag = TestDatabase.UniqueSlug("known-total");
        await app.Database.ExecuteAsync(
            """
            with tagged as (insert into tags (slug, name) values (@tag, 'Known total') returning id),
                 made as (
                     insert into articles (slug, title, summary, body, status, published_at)
                     select @tag || '-' || n, 'Known total ' || n, 'A test article.',
                            jsonb_build_array(jsonb_build_object('type', 'paragraph', 'text', 'Body ' || n)), 'published', now() - interval '1 minute'
                     from generate_series(1, @many) n
                     returning id)
            insert into article_tags (article_id, tag_id) select made.id, tagged.id from made, tagged
            """, new { tag, many = ListTotals.CountedEachTimeUpTo + 10 });
        await using var fresh = app.WithWebHostBuilder(_ => { });
        var client = fresh.CreateClient();
        (await client.GetAsync($"/v1/articles?tag={tag}", Ct)).EnsureSuccessStatusCode();

        // As many pages as the server has slots for statements at once (CoalescedBatches), each a
        // statement of its own: all of them reach PostgreSQL, none waits for a count.
        var slots = CoalescedBatches.BatchesInFlight;
        await using var held = await app.Database.LockTableAsync("articles", "access exclusive");
        var pages = Enumerable.Range(0, slots).Select(i => client.GetAsync($"/v1/articles?tag={tag}&pageSize={10 + i}", Ct)).ToList();
        var waiting = await app.Database.SettledCountAsync(TestDatabase.ListStatementsWaitingForALock, slots);
        await held.ReleaseAsync();
        var answers = await Task.WhenAll(pages);

        Assert.Equal(slots, waiting);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
    }
}
