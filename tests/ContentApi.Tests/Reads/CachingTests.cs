using System.Net.Http.Headers;
using System.Net;
using System.Text.Json;

namespace ContentApi.Tests.Reads;

/// <summary>
/// List validators move with any change to public content, so these run alone, after the
/// parallel tests, where nothing else writes between a request and its conditional repeat.
/// </summary>
[Collection(nameof(CachingTests))]
[CollectionDefinition(nameof(CachingTests), DisableParallelization = true)]
public sealed class CachingTests(ContentApiFixture app)
{
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> PublicUrls =>
    [
        "/v1/articles",
        "/v1/articles/hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum",
        "/v1/people", "/v1/people/abdellatif-hammouchi", "/v1/people/abdellatif-hammouchi/articles",
        "/v1/organisations", "/v1/organisations/fsb", "/v1/organisations/fsb/articles",
        "/v1/events", "/v1/events/13th-international-meeting-of-high-level-security-officials",
        "/v1/places", "/v1/places/moscow", "/v1/tags", "/v1/tags/terrorism", "/v1/tags/terrorism/articles",
        "/v1/search?q=security",
        "/v1/feeds/articles.rss", "/v1/feeds/articles.atom?tag=terrorism", "/v1/sitemaps/news.xml",
    ];

    [Theory]
    [MemberData(nameof(PublicUrls))]
    public async Task Every_public_get_has_validators_and_public_cache_control_and_answers_304_without_a_body(string url)
    {
        var first = await client.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.NotNull(first.Headers.ETag);
        Assert.NotNull(first.Content.Headers.LastModified);
        Assert.Equal("public, max-age=60, stale-while-revalidate=300", first.Headers.CacheControl?.ToString());

        using var byTag = new HttpRequestMessage(HttpMethod.Get, url);
        byTag.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var notModified = await client.SendAsync(byTag, Ct);
        using var byDate = new HttpRequestMessage(HttpMethod.Get, url);
        byDate.Headers.IfModifiedSince = first.Content.Headers.LastModified;
        var notModifiedSince = await client.SendAsync(byDate, Ct);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(first.Headers.ETag, notModified.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, notModifiedSince.StatusCode);
    }

    [Theory]
    [MemberData(nameof(PublicUrls))]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Head_answers_every_get_with_its_status_and_headers_and_no_body(string url)
    {
        var get = await client.GetAsync(url, Ct);
        using var headRequest = new HttpRequestMessage(HttpMethod.Head, url);
        headRequest.Headers.Add("Origin", "http://localhost:3000");

        var head = await client.SendAsync(headRequest, Ct);

        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.LastModified, head.Content.Headers.LastModified);
        Assert.Equal(get.Headers.CacheControl?.ToString(), head.Headers.CacheControl?.ToString());
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Equal("http://localhost:3000", Assert.Single(head.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Fact]
    public async Task Head_of_an_article_tells_its_length_and_answers_304_to_its_etag()
    {
        const string url = "/v1/articles/hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum";
        var get = await client.GetAsync(url, Ct);
        var length = (await get.Content.ReadAsByteArrayAsync(Ct)).Length;

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url), Ct);
        using var conditional = new HttpRequestMessage(HttpMethod.Head, url);
        conditional.Headers.IfNoneMatch.Add(get.Headers.ETag!);
        var notModified = await client.SendAsync(conditional, Ct);

        Assert.Equal(length, head.Content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(get.Headers.ETag, notModified.Headers.ETag);
    }

