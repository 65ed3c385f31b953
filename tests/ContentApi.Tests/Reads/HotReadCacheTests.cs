using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ContentApi.Articles;
using ContentApi.Infrastructure.Security;
using ContentApi.People;
using ContentApi.Reads;
using ContentApi.Tests.Articles;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ContentApi.Tests.Reads;

/// <summary>
/// Public GETs served from memory (OutputCache:Enabled, on by default outside the tests) stay
/// exact: each change reaches the next reads on the instance that made it at once, and on
/// another instance of the same database as soon as it hears the notification. A response
/// served from memory carries an Age header; one built from the database does not.
/// </summary>
public sealed class HotReadCacheTests(ContentApiFixture app) : IAsyncDisposable
{
    // How long another instance may take to hear of a change here, at most (it takes milliseconds:
    // the bench's staleness figure); a cache that never hears keeps its entry for minutes.
    private static readonly TimeSpan Heard = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly WebApplicationFactory<Program> first = app.WithWebHostBuilder(b => b.UseSetting("OutputCache:Enabled", "true"));
    private readonly WebApplicationFactory<Program> second = app.WithWebHostBuilder(b => b.UseSetting("OutputCache:Enabled", "true"));

    public async ValueTask DisposeAsync()
    {
        await first.DisposeAsync();
        await second.DisposeAsync();
    }

    /// <summary>Reads <paramref name="url"/> until a second read is served from memory; answers that response.</summary>
    private static async Task<HttpResponseMessage> CachedAsync(HttpClient client, string url, string? acceptEncoding = null)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var response = await GetAsync(client, url, acceptEncoding);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (response.Headers.Age is not null)
            {
                return response;
            }

