using System.Net;
using ContentApi.Articles;
using ContentApi.Reads;

namespace ContentApi.Tests.Reads;

/// <summary>
/// Validators and totals that must move with one change and with nothing else: a database of
/// their own, so that no test running alongside moves them and each assertion can fail.
/// </summary>
public sealed class QuietDatabaseTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ContentApiFixture app = new();

    public ValueTask InitializeAsync() => app.InitializeAsync();

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private async Task<(string Tag, long TagId)> TagWithOneArticleAsync()
    {
        var tag = TestDatabase.UniqueSlug("quiet");
        var tagId = await app.Database.InsertEntityAsync("tags", tag, "Quiet");
        await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("quiet-now")), tagId);
        return (tag, tagId);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string url, System.Net.Http.Headers.EntityTagHeaderValue? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (ifNoneMatch is not null)
        {
            request.Headers.IfNoneMatch.Add(ifNoneMatch);
        }

        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task A_scheduled_article_becoming_visible_changes_the_list_validators_without_a_write()
    {
        var client = app.CreateClient();
        var (tag, tagId) = await TagWithOneArticleAsync();
        var publishAt = DateTime.UtcNow.AddSeconds(4);
        await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("quiet-later"), publishedAt: publishAt), tagId);
        string[] lists = [$"/v1/tags/{tag}/articles", $"/v1/articles?tag={tag}", "/v1/articles"];

        var before = new List<(HttpResponseMessage First, HttpResponseMessage Again)>();
        foreach (var url in lists)
        {
            var first = await GetAsync(client, url);
            before.Add((first, await GetAsync(client, url, first.Headers.ETag)));
        }

        var readBeforeTime = DateTime.UtcNow < publishAt;
        await PublicationTime.PastAsync(publishAt, TimeSpan.FromMilliseconds(500), Ct);
        var after = new List<HttpResponseMessage>();
        foreach (var (url, (first, _)) in lists.Zip(before))
        {
            after.Add(await GetAsync(client, url, first.Headers.ETag));
        }

        Assert.True(readBeforeTime, "the reads meant to happen before the publication time took longer than 4 s");
        foreach (var ((first, again), later) in before.Zip(after))
        {
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
            Assert.Equal(HttpStatusCode.OK, later.StatusCode);
            Assert.NotEqual(first.Headers.ETag, later.Headers.ETag);
        }

        var tagList = await after[0].ReadContractAsync<Paged<ArticleSummary>>();
        Assert.Equal((1, 2), ((await before[0].First.ReadContractAsync<Paged<ArticleSummary>>()).Page.TotalItems, tagList.Page.TotalItems));
    }

    /// <param name="more">Articles tagged beside the first: a short list is counted on each request, a long one remembered (<see cref="ListTotals.CountedEachTimeUpTo"/>).</param>
    [Theory]
    [InlineData(0)]
    [InlineData(ListTotals.CountedEachTimeUpTo)]
    public async Task A_list_total_follows_a_change_in_that_list(int more)
    {
        var client = app.CreateClient();
        var (tag, tagId) = await TagWithOneArticleAsync();
        for (var i = 0; i < more; i++)
        {
            await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("quiet-long")), tagId);
        }

        var url = $"/v1/articles?tag={tag}";
        async Task<long> TotalAsync() => (await (await GetAsync(client, url)).ReadContractAsync<Paged<ArticleSummary>>()).Page.TotalItems;

        var first = await TotalAsync();
        var cached = await TotalAsync();
        await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("quiet-more")), tagId);
        var added = await TotalAsync();
        await app.Database.ExecuteAsync("update articles set status = 'archived' where id in (select article_id from article_tags where tag_id = @tagId)", new { tagId });
        var archived = await TotalAsync();
        await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("quiet-again")), tagId);
        var again = await TotalAsync();

        Assert.Equal((1 + more, 1 + more, 2 + more, 0, 1), (first, cached, added, archived, again));
    }
}