    // Pages whose items PostgreSQL rendered: their length is known before they are written, and
    // sent (a chunked page took a second send for its closing chunk).
    [Theory]
    [InlineData("/v1/articles")]
    [InlineData("/v1/articles?pageSize=1&page=2")]
    [InlineData("/v1/tags/terrorism/articles")]
    [InlineData("/v1/articles/hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum/comments")]
    [InlineData("/v1/search?q=security")]
    [InlineData("/v1/search?q=zzyzxnothingmatches")]
    [InlineData("/v1/changes?pageSize=3")]
    public async Task A_page_of_items_is_sent_with_its_length_and_head_tells_it(string url)
    {
        var get = await client.GetAsync(url, Ct);
        var body = await get.Content.ReadAsByteArrayAsync(Ct);
        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url), Ct);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(body.Length, get.Content.Headers.ContentLength);
        Assert.Null(get.Headers.TransferEncodingChunked);
        using var page = JsonDocument.Parse(body);
        Assert.Equal(JsonValueKind.Array, page.RootElement.GetProperty("items").ValueKind);
        Assert.Equal(body.Length, head.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Head_of_a_missing_article_is_a_404_without_a_body()
    {
        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v1/articles/no-such-article"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("application/problem+json", head.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task List_ETags_differ_between_urls()
    {
        var people = await client.GetAsync("/v1/people", Ct);
        var tags = await client.GetAsync("/v1/tags", Ct);

        using var crossed = new HttpRequestMessage(HttpMethod.Get, "/v1/tags");
        crossed.Headers.IfNoneMatch.Add(people.Headers.ETag!);
        var response = await client.SendAsync(crossed, Ct);

        Assert.NotEqual(people.Headers.ETag, tags.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Renaming_a_person_changes_the_ETags_of_the_article_and_of_the_lists_that_show_them()
    {
        var personSlug = TestDatabase.UniqueSlug("renamed");
        var articleSlug = TestDatabase.UniqueSlug("about-renamed");
        var personId = await app.Database.InsertEntityAsync("people", personSlug, "Old Name");
        var articleId = await app.Database.InsertArticleAsync(articleSlug);
        await app.Database.LinkAsync("article_people", articleId, personId, "subject");
        string[] urls = [$"/v1/articles/{articleSlug}", "/v1/people?pageSize=100", $"/v1/people/{personSlug}"];
        var before = new List<EntityTagHeaderValue>();
        foreach (var url in urls)
        {
            before.Add((await client.GetAsync(url, Ct)).Headers.ETag!);
        }

        await app.Database.ExecuteAsync("update people set name = 'New Name' where id = @personId", new { personId });

        for (var i = 0; i < urls.Length; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, urls[i]);
            request.Headers.IfNoneMatch.Add(before[i]);
            var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotEqual(before[i], response.Headers.ETag);
            Assert.Contains("New Name", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Unpublishing_an_article_changes_the_list_ETag()
    {
        var slug = TestDatabase.UniqueSlug("unpublished-later");
        await app.Database.InsertArticleAsync(slug);
        var before = await client.GetAsync("/v1/articles", Ct);

        await app.Database.ExecuteAsync("update articles set status = 'archived' where slug = @slug", new { slug });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/articles");
        request.Headers.IfNoneMatch.Add(before.Headers.ETag!);
        var after = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.DoesNotContain(slug, await after.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Comment_lists_and_single_comments_answer_304_to_their_validators_and_200_to_an_older_date()
    {
        var slug = TestDatabase.UniqueSlug("commented");
        var article = await app.Database.InsertArticleAsync(slug);
        var id = await app.Database.ScalarAsync<long>(
            "insert into comments (article_id, author_name, body, body_hash, status) values (@article, 'A', 'Fine.', '\\x00', 'approved') returning id", new { article });

        foreach (var url in new[] { $"/v1/articles/{slug}/comments", $"/v1/articles/{slug}/comments?view=tree", $"/v1/comments/{id}" })
        {
            var first = await client.GetAsync(url, Ct);
            var lastModified = first.Content.Headers.LastModified!.Value;

            using var byTag = new HttpRequestMessage(HttpMethod.Get, url);
            byTag.Headers.IfNoneMatch.Add(first.Headers.ETag!);
            using var byDate = new HttpRequestMessage(HttpMethod.Get, url);
            byDate.Headers.IfModifiedSince = lastModified;
            using var byOlderDate = new HttpRequestMessage(HttpMethod.Get, url);
            byOlderDate.Headers.IfModifiedSince = lastModified.AddSeconds(-1);

            var tagged = await client.SendAsync(byTag, Ct);
            var dated = await client.SendAsync(byDate, Ct);
            var older = await client.SendAsync(byOlderDate, Ct);

            Assert.True(HttpStatusCode.NotModified == tagged.StatusCode, $"{url} with its ETag: {(int)tagged.StatusCode}");
            Assert.Empty(await tagged.Content.ReadAsByteArrayAsync(Ct));
            Assert.True(HttpStatusCode.NotModified == dated.StatusCode, $"{url} with its Last-Modified: {(int)dated.StatusCode}");
            Assert.True(HttpStatusCode.OK == older.StatusCode, $"{url} with a second before its Last-Modified: {(int)older.StatusCode}");
        }
    }

    [Fact]
    public async Task Errors_are_not_cacheable()
    {
        var response = await client.GetAsync("/v1/tags/no-such-tag", Ct);

        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Null(response.Headers.ETag);
    }
}
