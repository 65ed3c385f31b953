using System.Net;
using System.Text.Json;
using ContentApi.Articles;
using ContentApi.Comments;
using ContentApi.Reads;

namespace ContentApi.Tests.Comments;

public sealed class CommentsApiTests(ContentApiFixture app)
{
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> NewArticleAsync(bool commentsOpen = true, string status = "published")
    {
        var slug = TestDatabase.UniqueSlug("commented");
        await app.Database.InsertArticleAsync(slug, status: status, commentsOpen: commentsOpen);
        return slug;
    }

    private Task ApproveAsync(long id) => app.Database.ExecuteAsync("update comments set status = 'approved' where id = @id", new { id });

    private async Task<Paged<PublicComment>> PublicCommentsAsync(string slug) =>
        await (await client.GetAsync($"/v1/articles/{slug}/comments", Ct)).ReadContractAsync<Paged<PublicComment>>();

    [Fact]
    public async Task A_new_comment_is_pending_and_public_only_once_approved()
    {
        var slug = await NewArticleAsync();

        var response = await client.PostCommentAsync(slug, CommentTestClient.Comment(body: "First!"));
        var accepted = JsonSerializer.Deserialize<CommentAccepted>(await response.Content.ReadAsStringAsync(Ct), HttpAssertions.StrictJson)!;
        var before = await PublicCommentsAsync(slug);
        var hiddenItem = await client.GetAsync($"/v1/comments/{accepted.Id}", Ct);
        await ApproveAsync(accepted.Id);
        var after = await PublicCommentsAsync(slug);
        var article = await (await client.GetAsync($"/v1/articles/{slug}", Ct)).ReadContractAsync<ArticleDetail>();
        var item = await (await client.GetAsync($"/v1/comments/{accepted.Id}", Ct)).ReadContractAsync<PublicComment>();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("pending", accepted.Status);
        Assert.Equal($"/v1/comments/{accepted.Id}", response.Headers.Location?.OriginalString);
        Assert.Empty(before.Items);
        await hiddenItem.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("First!", Assert.Single(after.Items).Body);
        Assert.Equal(1, article.CommentCount);
        Assert.Equal("First!", item.Body);
    }

    [Theory]
    [InlineData("spam")]
    [InlineData("trash")]
    [InlineData("pending")]
    public async Task Spam_trash_and_pending_comments_are_hidden_and_not_counted(string status)
    {
        var slug = await NewArticleAsync();
        var visible = await (await client.PostCommentAsync(slug, CommentTestClient.Comment(body: "Visible"))).PostedIdAsync();
        var hidden = await (await client.PostCommentAsync(slug, CommentTestClient.Comment(body: "Hidden"))).PostedIdAsync();
        await ApproveAsync(visible);
        await ApproveAsync(hidden);

        await app.Database.ExecuteAsync("update comments set status = @status where id = @hidden", new { status, hidden });
        var comments = await PublicCommentsAsync(slug);
        var article = await (await client.GetAsync($"/v1/articles/{slug}", Ct)).ReadContractAsync<ArticleDetail>();

        Assert.Equal("Visible", Assert.Single(comments.Items).Body);
        Assert.Equal(1, article.CommentCount);
    }

    [Fact]
    public async Task Comments_are_oldest_first_flat_with_parent_ids_or_nested_as_a_tree()
    {
        var slug = await NewArticleAsync();
        var root = await (await client.PostCommentAsync(slug, CommentTestClient.Comment(body: "Root"))).PostedIdAsync();
        await ApproveAsync(root);
        var reply = await (await client.PostCommentAsync(slug, CommentTestClient.Comment(body: "Reply", parentId: root))).PostedIdAsync();
        await ApproveAsync(reply);
        var second = await (await client.PostCommentAsync(slug, CommentTestClient.Comment(body: "Second root"))).PostedIdAsync();
        await ApproveAsync(second);

        var flat = await PublicCommentsAsync(slug);
        var tree = await (await client.GetAsync($"/v1/articles/{slug}/comments?view=tree", Ct)).ReadContractAsync<Paged<CommentThread>>();

        Assert.Equal([root, reply, second], flat.Items.Select(c => c.Id));
        Assert.Equal(root, flat.Items[1].ParentId);
        Assert.Equal([root, second], tree.Items.Select(c => c.Id));
        Assert.Equal(reply, Assert.Single(tree.Items[0].Replies).Id);
        Assert.Empty(tree.Items[1].Replies);
    }

