using System.Net;

namespace ContentApi.Tests.Changes;

/// <summary>
/// Public responses name the cache keys they depend on, and a change names the keys it
/// invalidates: a CDN that purges a change's keys drops exactly the responses it changed.
/// </summary>
public sealed class CacheTagsTests(ContentApiFixture app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly HttpClient reader = app.CreateClient();

    private async Task<(string Body, string[] Keys)> ReadAsync(string url, string accept = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        var response = await reader.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var keys = response.Headers.GetValues("Surrogate-Key").Single().Split(' ');
        Assert.Equal(string.Join(',', keys), response.Headers.GetValues("Cache-Tag").Single());
        return (await response.Content.ReadAsStringAsync(Ct), keys);
    }

    /// <summary>A published article with a tag of its own.</summary>
    private async Task<(string Slug, long Article, string TagSlug, long Tag)> TaggedArticleAsync()
    {
        var slug = TestDatabase.UniqueSlug("tagged");
        var tagSlug = TestDatabase.UniqueSlug("keyed");
        var article = await app.Database.InsertArticleAsync(slug);
        var tag = await app.Database.InsertEntityAsync("tags", tagSlug, "Before");
        await app.Database.LinkAsync("article_tags", article, tag);
        return (slug, article, tagSlug, tag);
    }

    [Fact]
    public async Task Each_public_response_names_what_it_depends_on()
    {
        var (slug, article, tagSlug, tag) = await TaggedArticleAsync();
        var comment = await app.Database.ScalarAsync<long>(
            "insert into comments (article_id, author_name, body, body_hash, status) values (@article, 'K', 'Keyed.', '\\x00', 'approved') returning id", new { article });

        Assert.Equal([$"article:{article}"], (await ReadAsync($"/v1/articles/{slug}")).Keys);
        Assert.Equal([$"article:{article}"], (await ReadAsync($"/v1/articles/{slug}", "application/ld+json")).Keys);
        Assert.Equal(["articles"], (await ReadAsync("/v1/articles")).Keys);
        Assert.Equal(["articles"], (await ReadAsync($"/v1/tags/{tagSlug}/articles")).Keys);
        Assert.Equal([$"tag:{tag}"], (await ReadAsync($"/v1/tags/{tagSlug}")).Keys);
        Assert.Equal(["tags"], (await ReadAsync("/v1/tags")).Keys);
        Assert.Equal(["events"], (await ReadAsync("/v1/events")).Keys);
        Assert.Equal([$"comments:{article}", $"article:{article}"], (await ReadAsync($"/v1/articles/{slug}/comments")).Keys);
        Assert.Equal([$"comment:{comment}"], (await ReadAsync($"/v1/comments/{comment}")).Keys);
        Assert.Equal(["people", "events"], (await ReadAsync("/v1/search?q=forum&types=people,events")).Keys);
        Assert.Equal(["articles"], (await ReadAsync("/v1/feeds/articles.rss", "application/rss+xml")).Keys);
    }

    [Fact]
    public async Task Every_response_a_change_alters_carries_a_key_that_the_change_names()
    {
        var (slug, _, tagSlug, tag) = await TaggedArticleAsync();
        string[] urls = [$"/v1/articles/{slug}", $"/v1/tags/{tagSlug}", $"/v1/tags/{tagSlug}/articles", $"/v1/articles/{slug}/comments", "/v1/tags"];
        var before = new Dictionary<string, (string Body, string[] Keys)>();
        foreach (var url in urls)
        {
            before[url] = await ReadAsync(url);
        }

        var head = await new ChangesFeedClient(reader).HeadAsync();
        await app.Database.ExecuteAsync("update tags set name = 'After' where id = @tag", new { tag });
        var changes = await new ChangesFeedClient(reader).ReadAllAsync(head);
        var purged = changes.Changes.SelectMany(c => c.Keys).ToHashSet();

        var changed = new List<string>();
        foreach (var url in urls)
        {
            if ((await ReadAsync(url)).Body != before[url].Body)
            {
                changed.Add(url);
                Assert.True(before[url].Keys.Any(purged.Contains), $"{url} changed but none of its keys ({string.Join(' ', before[url].Keys)}) was purged");
            }
        }

        Assert.Contains($"/v1/articles/{slug}", changed);
        Assert.Contains($"/v1/tags/{tagSlug}", changed);
        Assert.Contains("/v1/tags", changed);
    }
}
