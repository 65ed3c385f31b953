using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ContentApi.Articles;
using ContentApi.Comments;
using ContentApi.Infrastructure.Security;
using ContentApi.Reads;
using ContentApi.Search;
using ContentApi.Tests.Comments;
using Npgsql;

namespace ContentApi.Tests.Infrastructure;

/// <summary>Regression tests for the defects an outside review of the code found.</summary>
public sealed class ReviewFindingsTests(ContentApiFixture app)
{
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/articles?page=2147483647")]
    [InlineData("/v1/articles?page=42949674&pageSize=100")]
    [InlineData("/v1/people?page=21474837&pageSize=100")]
    public async Task Pages_beyond_page_number_paging_are_a_400_however_large(string url)
    {
        var response = await client.GetAsync(url, Ct);

        await response.AssertValidationProblemAsync("page");
    }

    [Theory]
    [InlineData("application/json; charset=foo")]
    [InlineData("application/json; charset=utf-7")]
    [InlineData("application/json; charset=iso-8859-1")]
    public async Task A_body_in_another_charset_is_a_415_problem(string contentType)
    {
        var slug = TestDatabase.UniqueSlug("charset");
        await app.Database.InsertArticleAsync(slug);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"authorName":"A","authorEmail":"a@example.com","body":"Hello"}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await client.PostAsync($"/v1/articles/{slug}/comments", content, Ct);

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from comments c join articles a on a.id = c.article_id where a.slug = @slug", new { slug }));
    }

    [Fact]
    public async Task A_long_user_agent_is_cut_on_a_character_boundary()
    {
        var slug = TestDatabase.UniqueSlug("user-agent");
        await app.Database.InsertArticleAsync(slug);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/articles/{slug}/comments")
        {
            Content = new StringContent($$"""{"authorName":"A","authorEmail":"{{CommentTestClient.UniqueEmail()}}","body":"Hello"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("User-Agent", new string('a', 511) + "😀 and more");

        var id = await (await client.SendAsync(request, Ct)).PostedIdAsync();

        Assert.Equal(new string('a', 511), await app.Database.ScalarAsync<string>("select user_agent from comments where id = @id", new { id }));
    }

    [Theory]
    [InlineData("/v1/search?q=-security")]
    [InlineData("/v1/search?q=-security%20-moscow")]
    [InlineData("/v1/search?q=or%20-%22shared%20security%22")]
    [InlineData("/v1/articles?q=-security")]
    [InlineData("/v1/search?q=the%20-security")]
    [InlineData("/v1/articles?q=security%20or%20-moscow")]
    public async Task A_query_of_exclusions_only_is_a_400_instead_of_a_scan_of_everything(string url)
    {
        var response = await client.GetAsync(url, Ct);

        await response.AssertValidationProblemAsync("q");
    }

    [Theory]
    [InlineData("/v1/search?q=moscow%20-terrorism")]
    [InlineData("/v1/search?q=the%20moscow%20-terrorism")]
    [InlineData("/v1/articles?q=security%20or%20moscow%20-terrorism")]
    public async Task Exclusions_beside_a_word_to_find_are_accepted(string url)
    {
        var response = await client.GetAsync(url, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_moderation_queue_total_is_exact_after_a_change_the_public_does_not_see()
    {
        var moderator = app.CreateClient();
        moderator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateApiKeyAsync(Scopes.CommentsModerate));
        var slug = TestDatabase.UniqueSlug("queue-total");
        await app.Database.InsertArticleAsync(slug);
        await (await client.PostCommentAsync(slug, CommentTestClient.Comment())).PostedIdAsync();
        var before = await (await moderator.GetAsync($"/v1/comments?status=pending&article={slug}", Ct)).ReadContractAsync<Paged<ContentApi.Comments.ModeratorComment>>();

        await (await client.PostCommentAsync(slug, CommentTestClient.Comment())).PostedIdAsync();
        var after = await (await moderator.GetAsync($"/v1/comments?status=pending&article={slug}", Ct)).ReadContractAsync<Paged<ContentApi.Comments.ModeratorComment>>();

        Assert.Equal(1, before.Page.TotalItems);
        Assert.Equal(2, after.Page.TotalItems);
    }

    [Theory]
    [InlineData("If-Modified-Since")]
    [InlineData("If-None-Match")]
    public async Task A_condition_on_something_that_does_not_exist_is_a_404_not_a_304(string header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/people/nobody-by-this-name");
        request.Headers.TryAddWithoutValidation(header, header == "If-None-Match" ? "*" : DateTime.UtcNow.ToString("R"));

        var response = await client.SendAsync(request, Ct);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task If_none_match_star_on_something_that_exists_is_a_304()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/people/abdellatif-hammouchi");
        request.Headers.TryAddWithoutValidation("If-None-Match", "*");

        var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task A_future_if_modified_since_is_ignored()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/people/abdellatif-hammouchi");
        request.Headers.IfModifiedSince = DateTimeOffset.UtcNow.AddDays(1);

        var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_thread_embeds_its_first_100_replies_breadth_first_and_counts_them_all()
    {
        var slug = TestDatabase.UniqueSlug("big-thread");
        var articleId = await app.Database.InsertArticleAsync(slug);
        const string insert = """
            insert into comments (article_id, parent_id, depth, author_name, author_email, body, body_hash, status, created_at)
            select @articleId, @parentId, @depth, 'Reader', 'r@example.com', 'Reply ' || n, '\x00', 'approved', now() + n * interval '1 second'
            from generate_series(1, @count) n
            returning id
            """;
        var root = (await app.Database.QueryAsync<long>(insert, new { articleId, parentId = (long?)null, depth = 1, count = 1 })).Single();
        var replies = await app.Database.QueryAsync<long>(insert, new { articleId, parentId = (long?)root, depth = 2, count = 120 });
        await app.Database.QueryAsync<long>(insert, new { articleId, parentId = (long?)replies[0], depth = 3, count = 5 });

        var thread = Assert.Single((await (await client.GetAsync($"/v1/articles/{slug}/comments?view=tree", Ct)).ReadContractAsync<Paged<CommentThread>>()).Items);

        Assert.Equal(120, thread.ReplyCount);
        Assert.Equal(replies.Take(100), thread.Replies.Select(r => r.Id)); // every direct reply before any deeper one
        Assert.Equal(5, thread.Replies[0].ReplyCount);
        Assert.Empty(thread.Replies[0].Replies);
    }

    [Fact]
    public void Full_text_queries_that_differ_only_in_white_space_share_one_scope_and_one_query()
    {
        var spaced = ArticleQueries.ListSpec(new ListArticlesQuery { Q = "  security \t  cooperation " });
        var tight = ArticleQueries.ListSpec(new ListArticlesQuery { Q = "security cooperation" });
        var spacedSearch = SearchQueries.ListSpec(new SearchQuery { Q = " security  cooperation" });
        var tightSearch = SearchQueries.ListSpec(new SearchQuery { Q = "security cooperation" });

        Assert.Equal(tight.Scope, spaced.Scope);
        Assert.Equal("security cooperation", BoundValue(spaced.Parameters, "q"));
        Assert.Equal(tightSearch.Scope, spacedSearch.Scope);
        Assert.Equal("security cooperation", BoundValue(spacedSearch.Parameters, "q"));
    }

    private static object? BoundValue(SqlParameters parameters, string name)
    {
        using var command = new NpgsqlCommand();
        parameters.AddTo(command);
        return command.Parameters[name].Value;
    }

    [Fact]
    public async Task Flood_control_counts_an_ipv6_64_as_one_client()
    {
        var slug = TestDatabase.UniqueSlug("ipv6");
        await app.Database.InsertArticleAsync(slug);
        var network = $"2001:db8:{Random.Shared.Next(0x10000):x}:{Random.Shared.Next(0x8000):x}";
        var neighbour = $"2001:db8:{Random.Shared.Next(0x10000):x}:{Random.Shared.Next(0x8000, 0x10000):x}";

        var first = await client.PostCommentAsync(slug, CommentTestClient.Comment(), clientAddress: $"{network}::1");
        var sameNetwork = await client.PostCommentAsync(slug, CommentTestClient.Comment(), clientAddress: $"{network}:ffff:1:2:3");
        var otherNetwork = await client.PostCommentAsync(slug, CommentTestClient.Comment(), clientAddress: $"{neighbour}::1");

        await first.PostedIdAsync();
        await sameNetwork.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        await otherNetwork.PostedIdAsync();
    }

    [Fact]
    public async Task An_idempotency_key_belongs_to_the_client_that_chose_it()
    {
        var slug = TestDatabase.UniqueSlug("idempotency-scope");
        await app.Database.InsertArticleAsync(slug);
        var key = Guid.NewGuid().ToString();

        var mine = await (await client.PostCommentAsync(slug, CommentTestClient.Comment(body: "Mine"), clientAddress: "198.51.100.31", idempotencyKey: key)).PostedIdAsync();
        var theirs = await (await client.PostCommentAsync(slug, CommentTestClient.Comment(body: "Theirs"), clientAddress: "198.51.100.32", idempotencyKey: key)).PostedIdAsync();

        Assert.NotEqual(mine, theirs);
        Assert.Equal(["Mine", "Theirs"], await app.Database.QueryAsync<string>(
            "select c.body from comments c where c.id in (@mine, @theirs) order by c.id", new { mine, theirs }));
    }

    private static HttpRequestMessage From(string address, string url, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add(TestClientAddress.Header, address);
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return request;
    }

    [Fact]
    public async Task Anonymous_requests_have_a_budget_per_client_network_and_health_checks_and_api_keys_are_outside_it()
    {
        await using var limited = app.WithWebHostBuilder(b => b.UseSetting("RateLimits:AnonymousRequestsPerMinute", "3"));
        var limitedClient = limited.CreateClient();
        var moderatorKey = await app.CreateApiKeyAsync(Scopes.CommentsModerate);
        const string address = "198.51.100.51";

        var withinBudget = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            withinBudget.Add((await limitedClient.SendAsync(From(address, "/v1/tags"), Ct)).StatusCode);
        }

        var over = await limitedClient.SendAsync(From(address, "/v1/search?q=security"), Ct);
        var health = await limitedClient.SendAsync(From(address, "/health/live"), Ct);
        var withKey = await limitedClient.SendAsync(From(address, "/v1/comments", moderatorKey), Ct);
        var elsewhere = await limitedClient.SendAsync(From("198.51.100.52", "/v1/tags"), Ct);

        Assert.All(withinBudget, status => Assert.Equal(HttpStatusCode.OK, status));
        await over.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(over.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Past_its_budget_of_invalid_api_keys_a_network_gets_429_even_for_a_valid_key()
    {
        await using var limited = app.WithWebHostBuilder(b => b.UseSetting("RateLimits:InvalidApiKeysPerMinute", "2"));
        var limitedClient = limited.CreateClient();
        var moderatorKey = await app.CreateApiKeyAsync(Scopes.CommentsModerate);
        const string address = "198.51.100.61";

        var guesses = new List<HttpResponseMessage>();
        foreach (var guess in new[] { "cak_wrong1", "not-even-a-key" })
        {
            guesses.Add(await limitedClient.SendAsync(From(address, "/v1/comments", guess), Ct));
        }

        var refused = await limitedClient.SendAsync(From(address, "/v1/comments", moderatorKey), Ct);
        var elsewhere = await limitedClient.SendAsync(From("198.51.100.62", "/v1/comments", moderatorKey), Ct);

        Assert.All(guesses, guess => Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode));
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Fact]
    public async Task A_network_past_its_budget_stays_refused_for_the_minute_when_it_pauses()
    {
        // The framework drops a partition idle for 10 s; a budget dropped with it would let a
        // guesser take a fresh one after each pause (2 keys every 10 s instead of 2 a minute).
        await using var limited = app.WithWebHostBuilder(b => b.UseSetting("RateLimits:InvalidApiKeysPerMinute", "2"));
        var limitedClient = limited.CreateClient();
        var moderatorKey = await app.CreateApiKeyAsync(Scopes.CommentsModerate);
        const string address = "198.51.100.63";
        foreach (var guess in new[] { "cak_wrong1", "cak_wrong2" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await limitedClient.SendAsync(From(address, "/v1/comments", guess), Ct)).StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(11), Ct);
        var afterPause = await limitedClient.SendAsync(From(address, "/v1/comments", moderatorKey), Ct);

        await afterPause.AssertProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("cursor=garbage", "cursor")]
    public async Task Revision_lists_validate_their_paging_found_by_the_fuzzer(string query, string parameter)
    {
        var editor = app.CreateClient();
        editor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateApiKeyAsync(Scopes.ContentWrite));

        var response = await editor.GetAsync($"/v1/articles/{SeedArticleSlug}/revisions?{query}", Ct);

        await response.AssertValidationProblemAsync(parameter);
    }

    private const string SeedArticleSlug = "hammouchi-promotes-a-new-vision-of-shared-international-security-cooperation-at-the-moscow-international-forum";
}