    [Fact]
    public async Task Unknown_or_unpublished_article_is_a_404_and_closed_comments_a_403()
    {
        var draft = await NewArticleAsync(status: "draft");
        var closed = await NewArticleAsync(commentsOpen: false);

        await (await client.PostCommentAsync("no-such-article", CommentTestClient.Comment())).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostCommentAsync(draft, CommentTestClient.Comment())).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostCommentAsync(closed, CommentTestClient.Comment())).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await client.GetAsync($"/v1/articles/{draft}/comments", Ct)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostCommentAsync("Bad_Slug", CommentTestClient.Comment())).AssertValidationProblemAsync("slug");
    }

    [Fact]
    public async Task A_reply_to_a_pending_comment_or_to_another_articles_comment_is_a_400()
    {
        var slug = await NewArticleAsync();
        var other = await NewArticleAsync();
        var pending = await (await client.PostCommentAsync(slug, CommentTestClient.Comment())).PostedIdAsync();
        var elsewhere = await (await client.PostCommentAsync(other, CommentTestClient.Comment())).PostedIdAsync();
        await ApproveAsync(elsewhere);

        await (await client.PostCommentAsync(slug, CommentTestClient.Comment(parentId: pending))).AssertValidationProblemAsync("parentId");
        await (await client.PostCommentAsync(slug, CommentTestClient.Comment(parentId: elsewhere))).AssertValidationProblemAsync("parentId");
        await (await client.PostCommentAsync(slug, CommentTestClient.Comment(parentId: 999_999_999))).AssertValidationProblemAsync("parentId");
    }

    [Fact]
    public async Task Replies_nest_five_levels_deep_and_a_sixth_is_a_400()
    {
        var slug = await NewArticleAsync();
        long? parent = null;
        for (var level = 1; level <= 5; level++)
        {
            var id = await (await client.PostCommentAsync(slug, CommentTestClient.Comment(body: $"Level {level}", parentId: parent))).PostedIdAsync();
            await ApproveAsync(id);
            parent = id;
        }

        var sixth = await client.PostCommentAsync(slug, CommentTestClient.Comment(body: "Level 6", parentId: parent));

        await sixth.AssertValidationProblemAsync("parentId");
        Assert.Equal(5, await app.Database.ScalarAsync<int>("select max(depth) from comments c join articles a on a.id = c.article_id where a.slug = @slug", new { slug }));
    }

    [Fact]
    public async Task The_same_comment_twice_is_a_409()
    {
        var slug = await NewArticleAsync();
        var email = CommentTestClient.UniqueEmail();
        await (await client.PostCommentAsync(slug, CommentTestClient.Comment(email, body: "Same words."))).PostedIdAsync();

        var again = await client.PostCommentAsync(slug, CommentTestClient.Comment(email.ToUpperInvariant(), body: "Same words."));

        await again.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(1, await app.Database.ScalarAsync<long>("select count(*) from comments where lower(author_email) = @email", new { email }));
    }

    [Fact]
    public async Task A_second_comment_within_the_flood_interval_is_a_429_with_retry_after_by_address_or_by_email()
    {
        var slug = await NewArticleAsync();
        var email = CommentTestClient.UniqueEmail();
        const string address = "198.51.100.23";
        await (await client.PostCommentAsync(slug, CommentTestClient.Comment(email, body: "One."), clientAddress: address)).PostedIdAsync();

        var sameAddress = await client.PostCommentAsync(slug, CommentTestClient.Comment(body: "Two."), clientAddress: address);
        var sameEmail = await client.PostCommentAsync(slug, CommentTestClient.Comment(email, body: "Three."));

        foreach (var response in new[] { sameAddress, sameEmail })
        {
            await response.AssertProblemAsync(HttpStatusCode.TooManyRequests);
            var retryAfter = response.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value.TotalSeconds, 1, 15);
        }
    }

    [Fact]
    public async Task A_flood_interval_of_zero_switches_flood_control_off()
    {
        await using var unflooded = app.WithWebHostBuilder(b => b.UseSetting("Comments:FloodIntervalSeconds", "0"));
        var unfloodedClient = unflooded.CreateClient();
        var slug = await NewArticleAsync();
        var email = CommentTestClient.UniqueEmail();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            unfloodedClient.PostCommentAsync(slug, CommentTestClient.Comment(email, body: $"Quick {i}."), clientAddress: "198.51.100.99")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_returns_the_first_answer_and_stores_one_comment()
    {
        var slug = await NewArticleAsync();
        var email = CommentTestClient.UniqueEmail();
        var key = Guid.NewGuid().ToString();
        var body = CommentTestClient.Comment(email, body: "Sent twice by a flaky network.");

        const string address = "198.51.100.41"; // a retry comes from the client that sent the first try

        var first = await client.PostCommentAsync(slug, body, address, key);
        var retry = await client.PostCommentAsync(slug, body, address, key);
        var changed = await client.PostCommentAsync(slug, CommentTestClient.Comment(email, body: "Something else."), address, key);

        Assert.Equal(await first.PostedIdAsync(), await retry.PostedIdAsync());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        await changed.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1, await app.Database.ScalarAsync<long>("select count(*) from comments where author_email = @email", new { email }));
    }

    [Fact]
    public async Task An_idempotency_key_is_deleted_once_its_day_is_over()
    {
        var slug = await NewArticleAsync();
        var (expired, fresh) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        await client.PostCommentAsync(slug, CommentTestClient.Comment(), "198.51.100.42", expired);
        await client.PostCommentAsync(slug, CommentTestClient.Comment(), "198.51.100.43", fresh);
        const string keysSql = "select k.key from comment_idempotency_keys k where k.key = any (@keys) order by k.key";
        var keys = new[] { expired, fresh };
        var stored = await app.Database.QueryAsync<string>(keysSql, new { keys });
        await app.Database.ExecuteAsync("update comment_idempotency_keys set created_at = now() - interval '24 hours 1 minute' where key = @expired", new { expired });

        await using var pruning = app.WithWebHostBuilder(b => b.UseSetting("Retention:IntervalSeconds", "1"));
        _ = pruning.CreateClient(); // starts its retention
        var left = await Eventually.ReadAsync(() => app.Database.QueryAsync<string>(keysSql, new { keys }), k => k.Count < 2);

        Assert.Equal(keys.Order(), stored);
        Assert.Equal([fresh], left);
    }

    [Theory]
    [InlineData(201)]
    [InlineData(-1)]
    public async Task An_idempotency_key_over_200_characters_or_with_a_control_character_is_a_400_naming_it(int length)
    {
        var slug = await NewArticleAsync();
        var email = CommentTestClient.UniqueEmail();
        var key = length > 0 ? new string('k', length) : "key\twith-a-tab";

        var response = await client.PostCommentAsync(slug, CommentTestClient.Comment(email), idempotencyKey: key);
        var longest = await client.PostCommentAsync(slug, CommentTestClient.Comment(), idempotencyKey: new string('k', 199) + "\u00e9");

        await response.AssertValidationProblemAsync("Idempotency-Key");
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from comments where author_email = @email", new { email }));
        Assert.Equal(HttpStatusCode.Accepted, longest.StatusCode);
    }

    [Fact]
    public async Task Concurrent_identical_posts_store_one_comment()
    {
        var slug = await NewArticleAsync();
        var email = CommentTestClient.UniqueEmail();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.PostCommentAsync(slug, CommentTestClient.Comment(email, body: "Race."))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Accepted), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(1, await app.Database.ScalarAsync<long>("select count(*) from comments where author_email = @email", new { email }));
    }

    [Fact]
    public async Task Client_address_and_user_agent_are_stored_for_moderation_and_x_forwarded_for_from_strangers_is_ignored()
    {
        var slug = await NewArticleAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/articles/{slug}/comments")
        {
            Content = System.Net.Http.Json.JsonContent.Create(CommentTestClient.Comment()),
        };
        request.Headers.Add(TestClientAddress.Header, "203.0.113.9");
        request.Headers.Add("X-Forwarded-For", "192.0.2.1");
        request.Headers.UserAgent.ParseAdd("TestBrowser/1.0");

        var id = await (await client.SendAsync(request, Ct)).PostedIdAsync();

        var stored = await app.Database.QueryAsync<(string Address, string Agent)>("select host(client_address), user_agent from comments where id = @id", new { id });
        Assert.Equal(("203.0.113.9", "TestBrowser/1.0"), stored.Single());
    }

    [Fact]
    public async Task The_rate_limiter_answers_429_with_retry_after_past_its_limit()
    {
        await using var limited = app.WithWebHostBuilder(b => b.UseSetting("Comments:RateLimitPerMinute", "2"));
        var limitedClient = limited.CreateClient();
        var slug = await NewArticleAsync();
        const string address = "198.51.100.200";

        var first = await limitedClient.PostRawAsync(slug, "{}");
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/articles/{slug}/comments") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add(TestClientAddress.Header, address);
            responses.Add(await limitedClient.SendAsync(request, Ct));
        }

        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest], responses.Take(2).Select(r => r.StatusCode));
        await responses[2].AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(responses[2].Headers.RetryAfter);
    }

    [Theory]
    [InlineData("Thanks for this report.", "approved", "approved")]
    [InlineData("See http://a.example http://b.example http://c.example", "pending", "pending")]
    [InlineData("This mentions casino deals", "pending", "spam")]
    [InlineData("This mentions politics", "pending", "pending")]
    public async Task Post_moderation_publishes_at_once_unless_links_or_listed_words_hold_it(string body, string answered, string stored)
    {
        await using var postModerated = app.WithWebHostBuilder(b => b
            .UseSetting("Comments:Moderation", "post")
            .UseSetting("Comments:BlockedWords:0", "casino")
            .UseSetting("Comments:HeldWords:0", "politics"));
        var slug = await NewArticleAsync();

        var response = await postModerated.CreateClient().PostCommentAsync(slug, CommentTestClient.Comment(body: body));

        var accepted = JsonSerializer.Deserialize<CommentAccepted>(await response.Content.ReadAsStringAsync(Ct), HttpAssertions.StrictJson)!;
        Assert.Equal(answered, accepted.Status); // never "spam": that would tell which words are blocked
        Assert.Equal(stored, await app.Database.ScalarAsync<string>("select status from comments where id = @id", new { id = accepted.Id }));
        Assert.Equal(stored == "approved" ? 1 : 0, (await PublicCommentsAsync(slug)).Items.Count);
    }

    [Fact]
    public async Task Approving_a_comment_changes_the_article_and_comment_list_etags()
    {
        var slug = await NewArticleAsync();
        var id = await (await client.PostCommentAsync(slug, CommentTestClient.Comment())).PostedIdAsync();
        var article = await client.GetAsync($"/v1/articles/{slug}", Ct);
        var list = await client.GetAsync($"/v1/articles/{slug}/comments", Ct);

        await ApproveAsync(id);

        foreach (var (url, before) in new[] { ($"/v1/articles/{slug}", article), ($"/v1/articles/{slug}/comments", list) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.IfNoneMatch.Add(before.Headers.ETag!);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request, Ct)).StatusCode);
        }
    }
}