            Assert.True(stopwatch.Elapsed < Heard, $"{url} was never served from memory");
            await Task.Delay(20, Ct);
        }
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string url, string? acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        return await client.SendAsync(request, Ct);
    }

    /// <summary>The body as the client reads it once decoded (the test server's client decodes nothing itself).</summary>
    private static async Task<string> DecodedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStreamAsync(Ct);
        await using Stream decoded = response.Content.Headers.ContentEncoding.SingleOrDefault() switch
        {
            "br" => new BrotliStream(body, CompressionMode.Decompress),
            "gzip" => new GZipStream(body, CompressionMode.Decompress),
            null => body,
            var other => throw new InvalidOperationException($"Unexpected content coding {other}"),
        };
        return await new StreamReader(decoded).ReadToEndAsync(Ct);
    }

    /// <summary>Reads <paramref name="url"/> until <paramref name="shows"/> holds, for at most <see cref="Heard"/>.</summary>
    private static async Task<string> EventuallyAsync(HttpClient client, string url, Func<string, bool> shows)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var body = await client.GetStringAsync(url, Ct);
            if (shows(body))
            {
                return body;
            }

            Assert.True(stopwatch.Elapsed < Heard, $"{url} still answers what it answered before the change: {body[..Math.Min(body.Length, 300)]}");
            await Task.Delay(20, Ct);
        }
    }

    private static string? Member(string json, string name) => JsonNode.Parse(json)?[name]?.ToString();

    private async Task<(string Slug, long Id)> ArticleAsync()
    {
        var slug = TestDatabase.UniqueSlug("hot");
        return (slug, await app.Database.InsertArticleAsync(slug, title: "Before"));
    }

    [Fact]
    public async Task A_repeated_public_get_is_served_from_memory_but_not_with_credentials_or_for_an_error()
    {
        var (slug, _) = await ArticleAsync();
        var reader = first.CreateClient();
        var editor = first.CreateClient();
        editor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateApiKeyAsync(Scopes.ContentWrite));

        var cached = await CachedAsync(reader, $"/v1/articles/{slug}");
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{slug}");
        conditional.Headers.IfNoneMatch.Add(cached.Headers.ETag!);
        var notModified = await reader.SendAsync(conditional, Ct);
        var byEditor = await editor.GetAsync($"/v1/articles/{slug}", Ct);
        var missing = new[] { await reader.GetAsync("/v1/articles/no-such-hot-article", Ct), await reader.GetAsync("/v1/articles/no-such-hot-article", Ct) };
        using var linkedData = new HttpRequestMessage(HttpMethod.Get, $"/v1/articles/{slug}");
        linkedData.Headers.Accept.ParseAdd("application/ld+json");
        var jsonLd = await reader.SendAsync(linkedData, Ct);

        Assert.Equal($"article:{(await cached.ReadContractAsync<ArticleDetail>()).Id}", cached.Headers.GetValues("Surrogate-Key").Single());
        Assert.False(cached.Headers.Contains("Served-By"), "a response from memory named the database server of the first read");
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(cached.Headers.ETag, notModified.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, byEditor.StatusCode);
        Assert.Null(byEditor.Headers.Age);
        Assert.All(missing, m => Assert.Equal((HttpStatusCode.NotFound, null), (m.StatusCode, m.Headers.Age)));
        Assert.Equal("application/ld+json", jsonLd.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>A conditional GET of <paramref name="url"/> with <paramref name="etag"/>.</summary>
    private static async Task<HttpResponseMessage> ConditionalAsync(HttpClient client, string url, EntityTagHeaderValue etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.IfNoneMatch.Add(etag);
        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task A_conditional_get_whose_body_is_not_in_memory_is_answered_304_from_the_kept_validators_until_a_change()
    {
        var (slug, articleId) = await ArticleAsync();
        var url = $"/v1/articles/{slug}";
        // The ETag from another instance: this one has never built the body, only answered 304s.
        var etag = (await second.CreateClient().GetAsync(url, Ct)).Headers.ETag!;
        var client = first.CreateClient();
        // This instance keeps nothing until its listener hears changes, which it starts doing
        // shortly after the instance: another article served from memory shows that it does.
        await CachedAsync(client, $"/v1/articles/{(await ArticleAsync()).Slug}");

        var fromDatabase = await ConditionalAsync(client, url, etag);
        // Tests beside this one schedule articles a few seconds ahead: at each such time the cache
        // keeps nothing for a moment, and a 304 asked then goes to the database (and keeps the
        // validators again). One of a few asks in a row is answered from memory.
        var fromMemory = await ConditionalAsync(client, url, etag);
        for (var asked = 1; fromMemory.Headers.Contains("Served-By") && asked < 5; asked++)
        {
            fromMemory = await ConditionalAsync(client, url, etag);
        }

        var otherRepresentation = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url)
        {
            Headers = { IfNoneMatch = { etag }, Accept = { new MediaTypeWithQualityHeaderValue("application/ld+json") } },
        }, Ct);
        await app.Database.ExecuteAsync("update articles set title = 'Changed since' where id = @articleId", new { articleId });
        var stopwatch = Stopwatch.StartNew();
        HttpResponseMessage afterChange;
        while ((afterChange = await ConditionalAsync(client, url, etag)).StatusCode == HttpStatusCode.NotModified && stopwatch.Elapsed < Heard)
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal((HttpStatusCode.NotModified, "primary"), (fromDatabase.StatusCode, fromDatabase.Headers.GetValues("Served-By").Single()));
        Assert.Equal(HttpStatusCode.NotModified, fromMemory.StatusCode);
        Assert.False(fromMemory.Headers.Contains("Served-By"), "every 304 after the first asked the database");
        Assert.Equal(etag, fromMemory.Headers.ETag);
        Assert.Equal(fromDatabase.Content.Headers.LastModified, fromMemory.Content.Headers.LastModified);
        Assert.Equal(fromDatabase.Headers.CacheControl, fromMemory.Headers.CacheControl);
        Assert.Equal($"article:{articleId}", fromMemory.Headers.GetValues("Surrogate-Key").Single());
        Assert.Contains("Accept", fromMemory.Headers.Vary);
        Assert.Equal(HttpStatusCode.OK, otherRepresentation.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterChange.StatusCode);
        Assert.NotEqual(etag, afterChange.Headers.ETag);
        Assert.Contains("Changed since", await afterChange.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edit_is_read_at_once_on_the_instance_that_made_it_and_soon_on_another()
    {
        var editorKey = await app.CreateApiKeyAsync(Scopes.ContentWrite);
        var editorHttp = first.CreateClient();
        editorHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", editorKey);
        var editor = new EditorClient(editorHttp);
        var slug = TestDatabase.UniqueSlug("hot-edit");
        // A list of this article alone: the tests running beside this one publish newer articles.
        var tag = TestDatabase.UniqueSlug("hot-edit-tag");
        await app.Database.InsertEntityAsync("tags", tag, "Hot edit");
        var etag = await editor.CreatedAsync(EditorClient.Article(slug, change: a =>
        {
            a["title"] = "Before";
            a["tags"] = new JsonArray(tag);
        }));
        var url = $"/v1/articles/{slug}";
        var list = $"/v1/articles?tag={tag}";
        var here = first.CreateClient();
        var there = second.CreateClient();
        await CachedAsync(here, url);
        await CachedAsync(there, url);
        await CachedAsync(here, list);

        var edited = await editor.PatchAsync(slug, new JsonObject { ["title"] = "After" }, etag);
        var readHere = await (await here.GetAsync(url, Ct)).ReadContractAsync<ArticleDetail>();
        var listedHere = await (await here.GetAsync(list, Ct)).ReadContractAsync<Paged<ArticleSummary>>();
        await EventuallyAsync(there, url, body => Member(body, "title") == "After");

        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal("After", readHere.Title);
        Assert.Contains(listedHere.Items, a => a.Slug == slug && a.Title == "After");
    }

    [Fact]
    public async Task Renaming_a_linked_person_reaches_the_cached_article_and_person_page()
    {
        var (slug, articleId) = await ArticleAsync();
        var person = TestDatabase.UniqueSlug("hot-person");
        var personId = await app.Database.InsertEntityAsync("people", person, "Old Name");
        await app.Database.LinkAsync("article_people", articleId, personId, "subject");
        var client = first.CreateClient();
        await CachedAsync(client, $"/v1/articles/{slug}");
        await CachedAsync(client, $"/v1/people/{person}");

        await app.Database.ExecuteAsync("update people set name = 'New Name' where id = @personId", new { personId });

        await EventuallyAsync(client, $"/v1/articles/{slug}", body => body.Contains("New Name", StringComparison.Ordinal));
        var page = await EventuallyAsync(client, $"/v1/people/{person}", body => body.Contains("New Name", StringComparison.Ordinal));
        Assert.DoesNotContain("Old Name", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_approved_comment_reaches_the_cached_comment_list_and_the_article_s_count()
    {
        var (slug, articleId) = await ArticleAsync();
        var id = await app.Database.ScalarAsync<long>(
            "insert into comments (article_id, author_name, body, body_hash) values (@articleId, 'Hot', 'Cached?', '\\x00') returning id", new { articleId });
        var client = second.CreateClient();
        await CachedAsync(client, $"/v1/articles/{slug}/comments");
        await CachedAsync(client, $"/v1/articles/{slug}");

        await app.Database.ExecuteAsync("update comments set status = 'approved' where id = @id", new { id });

        await EventuallyAsync(client, $"/v1/articles/{slug}/comments", body => body.Contains("Cached?", StringComparison.Ordinal));
        await EventuallyAsync(client, $"/v1/articles/{slug}", body => Member(body, "commentCount") == "1");
        Assert.Equal(1, (await (await client.GetAsync($"/v1/articles/{slug}", Ct)).ReadContractAsync<ArticleDetail>()).CommentCount);
    }

    [Fact]
    public async Task A_scheduled_article_is_in_the_cached_lists_from_its_publication_time()
    {
        var tag = TestDatabase.UniqueSlug("hot-tag");
        var tagId = await app.Database.InsertEntityAsync("tags", tag, "Hot");
        await app.Database.LinkAsync("article_tags", (await ArticleAsync()).Id, tagId);
        // Room for the reads before it on a loaded machine (3 s were once too few beside other work).
        var publishAt = DateTime.UtcNow.AddSeconds(6);
        var scheduled = TestDatabase.UniqueSlug("hot-later");
        await app.Database.LinkAsync("article_tags", await app.Database.InsertArticleAsync(scheduled, publishedAt: publishAt), tagId);
        var client = first.CreateClient();
        var before = await CachedAsync(client, $"/v1/tags/{tag}/articles");
        var tagBefore = await CachedAsync(client, $"/v1/tags/{tag}");

        var beforeTime = DateTime.UtcNow < publishAt;
        await PublicationTime.PastAsync(publishAt, TimeSpan.FromMilliseconds(50), Ct);
        var after = await (await client.GetAsync($"/v1/tags/{tag}/articles", Ct)).ReadContractAsync<Paged<ArticleSummary>>();

        Assert.True(beforeTime, "the reads meant to happen before the publication time took longer than 6 s");
        Assert.DoesNotContain((await before.ReadContractAsync<Paged<ArticleSummary>>()).Items, a => a.Slug == scheduled);
        Assert.Equal(1, (await tagBefore.ReadContractAsync<Tags.TagDetail>()).ArticleCount);
        Assert.Contains(after.Items, a => a.Slug == scheduled);
        await EventuallyAsync(client, $"/v1/tags/{tag}", body => Member(body, "articleCount") == "2");
    }

    [Fact]
    public async Task A_dropped_listener_empties_the_cache_and_what_changed_meanwhile_is_read_afterwards()
    {
        var (slug, articleId) = await ArticleAsync();
        var client = first.CreateClient();
        await CachedAsync(client, $"/v1/articles/{slug}");

        var dropped = await app.Database.ScalarAsync<long>(
            """
            select count(pg_terminate_backend(pid)) from pg_stat_activity
            where application_name = 'ContentApi cache invalidation' and datname = current_database()
            """);
        await app.Database.ExecuteAsync("update articles set title = 'Changed unheard' where id = @articleId", new { articleId });

        Assert.True(dropped >= 1, "no listener to drop");
        await EventuallyAsync(client, $"/v1/articles/{slug}", body => body.Contains("Changed unheard", StringComparison.Ordinal));
        await CachedAsync(client, $"/v1/articles/{slug}");
    }

    [Fact]
    public async Task The_cache_answers_per_representation_and_origin()
    {
        var (slug, articleId) = await ArticleAsync();
        var person = TestDatabase.UniqueSlug("hot-vary");
        await app.Database.LinkAsync("article_people", articleId, await app.Database.InsertEntityAsync("people", person, "Varied"), "subject");
        var client = first.CreateClient();
        await CachedAsync(client, $"/v1/people/{person}");

        using var linkedData = new HttpRequestMessage(HttpMethod.Get, $"/v1/people/{person}");
        linkedData.Headers.Accept.ParseAdd("application/ld+json");
        var jsonLd = await client.SendAsync(linkedData, Ct);
        var json = await (await client.GetAsync($"/v1/people/{person}", Ct)).ReadContractAsync<PersonDetail>();

        Assert.Equal("application/ld+json", jsonLd.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Person", Member(await jsonLd.Content.ReadAsStringAsync(Ct), "@type"));
        Assert.Equal("Varied", json.Name);
    }

    [Fact]
    public async Task Each_content_coding_is_kept_as_it_was_compressed_and_a_change_reaches_every_one()
    {
        var slug = TestDatabase.UniqueSlug("hot-coding");
        var articleId = await app.Database.InsertArticleAsync(slug, title: "Before",
            body: string.Join(' ', Enumerable.Repeat("A paragraph long enough to be worth compressing.", 200)));
        var url = $"/v1/articles/{slug}";
        var client = first.CreateClient();

        var brotli = await CachedAsync(client, url, "br");
        var gzip = await CachedAsync(client, url, "gzip");
        var identity = await CachedAsync(client, url);
        // Kept compressed: the three entries take less than twice the identity body (three times, if
        // each hit were compressed again from an identity entry).
        var kept = first.Services.GetRequiredService<HotReadCache>().Kept.Bytes;
        // Another client's wording that picks the same coding finds the same entry.
        var browser = await GetAsync(client, url, "gzip, deflate, br, zstd");

        Assert.Equal("br", Assert.Single(brotli.Content.Headers.ContentEncoding));
        Assert.Equal("gzip", Assert.Single(gzip.Content.Headers.ContentEncoding));
        Assert.Empty(identity.Content.Headers.ContentEncoding);
        Assert.True(brotli.Content.Headers.ContentLength < identity.Content.Headers.ContentLength / 2);
        Assert.Contains("Accept-Encoding", brotli.Headers.Vary);
        var json = await DecodedAsync(identity);
        Assert.InRange(kept, 1, 2 * json.Length);
        Assert.Equal("Before", Member(json, "title"));
        Assert.Equal(json, await DecodedAsync(brotli));
        Assert.Equal(json, await DecodedAsync(gzip));
        Assert.NotNull(browser.Headers.Age);
        Assert.Equal("br", Assert.Single(browser.Content.Headers.ContentEncoding));
        Assert.Equal(json, await DecodedAsync(browser));

        await app.Database.ExecuteAsync("update articles set title = 'After' where id = @articleId", new { articleId });

        foreach (var coding in new[] { "br", "gzip", null })
        {
            var stopwatch = Stopwatch.StartNew();
            while (Member(await DecodedAsync(await GetAsync(client, url, coding)), "title") != "After")
            {
                Assert.True(stopwatch.Elapsed < Heard, $"{coding ?? "identity"} still answers the title before the change");
                await Task.Delay(20, Ct);
            }
        }
    }

    [Fact]
    public async Task Endpoints_whose_answers_are_never_kept_and_unrouted_requests_pass_by_the_cache()
    {
        // The cache listens once the host has started.
        var reader = first.CreateClient();
        await CachedAsync(reader, "/v1/articles");
        var cache = first.Services.GetRequiredService<HotReadCache>();
        var endpoints = first.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .ToDictionary(e => e.RoutePattern.RawText!.TrimEnd('/'));

        bool EnablesCaching(Endpoint? endpoint)
        {
            var httpContext = new DefaultHttpContext { Request = { Method = "GET" } };
            httpContext.SetEndpoint(endpoint);
            return PublicResponses.IsCacheable(cache, httpContext.Request);
        }

        Assert.True(EnablesCaching(endpoints["/v1/articles/{slug}"]));
        Assert.True(EnablesCaching(endpoints["/v1/articles"]));
        Assert.False(EnablesCaching(endpoints["/health/live"]));
        Assert.False(EnablesCaching(endpoints["/health/ready"]));
        Assert.False(EnablesCaching(endpoints["/v1/changes"]));
        Assert.False(EnablesCaching(null));
    }
}
