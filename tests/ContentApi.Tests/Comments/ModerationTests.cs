using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net;
using ContentApi.Articles;
using ContentApi.Comments;
using ContentApi.Infrastructure.Database;
using ContentApi.Infrastructure.Security;
using ContentApi.Reads;
using Microsoft.Extensions.Logging.Abstractions;

namespace ContentApi.Tests.Comments;

public sealed class ModerationTests(ContentApiFixture app)
{
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpClient> ModeratorAsync()
    {
        var moderator = app.CreateClient();
        moderator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateApiKeyAsync(Scopes.CommentsModerate));
        return moderator;
    }

    private async Task<(string Slug, long Id)> PendingCommentAsync(string? email = null, long? parentId = null, string? slug = null)
    {
        slug ??= TestDatabase.UniqueSlug("moderated");
        if (parentId is null)
        {
            await app.Database.InsertArticleAsync(slug);
        }

        var id = await (await client.PostCommentAsync(slug, CommentTestClient.Comment(email, parentId: parentId))).PostedIdAsync();
        return (slug, id);
    }

    private static HttpRequestMessage Patch(long id, string status, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/v1/comments/{id}") { Content = JsonContent.Create(new { status }) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    // The statuses whose kept totals differ from their comments' count (migration 0059), read in
    // one snapshot: the comments and their totals change in the same transactions.
    private const string MiscountedStatusesSql = """
        select coalesce(c.status, t.status) || ': ' || coalesce(c.counted, 0) || ' counted, ' || coalesce(t.kept, 0) || ' kept'
        from (select status, count(*) as counted from comments group by status) c
        full join (select status, sum(total) as kept from comment_status_totals group by status) t on t.status = c.status
        where coalesce(c.counted, 0) <> coalesce(t.kept, 0)
        """;

    /// <summary>
    /// The kept totals are the comments' count, and the queue's totals (all, and each status)
    /// are those counts: each compared where the count did not move while the queue was read.
    /// </summary>
    private static async Task AssertQueueTotalsAsync(TestDatabase database, HttpClient moderator)
    {
        Assert.Empty(await database.QueryAsync<string>(MiscountedStatusesSql));
        foreach (var status in new string?[] { null, "pending", "approved", "spam", "trash" })
        {
            const string countSql = "select count(*) from comments where @status::text is null or status = @status::text";
            var (counted, total) = (-1L, 0L);
            for (var attempt = 0; attempt < 100 && counted < 0; attempt++)
            {
                var before = await database.ScalarAsync<long>(countSql, new { status });
                total = (await (await moderator.GetAsync(status is null ? "/v1/comments" : $"/v1/comments?status={status}", Ct))
                    .ReadContractAsync<Paged<ModeratorComment>>()).Page.TotalItems;
                if (before == await database.ScalarAsync<long>(countSql, new { status }))
                {
                    counted = before;
                }
            }

            Assert.True(counted >= 0, $"The count of the {status ?? "whole"} queue moved during each of 100 reads.");
            Assert.Equal((status, counted), (status, total));
        }
    }

    [Fact]
    public async Task Moderation_needs_an_api_key_401_without_or_with_a_bad_or_revoked_one_and_403_without_the_scope()
    {
        var revokedKey = await app.CreateApiKeyAsync(Scopes.CommentsModerate);
        await app.Database.ExecuteAsync("update api_keys set revoked_at = now() where key_hash = sha256(convert_to(@revokedKey, 'UTF8'))", new { revokedKey });
        var writerKey = await app.CreateApiKeyAsync(Scopes.ContentWrite);

        async Task<HttpResponseMessage> QueueWith(string? authorization)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/comments");
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            return await client.SendAsync(request, Ct);
        }

        var none = await QueueWith(null);
        var garbage = await QueueWith("Bearer cak_not-a-real-key");
        var basic = await QueueWith("Basic dXNlcjpwYXNz");
        var revoked = await QueueWith($"Bearer {revokedKey}");
        var writer = await QueueWith($"Bearer {writerKey}");

        foreach (var response in new[] { none, garbage, basic, revoked })
        {
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.Single().ToString(), StringComparison.Ordinal);
        }

        await writer.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Api_keys_in_a_query_string_are_not_accepted()
    {
        var key = await app.CreateApiKeyAsync(Scopes.CommentsModerate);

        var response = await client.GetAsync($"/v1/comments?access_token={key}&api_key={key}", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Keys_are_stored_only_as_hashes_and_record_their_last_use()
    {
        var key = await app.CreateApiKeyAsync(Scopes.CommentsModerate);
        var moderator = app.CreateClient();
        moderator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        Assert.Equal(HttpStatusCode.OK, (await moderator.GetAsync("/v1/comments", Ct)).StatusCode);

        var stored = await app.Database.QueryAsync<(byte[] Hash, DateTime? LastUsed)>(
            "select key_hash, last_used_at from api_keys where key_hash = sha256(convert_to(@key, 'UTF8'))", new { key });
        var (hash, lastUsed) = Assert.Single(stored);
        Assert.Equal(32, hash.Length);
        Assert.NotNull(lastUsed);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from api_keys k where k::text like '%' || @key || '%'", new { key }));
        Assert.True(key.Length >= 4 + 43, "a key carries at least 256 random bits");
    }

    [Fact]
    public async Task The_queue_lists_by_status_and_article_with_private_fields_and_is_never_cached()
    {
        var email = CommentTestClient.UniqueEmail();
        var (slug, id) = await PendingCommentAsync(email);
        var moderator = await ModeratorAsync();

        var response = await moderator.GetAsync($"/v1/comments?status=pending&article={slug}", Ct);
        var queue = await response.ReadContractAsync<Paged<ModeratorComment>>();
        var approvedQueue = await (await moderator.GetAsync($"/v1/comments?status=approved&article={slug}", Ct)).ReadContractAsync<Paged<ModeratorComment>>();

        var item = Assert.Single(queue.Items);
        Assert.Equal((id, email, "pending", slug), (item.Id, item.AuthorEmail, item.Status, item.Article));
        Assert.NotNull(item.ClientAddress);
        Assert.Empty(approvedQueue.Items);
        Assert.True(response.Headers.CacheControl is { Private: true, NoStore: true }, $"Cache-Control: {response.Headers.CacheControl}");
        Assert.Null(response.Headers.ETag);
        await (await moderator.GetAsync("/v1/comments?status=deleted", Ct)).AssertValidationProblemAsync("status");
    }

    [Fact]
    public async Task A_decision_needs_if_match_428_without_412_when_stale_200_with_the_new_version()
    {
        var (slug, id) = await PendingCommentAsync();
        var moderator = await ModeratorAsync();

        var missing = await moderator.SendAsync(Patch(id, "approved", null), Ct);
        var stale = await moderator.SendAsync(Patch(id, "approved", "\"7\""), Ct);
        var approved = await moderator.SendAsync(Patch(id, "approved", "\"1\""), Ct);
        var replayed = await moderator.SendAsync(Patch(id, "spam", "\"1\""), Ct);
        var invalid = await moderator.SendAsync(Patch(id, "published", "\"2\""), Ct);
        var unknown = await moderator.SendAsync(Patch(999_999_999, "approved", "*"), Ct);

        await missing.AssertProblemAsync(HttpStatusCode.PreconditionRequired);
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var comment = await approved.ReadContractAsync<ModeratorComment>();
        Assert.Equal(("approved", 2), (comment.Status, comment.Version));
        Assert.Equal("\"2\"", approved.Headers.ETag?.ToString());
        await replayed.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        await invalid.AssertValidationProblemAsync("status");
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Single((await (await client.GetAsync($"/v1/articles/{slug}/comments", Ct)).ReadContractAsync<Paged<PublicComment>>()).Items);
    }

    [Theory]
    [InlineData("*", HttpStatusCode.OK)]
    [InlineData("\"1\"", HttpStatusCode.OK)]
    [InlineData("W/\"1\"", HttpStatusCode.PreconditionFailed)]
    [InlineData("1", HttpStatusCode.PreconditionFailed)]
    [InlineData("\"one\"", HttpStatusCode.PreconditionFailed)]
    [InlineData("garbage\u0001", HttpStatusCode.PreconditionFailed)]
    public async Task If_match_star_takes_any_version_a_weak_or_garbage_tag_matches_none(string ifMatch, HttpStatusCode expected)
    {
        var (_, id) = await PendingCommentAsync();

        var response = await (await ModeratorAsync()).SendAsync(Patch(id, "approved", ifMatch), Ct);

        Assert.Equal(expected, response.StatusCode);
        var status = await app.Database.ScalarAsync<string>("select status::text from comments where id = @id", new { id });
        Assert.Equal(expected == HttpStatusCode.OK ? "approved" : "pending", status);
    }

    [Fact]
    public async Task Each_moderation_method_is_a_401_without_a_key_and_a_403_without_the_scope()
    {
        var (_, id) = await PendingCommentAsync();
        var writerKey = await app.CreateApiKeyAsync(Scopes.ContentWrite);
        (HttpMethod Method, string Url, object? Body)[] operations =
        [
            (HttpMethod.Get, "/v1/comments", null),
            (HttpMethod.Patch, $"/v1/comments/{id}", new { status = "approved" }),
            (HttpMethod.Delete, $"/v1/comments/{id}", null),
            (HttpMethod.Post, "/v1/comments/erase", new { authorEmail = CommentTestClient.UniqueEmail() }),
        ];

        foreach (var (method, url, body) in operations)
        {
            foreach (var (authorization, status) in new[] { ((string?)null, HttpStatusCode.Unauthorized), ($"Bearer {writerKey}", HttpStatusCode.Forbidden) })
            {
                using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
                request.Headers.TryAddWithoutValidation("If-Match", "*");
                if (authorization is not null)
                {
                    request.Headers.TryAddWithoutValidation("Authorization", authorization);
                }

                var response = await client.SendAsync(request, Ct);
                Assert.True(status == response.StatusCode, $"{method} {url} with {authorization ?? "no key"}: {(int)response.StatusCode}, expected {(int)status}");
            }
        }

        Assert.Equal("pending", await app.Database.ScalarAsync<string>("select status::text from comments where id = @id", new { id }));
    }

    [Fact]
    public async Task A_decision_moves_the_article_s_comment_count_both_ways()
    {
        var (slug, id) = await PendingCommentAsync();
        var moderator = await ModeratorAsync();
        async Task<int> CountAsync() => (await (await client.GetAsync($"/v1/articles/{slug}", Ct)).ReadContractAsync<ArticleDetail>()).CommentCount;

        var pending = await CountAsync();
        var approved = await moderator.SendAsync(Patch(id, "approved", "\"1\""), Ct);
        var afterApproval = await CountAsync();
        await moderator.SendAsync(Patch(id, "spam", approved.Headers.ETag!.ToString()), Ct);
        var afterSpam = await CountAsync();

        Assert.Equal((0, 1, 0), (pending, afterApproval, afterSpam));
    }

    [Theory]
    [InlineData("{}", "authorEmail")]
    [InlineData("{\"authorEmail\":\"\"}", "authorEmail")]
    [InlineData("{\"authorEmail\":\"not-an-email\"}", "authorEmail")]
    [InlineData("{\"authorEmail\":\"Reader <reader@example.com>\"}", "authorEmail")]
    public async Task An_erasure_without_a_valid_email_is_a_400_naming_it(string json, string field)
    {
        var response = await (await ModeratorAsync()).PostAsync("/v1/comments/erase", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);

        await response.AssertValidationProblemAsync(field);
    }

    [Fact]
    public async Task An_erasure_with_an_email_of_the_wrong_type_is_a_400_naming_it()
    {
        var response = await (await ModeratorAsync()).PostAsync("/v1/comments/erase", new StringContent("{\"authorEmail\":42}", System.Text.Encoding.UTF8, "application/json"), Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("$.authorEmail", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasing_an_email_with_no_comments_anonymises_none()
    {
        var response = await (await ModeratorAsync()).PostAsJsonAsync("/v1/comments/erase", new { authorEmail = CommentTestClient.UniqueEmail() }, Ct);

        Assert.Equal(0, (await response.ReadContractAsync<EraseCommentsResult>()).Anonymised);
    }

    [Fact]
    public async Task Deleting_a_comment_moves_its_replies_up_to_its_parent()
    {
        var (slug, root) = await PendingCommentAsync();
        await app.Database.ExecuteAsync("update comments set status = 'approved' where id = @root", new { root });
        var (_, middle) = await PendingCommentAsync(parentId: root, slug: slug);
        await app.Database.ExecuteAsync("update comments set status = 'approved' where id = @middle", new { middle });
        var (_, leaf) = await PendingCommentAsync(parentId: middle, slug: slug);
        var moderator = await ModeratorAsync();

        var stale = new HttpRequestMessage(HttpMethod.Delete, $"/v1/comments/{middle}");
        stale.Headers.TryAddWithoutValidation("If-Match", "\"99\"");
        var staleResponse = await moderator.SendAsync(stale, Ct);
        var deleted = await moderator.DeleteAsync($"/v1/comments/{middle}", Ct);
        var again = await moderator.DeleteAsync($"/v1/comments/{middle}", Ct);

        await staleResponse.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await again.AssertProblemAsync(HttpStatusCode.NotFound);
        var moved = await app.Database.QueryAsync<(long Parent, short Depth)>("select parent_id, depth from comments where id = @leaf", new { leaf });
        Assert.Equal((root, (short)2), moved.Single());
    }

    [Fact]
    public async Task Erasure_anonymises_every_comment_of_the_email_and_leaves_no_trace_of_it()
    {
        var email = CommentTestClient.UniqueEmail();
        var (slug, first) = await PendingCommentAsync(email);
        await app.Database.ExecuteAsync("update comments set status = 'approved', created_at = created_at - interval '1 hour' where id = @first", new { first });
        var key = Guid.NewGuid().ToString();
        await (await client.PostCommentAsync(slug, CommentTestClient.Comment(email, body: "Another one", url: "https://me.example"), idempotencyKey: key)).PostedIdAsync();
        var moderator = await ModeratorAsync();

        var response = await moderator.PostAsJsonAsync("/v1/comments/erase", new { authorEmail = email.ToUpperInvariant() }, Ct);

        Assert.Equal(2, (await response.ReadContractAsync<EraseCommentsResult>()).Anonymised);
        var tables = await app.Database.QueryAsync<string>("select tablename from pg_tables where schemaname = 'public'");
        foreach (var table in tables)
        {
            Assert.Equal(0, await app.Database.ScalarAsync<long>($"select count(*) from \"{table}\" t where t::text ilike '%' || @email || '%'", new { email }));
        }

        var anonymous = await app.Database.QueryAsync<(string Name, string? Url, string? Address, string? Agent)>(
            "select author_name, author_url, host(client_address), user_agent from comments c join articles a on a.id = c.article_id where a.slug = @slug", new { slug });
        Assert.All(anonymous, c => Assert.Equal(("Anonymous", null, null, null), (c.Name, c.Url, c.Address, c.Agent)));
        Assert.Equal("Anonymous", Assert.Single((await (await client.GetAsync($"/v1/articles/{slug}/comments", Ct)).ReadContractAsync<Paged<PublicComment>>()).Items).AuthorName);
    }

    [Fact]
    public async Task No_public_response_contains_an_email_or_a_client_address()
    {
        var email = CommentTestClient.UniqueEmail();
        const string address = "203.0.113.177";
        var word = $"zq{Guid.NewGuid():N}"[..12];
        var slug = TestDatabase.UniqueSlug("private");
        var tagId = await app.Database.InsertEntityAsync("tags", TestDatabase.UniqueSlug("privacy"), "Privacy");
        var articleId = await app.Database.InsertArticleAsync(slug, title: $"Privacy {word}");
        await app.Database.LinkAsync("article_tags", articleId, tagId);
        var root = await (await client.PostCommentAsync(slug, CommentTestClient.Comment(email, body: $"Root {word}"), clientAddress: address)).PostedIdAsync();
        await app.Database.ExecuteAsync("update comments set status = 'approved', created_at = created_at - interval '1 hour' where id = @root", new { root });
        var reply = await (await client.PostCommentAsync(slug, CommentTestClient.Comment(email, body: $"Reply {word}", parentId: root), clientAddress: address)).PostedIdAsync();
        await app.Database.ExecuteAsync("update comments set status = 'approved' where id = @reply", new { reply });
        var tag = await app.Database.ScalarAsync<string>("select slug from tags where id = @tagId", new { tagId });

        string[] urls =
        [
            $"/v1/articles/{slug}", "/v1/articles", $"/v1/articles?q={word}", $"/v1/articles?tag={tag}",
            $"/v1/articles/{slug}/comments", $"/v1/articles/{slug}/comments?view=tree", $"/v1/comments/{root}", $"/v1/comments/{reply}",
            $"/v1/search?q={word}", $"/v1/tags/{tag}", $"/v1/tags/{tag}/articles", "/v1/tags", "/v1/people", "/swagger/v1/swagger.json",
        ];
        var emailHash = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(email)));
        foreach (var url in urls)
        {
            var response = await client.GetAsync(url, Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode}");
            Assert.DoesNotContain(email, body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(email.Split('@')[0], body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(emailHash, body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(address, body, StringComparison.Ordinal);
            Assert.DoesNotContain(address, string.Join(", ", response.Headers.Select(h => string.Join(",", h.Value))), StringComparison.Ordinal);
        }

        Assert.Contains($"Reply {word}", await client.GetStringAsync($"/v1/articles/{slug}/comments?view=tree", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasing_an_email_across_articles_while_moderating_them_never_deadlocks()
    {
        var moderator = await ModeratorAsync();
        var articles = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            articles.Add(await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("erase-race")));
        }

        const string insert = """
            insert into comments (article_id, author_name, author_email, body, body_hash, status)
            select article_id, 'Reader', @email, 'Comment ' || n, sha256(convert_to(@email || n, 'UTF8')), 'approved'
            from unnest(@articles) with ordinality as a(article_id, n)
            returning id
            """;
        var bystanders = await app.Database.QueryAsync<long>(insert, new { email = CommentTestClient.UniqueEmail(), articles = articles.ToArray() });
        var statuses = new List<HttpStatusCode>();
        for (var round = 0; round < 40; round++)
        {
            var email = CommentTestClient.UniqueEmail();
            var erased = await app.Database.QueryAsync<long>(insert, new { email, articles = articles.AsEnumerable().Reverse().ToArray() });
            var status = round % 2 == 0 ? "pending" : "approved";
            var requests = bystanders.Concat([erased[0]])
                .Select(id => moderator.SendAsync(Patch(id, status, "*"), Ct))
                .Append(moderator.PostAsJsonAsync("/v1/comments/erase", new { authorEmail = email }, Ct));

            statuses.AddRange((await Task.WhenAll(requests)).Select(r => r.StatusCode));
        }

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(0, await app.Database.ScalarAsync<long>(
            "select count(*) from articles a where a.id = any (@articles) and a.comment_count <> (select count(*) from comments c where c.article_id = a.id and c.status = 'approved')",
            new { articles = articles.ToArray() }));
    }

    [Fact]
    public async Task The_queue_s_totals_follow_every_kind_of_change_of_its_comments()
    {
        var moderator = await ModeratorAsync();
        var (slug, root) = await PendingCommentAsync();
        await AssertQueueTotalsAsync(app.Database, moderator);

        Assert.Equal(HttpStatusCode.OK, (await moderator.SendAsync(Patch(root, "approved", "*"), Ct)).StatusCode);
        var email = CommentTestClient.UniqueEmail();
        var (_, reply) = await PendingCommentAsync(email, parentId: root, slug: slug);
        var (_, spam) = await PendingCommentAsync(slug: slug, parentId: root);
        Assert.Equal(HttpStatusCode.OK, (await moderator.SendAsync(Patch(spam, "spam", "*"), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await moderator.SendAsync(Patch(reply, "trash", "*"), Ct)).StatusCode);
        await AssertQueueTotalsAsync(app.Database, moderator);

        // A deletion moves the replies up (an update keeping their status); an erasure changes no status.
        Assert.Equal(HttpStatusCode.NoContent, (await moderator.DeleteAsync($"/v1/comments/{root}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await moderator.PostAsJsonAsync("/v1/comments/erase", new { authorEmail = email }, Ct)).StatusCode);
        await AssertQueueTotalsAsync(app.Database, moderator);

        // Many comments of each status in one statement, changed in one, then their article deleted.
        var articleId = await app.Database.InsertArticleAsync(TestDatabase.UniqueSlug("totalled"));
        await app.Database.ExecuteAsync(
            """
            insert into comments (article_id, author_name, author_email, body, body_hash, status)
            select @articleId, 'Reader', 'bulk' || n || '@example.com', 'Bulk comment ' || n, sha256(convert_to('bulk' || n, 'UTF8')),
                   (array['pending', 'approved', 'spam', 'trash'])[1 + n % 4]
            from generate_series(1, 40) n
            """,
            new { articleId });
        await AssertQueueTotalsAsync(app.Database, moderator);
        await app.Database.ExecuteAsync(
            "update comments set status = case status when 'pending' then 'approved' when 'approved' then 'trash' else status end, body = body || '.' where article_id = @articleId",
            new { articleId });
        await AssertQueueTotalsAsync(app.Database, moderator);
        await app.Database.ExecuteAsync("delete from articles where id = @articleId", new { articleId });
        await AssertQueueTotalsAsync(app.Database, moderator);
    }

    [Fact]
    public async Task Comments_posted_and_moderated_at_once_keep_the_queue_s_totals_exact()
    {
        var moderator = await ModeratorAsync();
        var comments = new List<(string Slug, long Id)>();
        for (var i = 0; i < 24; i++)
        {
            comments.Add(await PendingCommentAsync());
        }

        // Each decision moves two statuses' totals, in both orders across the decisions; the posts
        // add to the pending total on the same rows meanwhile.
        var decisions = comments.Select((comment, i) => moderator.SendAsync(Patch(comment.Id, (i % 3) switch { 0 => "approved", 1 => "spam", _ => "trash" }, "*"), Ct));
        var reversals = comments.Take(8).Select(comment => moderator.SendAsync(Patch(comment.Id, "pending", "*"), Ct));
        var posts = comments.Select(comment => client.PostCommentAsync(comment.Slug, CommentTestClient.Comment()));
        var responses = await Task.WhenAll(decisions.Concat(reversals).Concat(posts));

        Assert.All(responses, response => Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: {(int)response.StatusCode}"));
        await AssertQueueTotalsAsync(app.Database, moderator);
    }

    [Fact]
    public async Task A_database_that_has_comments_when_it_takes_migration_0059_gets_their_totals()
    {
        // In a database of its own, migrated, then taken back to before 0059 with its comments
        // kept: the migration counts the comments that were there.
        await TestServer.InNewDatabaseAsync("contentapi_upgrade", async connectionString =>
        {
            var migrator = new DatabaseMigrator(connectionString, NullLogger.Instance);
            await migrator.MigrateAsync(Ct);
            var database = new TestDatabase(connectionString);
            var articleId = await database.InsertArticleAsync(TestDatabase.UniqueSlug("upgraded"));
            await database.InsertApprovedCommentsAsync(articleId, 3);
            await database.ExecuteAsync("update comments set status = 'spam' where id = (select min(id) from comments)");
            await database.ExecuteAsync(
                """
                drop table comment_status_totals;
                drop function comments_count_statuses() cascade;
                delete from schemaversions where scriptname like '%.0059_moderation_totals_kept_by_status.sql';
                """);

            await migrator.MigrateAsync(Ct);

            Assert.Equal(["approved 2", "spam 1"], await database.QueryAsync<string>(
                "select status || ' ' || sum(total) from comment_status_totals group by status order by status"));
            Assert.Empty(await database.QueryAsync<string>(MiscountedStatusesSql));
        });
    }

    [Fact]
    public async Task Truncating_the_comments_empties_the_queue_s_totals()
    {
        // In a database of its own: a truncate of the shared one would hold every other test's comments.
        await TestServer.InNewDatabaseAsync("contentapi_truncate", async connectionString =>
        {
            await new DatabaseMigrator(connectionString, NullLogger.Instance).MigrateAsync(Ct);
            var database = new TestDatabase(connectionString);
            var articleId = await database.InsertArticleAsync(TestDatabase.UniqueSlug("truncated"));
            await database.InsertApprovedCommentsAsync(articleId, 1);
            var before = await database.ScalarAsync<long>("select sum(total) from comment_status_totals");

            await database.ExecuteAsync("truncate comments cascade");

            Assert.Equal(1, before);
            Assert.Equal(0, await database.ScalarAsync<long>("select count(*) from comment_status_totals"));
        });
    }
}
